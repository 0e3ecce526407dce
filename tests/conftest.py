"""Shared test fixtures.

Data under ``../shared`` is read in place, never copied into the repo.  Tests
that need it are skipped, with the reason shown, when it is absent.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from detente.researcher.editions import EditionIndex, Listing

REPO = Path(__file__).resolve().parents[1]
LISTS_LOADED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def shared_root() -> Path | None:
    env = os.environ.get("DETENTE_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared"]
    for c in candidates:
        if (c / "data").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    root = shared_root()
    if root is None:
        pytest.skip("../shared not found (set DETENTE_SHARED): real list/biblio data unavailable")
    return root


@pytest.fixture(scope="session")
def shared_lists(shared: Path) -> Path:
    return shared / "data" / "lists"


@pytest.fixture(scope="session")
def shared_biblio(shared: Path) -> Path:
    return shared / "data" / "biblio"


@pytest.fixture(scope="session")
def shared_lists_load(
    shared_lists: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """Every shared list folder loaded into an empty home by ``detente lists load``, once per
    session, as retrieved at LISTS_LOADED_AT: (the home, the command's output).  Read it only.

    ``tests/screening/test_sides.py::test_lists_load_every_shared_folder`` checks the output;
    every test that needs the real lists reads the home.
    """
    from typer.testing import CliRunner

    from detente.cli import screening as cli_screening
    from detente.cli.main import app

    home = tmp_path_factory.mktemp("detente-home")
    folders = sorted(str(p) for p in shared_lists.iterdir() if p.is_dir())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli_screening, "_now", lambda: LISTS_LOADED_AT)
        r = CliRunner().invoke(app, ["lists", "load", *folders, "--home", str(home)])
    assert r.exit_code == 0, r.output
    return home, r.output


@pytest.fixture(scope="session")
def shared_lists_home(shared_lists_load: tuple[Path, str]) -> Path:
    """A Détente home with every shared list loaded, built once per session (read it only)."""
    return shared_lists_load[0]


@pytest.fixture(scope="session")
def shared_editions(shared_lists: Path) -> EditionIndex:
    """The dated list editions of the shared lists, read once per session."""
    return EditionIndex.from_dir(shared_lists)


@pytest.fixture(scope="session")
def paperlists_records(shared_biblio: Path) -> Any:
    """The 38k shared AI-venue works indexed for the look-back once per session (read it only)."""
    from detente.researcher.lookback import RecordsSource

    f = shared_biblio / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz"
    if not f.is_file():
        pytest.skip(f"{f} not found")
    return RecordsSource([f])


# ---- fast tests: cheap password hashing and a migrated template database ---------------------
# Production hashes passwords with argon2-cffi's defaults (RFC 9106 low-memory profile:
# time_cost=3, memory_cost=64 MiB, parallelism=4); tests use the cheapest valid parameters.
# Every test that migrates a fresh SQLite file gets a copy of one database migrated once per
# session (per xdist worker: the template lives under that worker's tmp_path_factory).
@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    from argon2 import PasswordHasher

    from detente.store import accounts

    accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    accounts.use_password_hasher(None)


@pytest.fixture(scope="session", autouse=True)
def _migrate_from_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from detente.store.db import Database

    real_upgrade = Database.upgrade
    template: list[Path] = []

    def migrated_template() -> Path:
        if not template:
            path = tmp_path_factory.mktemp("sqlite-template") / "migrated.sqlite3"
            db = Database(f"sqlite:///{path}")
            real_upgrade(db)
            db.dispose()  # the last connection checkpoints the WAL into the file
            template.append(path)
        return template[0]

    def upgrade(self: Database, target: str = "head") -> str | None:
        path = self.engine.url.database if self.dialect == "sqlite" else None
        if target == "head" and path and path != ":memory:" and not path.startswith("file:"):
            p = Path(path)
            fresh = p.exists() and p.stat().st_size == 0
            if fresh and not p.with_name(p.name + "-wal").exists():
                self.engine.dispose()
                p.write_bytes(migrated_template().read_bytes())  # keeps the file's 0600 mode
        return real_upgrade(self, target)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Database, "upgrade", upgrade)
        yield


# ---- the cyclic garbage collector and the test process --------------------------------------
# A test run keeps a large heap alive (every imported module and collected test item, the
# session's list index and look-back index), and each full collection walks all of it: in
# tests/web and tests/screening the collector took a quarter or more of the CPU time, much of
# it in the interpreter's collections at exit (bench/README.md, "Third round").  What lives for the whole run is moved out of the
# collector's view with ``gc.freeze``: after collection (which runs without the collector: it
# builds what the run keeps), after each session fixture, after the last test of each file
# (what the file's tests left alive: caches, mostly), and at the end (the process exits).
# Frozen objects are still freed by reference counting; only cycles among them would not be.
@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[None]:
    gc.disable()  # collecting imports the test modules and builds the items: all kept
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
        gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Iterator[None]:
    yield
    if fixturedef.scope == "session":
        gc.collect()
        gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    _forget_fastapi_endpoints()
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    gc.freeze()


def _forget_fastapi_endpoints() -> None:
    """Forget the endpoints FastAPI classified during the test.

    FastAPI keeps, per process, up to 4,096 of the endpoint functions it has classified (sync or
    async, generator or not); the endpoints are closures over their app, so every app a test
    builds would stay alive (with its database engine, routes and templates) and the heap would
    grow test after test.  A server builds one app; the tests build hundreds.
    """
    models = sys.modules.get("fastapi.dependencies.models")
    for name in (
        "_is_gen_callable_cached",
        "_is_async_gen_callable_cached",
        "_is_coroutine_callable_cached",
    ):
        cached = getattr(models, name, None)
        if cached is not None:
            cached.cache_clear()


# ---- dated list editions shared by the packs and researcher tests --------------------------
def listing(
    list_id: str,
    name: str,
    start: date | None,
    *,
    end: date | None = None,
    known_on: date | None = None,
    aliases: tuple[str, ...] = (),
    acronyms: tuple[str, ...] = (),
) -> Listing:
    return Listing(
        list_id=list_id,
        name=name,
        aliases=aliases,
        acronyms=acronyms,
        countries=(),
        start=start,
        start_latest=start,
        end=end,
        known_on=known_on or start or date(2026, 3, 30),
        edition=f"test edition of {list_id}",
        date_basis="synthetic test listing",
    )


@pytest.fixture(scope="session")
def index() -> EditionIndex:
    ls = [
        listing("us_dod_1286", "Harbin Institute of Technology", date(2023, 6, 29)),
        listing("us_dod_1286", "Hundred Talents Plan", date(2023, 6, 29)),
        listing("us_dod_1286", "Later Listed University", date(2026, 7, 1)),
        listing("us_dod_1260h", "Test Military Co", date(2021, 1, 1)),
        listing(
            "us_bis_entity_list",
            "Entity University",
            None,
            known_on=date(2026, 3, 30),
            acronyms=("EU",),
        ),
        listing("cn_uel", "Lockheed Martin Corporation", date(2023, 2, 16)),
        listing("cn_countermeasures", "Raytheon Technologies", date(2022, 2, 21)),
        listing("cn_export_control", "Boeing Defense", date(2024, 1, 2)),
        listing("ca_ised_nro", "Named Research Org", date(2024, 1, 16)),
    ]
    loaded = {x.list_id for x in ls}
    return EditionIndex(ls, loaded, {k: "synthetic" for k in loaded})
