"""CLI commands of the web capability: ``serve``, ``db upgrade|current|cleanup``, ``users …``, ``audit verify``.

Heavy libraries (FastAPI, SQLAlchemy, uvicorn) are imported inside the
commands so ``detente --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from detente.cli._common import cli_errors, console, err_console, needs_extra

ROLES = ("submitter", "reviewer", "admin")

db_app = typer.Typer(
    help="The review database (SQLite under $DETENTE_HOME, or DATABASE_URL).", no_args_is_help=True
)
users_app = typer.Typer(help="Accounts of the web app and REST API.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def _web_extra() -> None:
    needs_extra("web", "the web app and its database (`detente serve`, `db`, `users`, `audit`)")


for _sub in (db_app, users_app, audit_app):
    _sub.callback()(_web_extra)

DB_OPTION = typer.Option(
    None,
    "--database-url",
    "--db",
    help="SQLAlchemy URL (sqlite:///path or postgresql+psycopg://…); default DATABASE_URL, "
    "then $DETENTE_HOME/detente.sqlite3.",
    show_default=False,
)


def _workflow(url: str | None) -> Any:
    from detente.store.db import open_database
    from detente.store.service import Workflow

    return Workflow(open_database(url))


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    database_url: str | None = DB_OPTION,
    secure_cookies: bool = typer.Option(
        None,
        "--secure-cookies/--no-secure-cookies",
        help="Mark cookies Secure (behind HTTPS).",
        show_default=False,
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="uvicorn worker processes."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Run the web app and REST API (migrates the database first)."""
    _web_extra()
    import uvicorn

    from detente.store.config import database_url as resolve
    from detente.store.config import redact
    from detente.store.db import open_database

    url = resolve(database_url)
    db = open_database(url)
    db.dispose()
    if secure_cookies is not None:
        os.environ["DETENTE_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    os.environ["DATABASE_URL"] = url
    err_console.print(
        f"Détente on http://{host}:{port}/  (database {redact(url)}; API docs at /api/docs)"
    )
    if not any(True for _ in _workflow(url).list_users()):
        err_console.print("No users yet: add one with `detente users add NAME --role admin`.")
    uvicorn.run(
        "detente.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )


@db_app.command("upgrade")
@cli_errors
def db_upgrade(database_url: str | None = DB_OPTION) -> None:
    """Create the database or migrate it to the newest schema."""
    from detente.store.config import redact
    from detente.store.db import Database

    db = Database(database_url)
    before = db.current()
    after = db.upgrade()
    console.print(f"{redact(db.url)}: migration {before or 'none'} → {after}")


@db_app.command("current")
@cli_errors
def db_current(database_url: str | None = DB_OPTION) -> None:
    """Show the migration the database is at."""
    from detente.store.db import Database

    db = Database(database_url)
    console.print(f"{db.current() or 'none'} (newest: {db.head()})")


@db_app.command("cleanup")
@cli_errors
def db_cleanup(database_url: str | None = DB_OPTION) -> None:
    """Delete expired sign-in sessions and failed sign-ins older than the throttling window."""
    done = _workflow(database_url).cleanup()
    console.print(
        f"deleted {done['expired_sessions']} expired session(s) and "
        f"{done['old_login_failures']} old failed sign-in(s)"
    )


def _password(env_var: str | None) -> str:
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            from detente.errors import InputError

            raise InputError(f"the environment variable {env_var} is empty or not set")
        return value
    value = os.environ.get("DETENTE_PASSWORD")
    if value:
        return value
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
@cli_errors
def users_add(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option("submitter", "--role", help="submitter, reviewer or admin."),
    password_env: str | None = typer.Option(
        None,
        "--password-env",
        help="Read the password from this environment variable (default DETENTE_PASSWORD, else prompt).",
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """Add a user (the password comes from a prompt or the environment)."""
    wf = _workflow(database_url)
    user = wf.create_user(name, _password(password_env), role, by="cli")
    console.print(f"added {user.username} ({user.role})")


@users_app.command("list")
@cli_errors
def users_list(database_url: str | None = DB_OPTION) -> None:
    """List the users."""
    for u in _workflow(database_url).list_users():
        console.print(f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}")


@users_app.command("set")
@cli_errors
def users_set(
    name: str = typer.Argument(..., help="User name."),
    role: str | None = typer.Option(None, "--role", help="New role."),
    active: bool | None = typer.Option(
        None, "--active/--disabled", help="Enable or disable.", show_default=False
    ),
    password: bool = typer.Option(
        False, "--password", help="Set a new password (prompt or DETENTE_PASSWORD)."
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """Change a user's role, state or password."""
    wf = _workflow(database_url)
    user = wf.get_user(name)
    wf.update_user(
        "cli", user.id, role=role, active=active, password=_password(None) if password else None
    )
    console.print(f"updated {name}")


@users_app.command("unlock")
@cli_errors
def users_unlock(
    name: str = typer.Argument(..., help="User name."),
    database_url: str | None = DB_OPTION,
) -> None:
    """Clear a user's failed sign-ins, lifting any sign-in delay on the account."""
    n = _workflow(database_url).unlock_user("cli", name)
    console.print(f"unlocked {name} ({n} failed sign-in(s) cleared)")


@users_app.command("token")
@cli_errors
def users_token(
    name: str = typer.Argument(..., help="User name."),
    label: str = typer.Option("cli", "--name", help="What the token is for."),
    database_url: str | None = DB_OPTION,
) -> None:
    """Create a personal API token for a user and print it (only its hash is stored)."""
    from detente.store.views import Actor

    wf = _workflow(database_url)
    user = wf.get_user(name)
    raw, _ = wf.create_token(Actor(id=user.id, username=user.username, role=user.role), label)
    typer.echo(raw)


@audit_app.command("verify")
@cli_errors
def audit_verify(
    database_url: str | None = DB_OPTION,
    anchor: Path | None = typer.Option(
        None,
        "--anchor",
        help="An anchor file from `detente audit anchor`: also check the log still has that head.",
        show_default=False,
    ),
) -> None:
    """Check the audit log's hash chain and the content of every audited record: exit 0 if
    intact, else name the first broken entry and every altered, deleted or unrecorded record."""
    from detente.errors import IntegrityError, NotFoundError
    from detente.store.audit import Anchor

    anc = None
    if anchor is not None:
        if not anchor.is_file():
            raise NotFoundError(f"{anchor}: no such anchor file")
        anc = Anchor.from_json(anchor.read_text(encoding="utf-8"), str(anchor))
    from detente.store.config import database_url as resolve

    url = resolve(database_url)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).is_file():
        # opening would create an empty store and call its empty log intact: nothing was checked
        raise NotFoundError(
            f"no store at {url[len('sqlite:///') :]}: there is no audit log to verify "
            "(set DETENTE_HOME or --database-url to the web app's store)"
        )
    result = _workflow(database_url).verify_audit(anc)
    if result.ok and result.entries == 0:
        console.print("audit log empty: 0 entries, nothing to verify yet")
        return
    if not result.ok:
        for problem in result.problems[1:]:
            err_console.print(f"  - {problem}")
        where = f" at entry {result.first_broken}" if result.first_broken else ""
        raise IntegrityError(f"audit log broken{where}: {result.reason}")
    extra = f"; matches the anchor at entry {anc.seq}" if anc is not None else ""
    console.print(
        f"audit log intact: {result.entries} entries, {result.records_checked} records "
        f"checked, head {result.head_hash}{extra}"
    )


@audit_app.command("anchor")
@cli_errors
def audit_anchor(
    database_url: str | None = DB_OPTION,
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write the anchor to this file (default: print it).",
        show_default=False,
    ),
) -> None:
    """Export the chain's head (sequence number and hash) to keep outside the database;
    `audit verify --anchor FILE` later proves the log was not rewritten since."""
    a = _workflow(database_url).audit_anchor()
    if out is None:
        typer.echo(a.to_json())
        return
    out.write_text(a.to_json() + "\n", encoding="utf-8")
    console.print(f"anchor written to {out}: entry {a.seq}, hash {a.hash}")


@audit_app.command("baseline")
@cli_errors
def audit_baseline(database_url: str | None = DB_OPTION) -> None:
    """Record the content hashes of records stored before content auditing (run once after
    upgrading); later changes to them are then caught by `audit verify`."""
    n = _workflow(database_url).audit_baseline("cli")
    console.print(f"recorded the content of {n} record(s)" if n else "every record is covered")


@db_app.command("harden-roles")
@cli_errors
def db_harden_roles(
    app_role: str = typer.Option(
        ..., "--app-role", help="The login role the web app and API connect as."
    ),
    owner_role: str = typer.Option(
        "detente_owner", "--owner-role", help="The role that will own the tables (NOLOGIN)."
    ),
    database_url: str | None = DB_OPTION,
) -> None:
    """PostgreSQL: make a separate role own the tables, so the app's role cannot alter or
    disable the audit log's triggers, and may only insert into append-only records."""
    from detente.store.db import Database
    from detente.store.roles import harden_roles

    r = harden_roles(Database(database_url), app_role, owner_role)
    console.print(
        f"schema {r.schema}: tables owned by {r.owner}; {r.app} may only read and append to "
        f"{', '.join(r.append_only)}; read/write on {', '.join(r.read_write)}"
    )


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
