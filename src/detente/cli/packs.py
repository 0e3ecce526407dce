"""``detente packs list|show|export`` and ``detente researcher``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from detente.cli._common import cli_errors, console, emit
from detente.errors import InputError

packs_app = typer.Typer(
    help="Research-security rule packs (funders' and governments' regimes, dated).",
    no_args_is_help=True,
)


def _date(value: str | None, what: str = "--as-of") -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _load(paths: list[Path] | None) -> list:  # type: ignore[type-arg]
    from detente.packs.loader import bundled_packs, load_packs

    return load_packs(paths) if paths else list(bundled_packs())


@packs_app.command("list")
@cli_errors
def list_cmd(
    as_of: str | None = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD); default today."),
    pack_file: list[Path] | None = typer.Option(
        None, "--packs", help="Load packs from these files or folders instead of the bundled ones."
    ),
) -> None:
    """List the packs and the version of each in force on the as-of date."""
    from rich.table import Table

    from detente.packs.export import in_force_table

    day = _date(as_of)
    t = Table(title=f"Rule packs in force on {day}")
    for col in ("pack", "view", "version", "status", "from", "clauses", "pending"):
        t.add_column(col, overflow="fold")
    for r in in_force_table(_load(pack_file), day):
        frm = r["from"] + ("" if r["dates_verified"] in (True, None) else " (unverified)")
        t.add_row(
            r["id"],
            r["view"],
            r["version"],
            r["status"],
            frm,
            str(r["clauses"]),
            ", ".join(r["pending"]),
        )
    console.print(t)


@packs_app.command("show")
@cli_errors
def show_cmd(
    pack_id: str = typer.Argument(..., help="Pack id (see `detente packs list`)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Show the version in force on this date."
    ),
    all_versions: bool = typer.Option(False, "--all", help="Show every version."),
    pack_file: list[Path] | None = typer.Option(
        None, "--packs", help="Load packs from these files."
    ),
) -> None:
    """Show a pack's clauses: needs, condition, window, outcome, source and verification."""
    from rich.markdown import Markdown

    from detente.packs.export import version_markdown
    from detente.packs.loader import get_pack

    pack = get_pack(pack_id, _load(pack_file))
    day = _date(as_of)
    versions = pack.versions if all_versions else [v for v in [pack.version_at(day)] if v]
    if not versions:
        console.print(f"{pack.id}: no version in force on {day} (use --all).")
        return
    lines = [f"# {pack.title}", ""]
    for v in versions:
        lines += version_markdown(pack, v, "##")
    console.print(Markdown("\n".join(lines)))


@packs_app.command("export")
@cli_errors
def export_cmd(
    fmt: str = typer.Option("json", "--format", "-f", help="json or md"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
    pack_file: list[Path] | None = typer.Option(
        None, "--packs", help="Load packs from these files."
    ),
) -> None:
    """Export every pack (JSON, or the Markdown reference docs/packs.md)."""
    from detente.packs.export import export_json, export_markdown

    packs = _load(pack_file)
    if fmt == "json":
        text = export_json(packs)
    elif fmt == "md":
        text = export_markdown(packs)
    else:
        raise InputError(f"unknown format {fmt!r} (use json or md)")
    emit(text, out)


@cli_errors
def researcher_cmd(
    who: str = typer.Argument(..., help="A name, or an ORCID (0000-0000-0000-0000)."),
    affiliation: str | None = typer.Option(
        None, "--affiliation", help="The person's institution (attributes works where it agrees)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD); default today."),
    years: int = typer.Option(5, "--years", help="Look-back window in years."),
    db: Path | None = typer.Option(
        None, "--db", help="Landscape DuckDB store (default: $DETENTE_HOME)."
    ),
    records: list[Path] | None = typer.Option(
        None, "--records", help="OpenAlex-shaped JSON Lines to read instead of the store."
    ),
    lists_dir: Path | None = typer.Option(
        None, "--lists", help="Folder of list files (default: $DETENTE_LISTS_DIR)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Look back at a researcher's co-publications with listed institutions (evidence for review)."""
    import re

    from rich.table import Table

    from detente.landscape.paths import default_db_path
    from detente.researcher.editions import edition_index
    from detente.researcher.lookback import RecordsSource, StoreSource, WorkSource, lookback

    day = _date(as_of)
    is_orcid = bool(
        re.match(r"^(?:https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", who.strip())
    )
    index = edition_index(str(lists_dir) if lists_dir else None)
    source: WorkSource
    source = RecordsSource(records) if records else StoreSource(db or default_db_path())
    rep = lookback(
        source,
        index,
        name=None if is_orcid else who,
        orcid=who if is_orcid else None,
        affiliation=affiliation,
        as_of=day,
        years=years,
    )
    if json_out:
        typer.echo(rep.model_dump_json(indent=2))
        return
    console.print(
        f"[bold]{rep.query}[/] — window {rep.window}; source {rep.source}; "
        f"{rep.works_found} works under this name/id, {rep.works_attributed} attributed, "
        f"{rep.works_in_window} in the window."
    )
    if len(rep.candidates) > 1:
        t = Table(title="Groups of works under this name (possibly different people)")
        for col in ("group", "affiliations", "works", "years"):
            t.add_column(col, overflow="fold")
        for c in rep.candidates[:12]:
            t.add_row(str(c.id), "; ".join(c.affiliations), str(c.works), c.years)
        console.print(t)
    t = Table(title=f"Co-publications with listed institutions ({len(rep.findings)})")
    for col in (
        "year",
        "work",
        "co-author",
        "raw affiliation",
        "list entry / edition",
        "listed then",
        "confidence",
    ):
        t.add_column(col, overflow="fold")
    state = {True: "yes", False: "no (not yet / no longer)", None: "cannot tell"}
    for f in rep.findings[:200]:
        t.add_row(
            str(f.year),
            f"{f.title} ({f.venue})",
            f.coauthor,
            f.raw_affiliation,
            f"{f.entry_name} — {f.list_name}, {f.edition}",
            state[f.in_force_on_publication],
            f"{f.confidence} (match {f.match_confidence}, authorship {f.attribution}, group {f.candidate})",
        )
    console.print(t)
    for n in rep.notes:
        console.print(f"- {n}")


def register(app: typer.Typer) -> None:
    app.add_typer(packs_app, name="packs")
    app.command("researcher")(researcher_cmd)
