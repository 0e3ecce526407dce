"""CLI commands of the collaboration landscape (``detente landscape …``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from detente.cli._common import cli_errors, console, err_console, needs_extra
from detente.errors import InputError, NotFoundError

if TYPE_CHECKING:  # the landscape extra is imported only when a command runs
    from rich.table import Table

    from detente.landscape.classifier import BinaryMetrics

landscape_app = typer.Typer(
    help="Collaboration landscape (the paper's Figure 1): who co-authors AI-safety research with whom.",
    no_args_is_help=True,
)
classifier_app = typer.Typer(
    help="Train and evaluate the AI-safety text classifier.", no_args_is_help=True
)
landscape_app.add_typer(classifier_app, name="classifier")


@landscape_app.callback()
def _landscape_extra() -> None:
    """Collaboration landscape (the paper's Figure 1): who co-authors AI-safety research with whom."""
    needs_extra("landscape", "`detente landscape`")


DB_OPT = typer.Option(
    None, "--db", help="Landscape DuckDB file (default: $DETENTE_HOME/landscape/landscape.duckdb)."
)


def _db(db: Path | None) -> Path:
    from detente.landscape.paths import default_db_path

    return db or default_db_path()


def _definition(path: Path | None, method: str | None) -> Any:
    from pydantic import ValidationError

    from detente.errors import Problem
    from detente.landscape.taxonomy import SafetyDefinition

    data: dict[str, Any] = {}
    if path is not None:
        if not path.exists():
            raise NotFoundError(f"no such definition file: {path}")
        from detente._yamlio import load_json, load_yaml

        text = path.read_text(encoding="utf-8")
        reader = load_json if path.suffix.lower() == ".json" else load_yaml
        loaded = reader(text, str(path), InputError, "definition file") or {}
        if not isinstance(loaded, dict):
            raise InputError(f"{path}: a definition must be a mapping")
        data.update(loaded)
    if method:
        data["method"] = method
    try:
        return SafetyDefinition.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            "invalid AI-safety definition",
            problems=[
                Problem(
                    e["msg"], file=str(path) if path else None, field=".".join(map(str, e["loc"]))
                )
                for e in exc.errors()
            ],
        ) from exc


def default_biblio() -> Path | None:
    cands: list[Path] = []
    if os.environ.get("DETENTE_BIBLIO"):
        cands.append(Path(os.environ["DETENTE_BIBLIO"]))
    if os.environ.get("DETENTE_SHARED"):
        cands.append(Path(os.environ["DETENTE_SHARED"]) / "data" / "biblio")
    here = Path.cwd().resolve()
    for base in (here, *here.parents[:3]):
        cands.append(base / "shared" / "data" / "biblio")
    for c in cands:
        if c.is_dir():
            return c
    return None


def _progress() -> Any:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[works]:,} works"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


@landscape_app.command("ingest")
@cli_errors
def ingest_cmd(
    paths: list[Path] = typer.Argument(
        ..., help="Files or directories: JSONL(.gz), API pages, snapshot dirs, Parquet."
    ),
    db: Path | None = DB_OPT,
    workers: int = typer.Option(1, min=1, help="Parallel worker processes (one file each)."),
    batch_size: int = typer.Option(20_000, min=100, help="Works per batch (bounds memory)."),
    force: bool = typer.Option(False, help="Re-read files already ingested."),
) -> None:
    """Ingest OpenAlex-shaped works (or paperlists records) into the landscape store."""
    from detente.landscape.ingest import ingest_paths

    with _progress() as prog:
        task = prog.add_task("ingest", total=None, works=0)

        def on_files(total: int) -> None:
            prog.update(task, total=total)

        def step(nbytes: int, nworks: int) -> None:
            t = prog.tasks[0]
            prog.update(task, advance=nbytes, works=t.fields["works"] + nworks)

        report = ingest_paths(
            paths,
            _db(db),
            batch_size=batch_size,
            workers=workers,
            force=force,
            progress=step,
            on_files=on_files,
        )
    console.print(report.summary())
    for p in report.problems:
        err_console.print(f"  skipped: {p}", markup=False)
    if report.malformed > len(report.problems):
        err_console.print(f"  … and {report.malformed - len(report.problems):,} more", markup=False)
    if report.records_read == 0 and report.files > report.files_skipped:
        err_console.print(
            "warning: no record was read from the new file(s): are they empty, or not "
            "OpenAlex-shaped works / paperlists records? Nothing was added.",
            markup=False,
        )


@landscape_app.command("fetch")
@cli_errors
def fetch_cmd(
    filter_: str | None = typer.Option(
        None, "--filter", help="OpenAlex filter, e.g. 'topics.id:T10028,publication_year:2023'."
    ),
    search: str | None = typer.Option(None, help="OpenAlex full-text search."),
    mailto: str | None = typer.Option(
        None, envvar="OPENALEX_MAILTO", help="Your e-mail (polite pool)."
    ),
    base_url: str = typer.Option("https://api.openalex.org", help="API base URL."),
    max_pages: int | None = typer.Option(None, min=1),
    restart: bool = typer.Option(False, help="Ignore a saved cursor and start again."),
    db: Path | None = DB_OPT,
) -> None:
    """Fetch works from the OpenAlex API (cursor paging, retries, resumable)."""
    from detente.landscape.api import ApiConfig, fetch_into_store

    with _progress() as prog:
        task = prog.add_task("fetch", total=None, works=0)

        def step(n: int, total: int | None) -> None:
            t = prog.tasks[0]
            prog.update(task, total=total, advance=n, works=t.fields["works"] + n)

        report = fetch_into_store(
            _db(db),
            filter_=filter_,
            search=search,
            config=ApiConfig(base_url=base_url, mailto=mailto),
            max_pages=max_pages,
            restart=restart,
            progress=step,
        )
    console.print(report.summary())
    for p in report.problems:
        err_console.print(f"  skipped: {p}", markup=False)


@landscape_app.command("tag")
@cli_errors
def tag_cmd(
    db: Path | None = DB_OPT,
    method: str | None = typer.Option(None, help="auto | classifier | keyword | topics | all"),
    definition: Path | None = typer.Option(None, help="AI-safety definition file (YAML/JSON)."),
    force: bool = typer.Option(False),
) -> None:
    """Tag works as AI safety (and by area) with the configured definition."""
    from detente.landscape.store import LandscapeStore
    from detente.landscape.tagging import tag_store

    d = _definition(definition, method)
    path = _db(db)
    if not path.exists():
        raise NotFoundError(f"no landscape database at {path} (run `detente landscape ingest`)")
    with LandscapeStore(path) as store:
        rep = tag_store(store, d, force=force)
    if rep.notice:
        err_console.print(rep.notice, markup=False)
    console.print(
        f"{rep.safety_works:,} of {rep.works:,} works are AI safety ({rep.method}); {rep.area_rows:,} area tags"
    )


@landscape_app.command("figure")
@cli_errors
def figure_cmd(
    focal: str = typer.Option("US", help="Focal country (ISO-3166 alpha-2)."),
    year_from: int = typer.Option(2015, "--from"),
    year_to: int = typer.Option(2024, "--to"),
    area: str | None = typer.Option(
        None, help="Cut by area: verification, protocols, infrastructure, evaluations, …"
    ),
    subset: str = typer.Option("safety", help="safety (AI-safety works) or all (every work)."),
    top: int = typer.Option(8, min=1, help="Partners in the table."),
    bars: int = typer.Option(5, min=1, help="Partners drawn per year."),
    out: Path | None = typer.Option(
        None, help="Output directory (default: $DETENTE_HOME/landscape/figures)."
    ),
    engine: str = typer.Option("duckdb", help="duckdb or spark (local Spark over the same store)."),
    method: str | None = typer.Option(None, help="AI-safety definition method (default auto)."),
    definition: Path | None = typer.Option(None, help="AI-safety definition file (YAML/JSON)."),
    min_n: int = typer.Option(
        30, "--min-n", min=1, help="Years with fewer focal papers are hatched (bars) or omitted."
    ),
    counting: str = typer.Option(
        "whole", help="Country-share view: whole or fractional counting (docs/landscape.md)."
    ),
    institution: str | None = typer.Option(
        None, help="Also report co-authorship of this institution (key or exact name)."
    ),
    db: Path | None = DB_OPT,
) -> None:
    """Draw Figure 1 beside the country-share view (SVG + PNG) and write the tables."""
    from detente.landscape.figure import draw, write_tables
    from detente.landscape.paths import default_out_dir
    from detente.landscape.service import landscape

    if subset not in ("safety", "all"):
        raise InputError(f"--subset must be 'safety' or 'all', not {subset!r}")
    if engine not in ("duckdb", "spark"):
        raise InputError(f"--engine must be 'duckdb' or 'spark', not {engine!r}")
    if counting not in ("whole", "fractional"):
        raise InputError(f"--counting must be 'whole' or 'fractional', not {counting!r}")
    if year_from > year_to:
        raise InputError(f"--from {year_from} is after --to {year_to}")
    result, notice = landscape(
        _db(db),
        focal,
        year_from,
        year_to,
        subset=subset,  # type: ignore[arg-type]
        area=area,
        top=top,
        definition=_definition(definition, method),
        engine=engine,
        min_n=min_n,
        counting=counting,  # type: ignore[arg-type]
        institution=institution,
    )
    if notice:
        err_console.print(notice, markup=False)
    if not any(y.focal_works for y in result.years):
        err_console.print(
            f"warning: no {result.focal} papers in {year_from}–{year_to} in this store "
            f"({result.definition}); the chart says 'no data'",
            markup=False,
        )
    out_dir = out or default_out_dir()
    files = draw(result, out_dir, partners=bars) + write_tables(result, out_dir)
    _print_table(result)
    for f in files:
        console.print(f"wrote {f}", markup=False)


def _print_table(result: Any) -> None:
    from rich.table import Table

    t = Table(
        title=f"{result.focal}: share co-authored with partner (%), {result.definition}",
        caption=f"* fewer than {result.min_n} {result.focal} papers that year (share unreliable)",
    )
    t.add_column("year")
    t.add_column(f"{result.focal} works", justify="right")
    for p in result.top_partners:
        t.add_column(p, justify="right")
    for row in result.years:
        small = "*" if row.focal_works < result.min_n else ""
        t.add_row(
            str(row.year),
            f"{row.focal_works:,}{small}",
            *[
                f"{100 * row.count(p) / row.focal_works:.1f}" if row.focal_works else "–"
                for p in result.top_partners
            ],
        )
    console.print(t)


@landscape_app.command("sensitivity")
@cli_errors
def sensitivity_cmd(
    focal: str = typer.Option("US", help="Focal country (ISO-3166 alpha-2)."),
    year_from: int = typer.Option(2015, "--from"),
    year_to: int = typer.Option(2024, "--to"),
    partners: str = typer.Option("CN,GB", help="Comma-separated partner countries."),
    min_n: int = typer.Option(30, "--min-n", min=1),
    out: Path | None = typer.Option(None, help="Also write the table as CSV here."),
    db: Path | None = DB_OPT,
) -> None:
    """Compare co-authorship shares under the keyword, classifier and topic definitions."""
    from rich.table import Table

    from detente.landscape.measures import check_country
    from detente.landscape.sensitivity import sensitivity, write_csv

    f = check_country(focal)
    ps = [check_country(p, "partners") for p in partners.split(",") if p.strip()]
    if year_from > year_to:
        raise InputError(f"--from {year_from} is after --to {year_to}")
    rep = sensitivity(_db(db), f, year_from, year_to, ps, min_n=min_n)
    for note in rep.notes:
        err_console.print(note, markup=False)
    t = Table(title=f"{f}: share co-authored with partner (%) by AI-safety definition")
    t.add_column("year")
    for m in rep.methods:
        t.add_column(f"{m} n", justify="right")
        for p in ps:
            t.add_column(f"{m} {p}", justify="right")
    for y in sorted({r.year for r in rep.rows}):
        cells = [str(y)]
        for m in rep.methods:
            rows = [r for r in rep.rows if r.year == y and r.method == m]
            n = rows[0].focal_works if rows else 0
            cells.append(f"{n:,}")
            for p in ps:
                r = next((r for r in rows if r.partner == p), None)
                cells.append(r.cell(min_n) if r else "–")
        t.add_row(*cells)
    console.print(t)
    for line in rep.summary:
        console.print(line, markup=False)
    if out is not None:
        write_csv(rep, out)
        console.print(f"wrote {out}", markup=False)


@landscape_app.command("status")
@cli_errors
def status_cmd(db: Path | None = DB_OPT) -> None:
    """Show what the landscape store holds and whether the classifier is trained."""
    from detente.landscape.classifier import NOT_TRAINED, Classifier
    from detente.landscape.store import LandscapeStore

    path = _db(db)
    if path.exists():
        with LandscapeStore(path, read_only=True) as store:
            for k, v in store.counts().items():
                console.print(f"{k:>16}: {v:,}")
    else:
        console.print(f"no landscape database at {path}")
    clf = Classifier.load()
    console.print(
        "classifier: " + (f"trained {clf.bundle.get('trained_at')}" if clf else NOT_TRAINED)
    )


@classifier_app.command("train")
@cli_errors
def train_cmd(
    biblio: Path | None = typer.Option(
        None, help="The shared biblio folder (default: ../shared/data/biblio)."
    ),
    negatives: int = typer.Option(
        4000, min=100, help="General AI papers sampled as negatives (the evaluation sets' sample)."
    ),
    all_train_venues: bool = typer.Option(
        True,
        help="Also train on every other train-split AI-venue paper (not in any evaluation set).",
    ),
    seed: int = typer.Option(0, help="Seed of the split hash and the negative sample."),
    limit: int | None = typer.Option(
        None, min=50, help="At most this many documents per source (a quick model for tests)."
    ),
    out: Path | None = typer.Option(
        None, help="Where to save (default: $DETENTE_HOME/landscape/classifier.joblib)."
    ),
) -> None:
    """Train the AI-safety and area classifier from the shared corpora; print its evaluation."""
    from detente.landscape.classifier import train

    src = biblio or default_biblio()
    if src is None or not src.is_dir():
        raise NotFoundError("biblio data not found: pass --biblio or set DETENTE_SHARED")
    with err_console.status("training…"):
        path, ev = train(
            src,
            out=out,
            negatives=negatives,
            seed=seed,
            limit=limit,
            all_train_venues=all_train_venues,
        )
    _print_eval(ev)
    console.print(f"saved {path}", markup=False)


@classifier_app.command("evaluate")
@cli_errors
def evaluate_cmd(
    terms: int = typer.Option(15, min=0, help="Top weighted terms to show per model."),
    model: Path | None = typer.Option(
        None, help="Model file (default: $DETENTE_HOME/landscape/classifier.joblib)."
    ),
) -> None:
    """Print the held-out evaluation and the top weighted terms of the trained model."""
    from detente.landscape.classifier import NOT_TRAINED, Classifier

    clf = Classifier.load(model)
    if clf is None:
        raise NotFoundError(NOT_TRAINED + " (run `detente landscape classifier train`)")
    _print_eval(clf.evaluation())
    if terms:
        for which in ["safety", *clf.areas]:
            top = ", ".join(f"{t} ({w:+.2f})" for t, w in clf.top_terms(which, terms))
            console.print(f"[bold]{which}[/]: {top}")
    prov = clf.bundle.get("provenance", {})
    for name, p in prov.items():
        console.print(f"trained from {name}: {p['file']} sha256 {p['sha256'][:12]}…", markup=False)


def _print_eval(ev: Any) -> None:
    from rich.table import Table

    held = Table(
        title=f"Technical AI safety, held-out test split (threshold {ev.threshold:.2f}; "
        "baseline: TF-IDF + logistic regression, 0.50)"
    )
    for c in ("test set", "model", "precision", "recall", "F1", "pos / neg"):
        held.add_column(c)
    for m in ev.held_out:
        held.add_row(
            m.split,
            m.model,
            f"{m.precision:.3f}",
            f"{m.recall:.3f}",
            f"{m.f1:.3f}",
            f"{m.positives} / {m.negatives}",
        )
    console.print(held)
    if ev.validation:
        val = ", ".join(f"{m.split} {m.f1:.3f}" for m in ev.validation)
        console.print(
            f"validation split (threshold chosen here, in-sample): F1 {val}", markup=False
        )
    if ev.ethics_flagged_as_safety is not None:
        base = ev.baseline_ethics_flagged_as_safety
        console.print(
            f"AI-ethics corpus (test split) labelled technical safety: "
            f"{100 * ev.ethics_flagged_as_safety:.1f}%"
            + (f" (baseline {100 * base:.1f}%)" if base is not None else "")
        )
    if ev.labels:
        console.print(
            _metrics_table(
                "Three labels (held-out, at the sources' proportions)",
                "label",
                [(m, "") for m in ev.labels],
                with_kind=False,
            )
        )
    areas = [(m, "human (newsletter)") for m in ev.areas]
    areas += [(m, "keyword (weak)") for m in ev.weak_areas]
    console.print(
        _metrics_table("Area models (held-out newsletter items)", "area", areas, with_kind=True)
    )
    for note in ev.notes:
        console.print(f"note: {note}", markup=False)


def _metrics_table(
    title: str, what: str, rows: Sequence[tuple[BinaryMetrics, str]], *, with_kind: bool
) -> Table:
    """P / R / F1 rows of held-out metrics; with ``with_kind``, a "labels" column (where each
    row's labels come from)."""
    from rich.table import Table

    t = Table(title=title)
    for col in (what, "precision", "recall", "f1", "positives", "test size"):
        t.add_column(col)
    if with_kind:
        t.add_column("labels")
    for m, kind in rows:
        cells = [m.label, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}"]
        cells += [str(m.support), str(m.test_size)]
        t.add_row(*cells, *([kind] if with_kind else []))
    return t


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.add_typer(landscape_app, name="landscape")
