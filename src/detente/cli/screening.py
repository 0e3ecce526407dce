"""CLI of the screening capability: ``detente screen`` and ``detente lists ...``."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from detente.cli._common import cli_errors, console, err_console

if TYPE_CHECKING:
    from detente.model.diligence import ScreeningResult
    from detente.screening.dispositions import DispositionRecord

lists_app = typer.Typer(
    help="Restricted-party lists: load, update, status, diff.", no_args_is_help=True
)

HOME_OPT = typer.Option(
    None, "--home", help="Data home (default $DETENTE_HOME or ~/.local/share/detente)."
)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _status_style(s: str) -> str:
    return {
        "hit": "bold red",
        "potential": "yellow",
        "related": "magenta",
        "clear": "green",
        "not_checked": "bold red",
    }.get(s, "")


@cli_errors
def screen_cmd(
    name: str | None = typer.Argument(None, help="Name to screen (any script)."),
    country: str | None = typer.Option(
        None, "--country", help="ISO-2 country of an organisation (a qualifier only)."
    ),
    type_: str = typer.Option("org", "--type", help="org or person."),
    input_: Path | None = typer.Option(
        None, "--input", help="CSV with columns name[,country,type,aliases]."
    ),
    output: Path | None = typer.Option(None, "--output", help="Write batch results to this CSV."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Hit threshold (default from match_rules.yaml)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
    dispose: str | None = typer.Option(
        None,
        "--dispose",
        help="Record a reviewer's disposition of one match: true_match or false_positive "
        "(needs --entry and --reason).",
    ),
    entry: str | None = typer.Option(
        None, "--entry", help="The matched list entry to dispose of: LIST_ID:ENTRY_ID or ENTRY_ID."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept with the disposition)."),
    reviewer: str | None = typer.Option(
        None, "--reviewer", help="Who decides (default: the login name)."
    ),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="Person: date or year of birth (YYYY[-MM[-DD]]), to corroborate."
    ),
    nationality: list[str] = typer.Option(
        [], "--nationality", help="Person: nationality/citizenship, compared as an identifier only."
    ),
    ident: list[str] = typer.Option(
        [], "--id", help="Person: identifier TYPE=VALUE (e.g. orcid=0000-0002-1825-0097)."
    ),
    home: Path | None = HOME_OPT,
) -> None:
    """Screen a name (or a CSV of names) against every loaded list.

    With --dispose, record a reviewer's decision on one of the matches; it is stored next to the
    index, reused for this name and entry until the entry changes on the list, and read by
    `detente assess`.

    A person matched by name alone is at most a potential match; --birth-date, --nationality
    and --id let identifiers the list states confirm (hit) or clear it.
    """
    from detente.errors import InputError
    from detente.screening.diligence import screen
    from detente.screening.dispositions import load_all
    from detente.screening.normalize import country_code
    from detente.screening.store import open_index

    if type_ not in {"org", "person"}:
        raise InputError(f"--type must be org or person, not {type_!r}")
    if threshold is not None and not 0 < threshold <= 1:
        raise InputError("--threshold must be in (0, 1]")
    if dispose is not None and input_ is not None:
        raise InputError("--dispose works on one NAME, not with --input")
    if dispose is None and (entry or reason):
        raise InputError("--entry and --reason go with --dispose true_match|false_positive")
    if type_ == "person" and country and input_ is None:
        # silently ignored before: a person's country is not a qualifier (never a risk signal)
        raise InputError(
            "--country qualifies an organisation; for a person give --nationality, which is "
            "compared as an identifier only"
        )
    idx = open_index(home)
    if input_ is not None:
        _batch(input_, output, idx, threshold)
        return
    if not name:
        raise InputError("give a NAME or --input CSV")
    cc = None
    if country:
        cc = country_code(country)
        if cc is None:
            raise InputError(f"--country {country!r} is not a known ISO-2 code or country name")
    from detente.screening.normalize import rules

    hit = threshold if threshold is not None else rules().hit
    ids: dict[str, str] = {}
    for it in ident:
        k, sep, v = it.partition("=")
        if not sep or not k.strip() or not v.strip():
            raise InputError(f"--id {it!r}: expected TYPE=VALUE")
        ids[k.strip().lower()] = v.strip()
    disp = load_all(home)

    def _run() -> ScreeningResult:
        return screen(
            idx,
            name,
            schema=type_,
            country=cc,
            threshold=threshold,
            dispositions=disp,
            birth_date=birth_date,
            nationality=nationality,
            identifiers=ids,
        )

    res = _run()
    if dispose is not None:
        rec = _dispose(res, dispose, entry, reason, reviewer, home)
        disp.add([rec])
        res = _run()
    if as_json:
        console.print_json(res.model_dump_json(by_alias=True))
        return
    console.print(
        f"[{_status_style(res.status)}]{res.status.upper()}[/] {res.name}"
        + (f" ({res.country})" if res.country else "")
    )
    if res.note:
        console.print(f"  {res.note}")
    for m in res.matches:
        tag = "RELATED" if m.related else m.effective_status
        console.print(
            f"  {m.score:.3f} [{m.severity}] {m.list_name} — {m.entry_name!r} via {m.matched_kind} {m.matched_name!r} {tag}",
            markup=False,
        )
        if m.why:
            console.print(f"        why: {m.why}", markup=False)
        for ev in m.evidence:
            console.print(f"        evidence {ev.direction}: {ev.detail}", markup=False)
        console.print(f"        meaning: {m.relation or m.meaning}", markup=False)
        console.print(
            f"        entry {m.entry_id} · programmes {', '.join(m.programmes) or '-'} · listed {m.listing_date or 'unknown'} · source {m.source_id} snapshot {m.snapshot_id}",
            markup=False,
        )
        console.print(
            "        features: "
            + ", ".join(
                f"{f.name}={f.value:g}×{f.weight:g}→{f.contribution:+.3f}" for f in m.features
            ),
            markup=False,
        )
        if m.notice_url:
            console.print(f"        official notice: {m.notice_url}", markup=False)
        console.print(f"        {disposition_line(m, hit)}", markup=False)
        console.print(
            f"        entry key {m.list_id}:{m.entry_id} · fingerprint {m.entry_fingerprint}",
            markup=False,
        )
    for m in res.history:
        console.print(
            f"  history {m.score:.3f} {m.list_name} — {m.entry_name!r} via {m.matched_kind} {m.matched_name!r}",
            markup=False,
        )
        console.print(f"        {m.relation}", markup=False)
    if idx is None:
        err_console.print(
            "No list index: run `detente lists load PATH...` or `detente lists update`."
        )
    elif idx.tables_note:
        err_console.print(f"note: {idx.tables_note}", markup=False)


def disposition_line(m: object, threshold: float) -> str:
    """'automated: …' or 'confirmed by reviewer …' (or an expired disposition) for one match."""
    from detente.model.diligence import ListMatch, automated_status

    assert isinstance(m, ListMatch)
    d = m.disposition
    auto = automated_status(m, threshold)
    if d is None:
        return f"status {auto} (automated; no reviewer disposition)"
    what = "true match" if d.decision == "true_match" else "false positive"
    if d.expired:
        return (
            f"status {auto} (automated): the disposition '{what}' by {d.reviewer} "
            f"({d.decided_at[:10]}) EXPIRED because the list entry changed since"
        )
    return f"status {m.effective_status}: confirmed by reviewer {d.reviewer} ({d.decided_at[:10]}) as {what}: {d.reason}"


def _dispose(
    res: object,
    decision: str,
    entry: str | None,
    reason: str | None,
    reviewer: str | None,
    home: Path | None,
) -> DispositionRecord:
    import getpass

    from detente.errors import InputError
    from detente.model.diligence import ScreeningResult
    from detente.screening.dispositions import make_record, record, subject_key

    assert isinstance(res, ScreeningResult)
    if not entry:
        raise InputError("--dispose needs --entry LIST_ID:ENTRY_ID (shown under each match)")
    cands = [
        m
        for m in [*res.matches, *res.history]
        if entry in (f"{m.list_id}:{m.entry_id}", m.entry_id)
    ]
    if not cands:
        known = ", ".join(f"{m.list_id}:{m.entry_id}" for m in res.matches) or "none"
        raise InputError(
            f"entry {entry!r} is not among the matches of {res.name!r} (matches: {known})"
        )
    m = cands[0]
    try:
        who = reviewer or getpass.getuser()
    except (OSError, KeyError):
        who = ""
    rec = make_record(
        subject=subject_key(res.name, res.schema_),
        entry=f"{m.list_id}:{m.entry_id}",
        fingerprint=m.entry_fingerprint or "",
        decision=decision,
        reason=reason or "",
        reviewer=who,
        where="--dispose",
    )
    path = record(rec, home)
    err_console.print(
        f"recorded {decision} for {res.name!r} / {rec.entry_id} (fingerprint {rec.entry_fingerprint}) in {path}",
        markup=False,
    )
    return rec


def _batch(input_: Path, output: Path | None, idx: object, threshold: float | None) -> None:
    import time

    from detente._yamlio import decode_text
    from detente.errors import InputError, Problem
    from detente.screening.diligence import screen
    from detente.screening.normalize import country_code
    from detente.screening.store import LoadedIndex

    assert idx is None or isinstance(idx, LoadedIndex)
    try:
        raw = input_.read_bytes()
    except OSError as exc:
        raise InputError(f"{input_}: cannot read ({exc})") from None
    text = decode_text(raw, str(input_), "the CSV is not UTF-8 text")
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
        raise InputError(
            f"{input_}: needs a 'name' column",
            problems=[Problem("missing column name", file=str(input_), line=1)],
        )
    rows_out = []
    t0 = time.perf_counter()
    for i, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        if not name:
            raise InputError(
                f"{input_}: empty name",
                problems=[Problem("empty name", file=str(input_), line=i, field="name")],
            )
        typ = (row.get("type") or "org").strip() or "org"
        if typ not in {"org", "person"}:
            raise InputError(
                f"{input_}: bad type",
                problems=[
                    Problem(
                        f"type must be org or person, not {typ!r}",
                        file=str(input_),
                        line=i,
                        field="type",
                    )
                ],
            )
        c_raw = (row.get("country") or "").strip()
        cc = country_code(c_raw) if c_raw else None
        if c_raw and cc is None:
            raise InputError(
                f"{input_}: unknown country",
                problems=[
                    Problem(f"unknown country {c_raw!r}", file=str(input_), line=i, field="country")
                ],
            )
        aliases = [a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()]
        res = screen(idx, name, schema=typ, country=cc, aliases=aliases, threshold=threshold)
        best = res.matches[0] if res.matches else None
        rows_out.append(
            {
                "name": name,
                "type": typ,
                "country": cc or "",
                "status": res.status,
                "score": f"{best.score:.3f}" if best else "",
                "list": best.list_id if best else "",
                "severity": best.severity if best else "",
                "entry_id": best.entry_id if best else "",
                "entry_name": best.entry_name if best else "",
                "matched_name": best.matched_name if best else "",
                "source": best.source_id if best else "",
                "snapshot": best.snapshot_id or "" if best else "",
                "meaning": (best.relation or best.meaning) if best else res.note,
            }
        )
    dt = time.perf_counter() - t0
    fields = [
        "name",
        "type",
        "country",
        "status",
        "score",
        "list",
        "severity",
        "entry_id",
        "entry_name",
        "matched_name",
        "source",
        "snapshot",
        "meaning",
    ]
    if output:
        with output.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(rows_out)
    else:
        w = csv.DictWriter(typer.get_text_stream("stdout"), fieldnames=fields)
        w.writeheader()
        w.writerows(rows_out)
    counts: dict[str, int] = {}
    for r in rows_out:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    err_console.print(
        f"screened {len(rows_out)} names in {dt:.2f}s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )


@lists_app.command("load")
@cli_errors
def lists_load(
    paths: list[Path] = typer.Argument(
        ...,
        help="List files, or folders of them (the source is detected from name and content); a folder with no list files is read one level down.",
    ),
    source: str | None = typer.Option(
        None, "--source", help="Source id from the registry (see `lists sources`)."
    ),
    published: str | None = typer.Option(
        None, "--published", help="Publication date of these files (YYYY-MM-DD), if known."
    ),
    home: Path | None = HOME_OPT,
) -> None:
    """Load local list files as new snapshots and rebuild the index."""
    import time

    from detente.errors import InputError
    from detente.screening.store import index_path, load_paths

    if published:
        try:
            date.fromisoformat(published)
        except ValueError:
            raise InputError(f"--published {published!r} is not a YYYY-MM-DD date") from None
    t0 = time.perf_counter()
    manifests = load_paths(
        paths, source=source, retrieved_at=_now(), home=home, published=published
    )
    for m in manifests:
        console.print(
            f"loaded {m.source_id}: {m.entries} entries ({', '.join(f'{k} {v}' for k, v in m.lists.items())}) snapshot {m.snapshot_id} published {m.published or 'unknown'}"
        )
        for n in m.notes:
            console.print(f"  note: {n}", markup=False)
    console.print(f"index rebuilt: {index_path(home)} in {time.perf_counter() - t0:.1f}s")


@lists_app.command("update")
@cli_errors
def lists_update(
    sources: list[str] = typer.Argument(None, help="Source ids (default: all with download URLs)."),
    mirror: str | None = typer.Option(
        None,
        "--mirror",
        help="Fetch <mirror>/<source>/<file> instead of the official URLs (testing, air-gapped mirrors).",
    ),
    timeout: float = typer.Option(60.0, "--timeout"),
    retries: int = typer.Option(2, "--retries"),
    force: bool = typer.Option(
        False, "--force", help="Accept a download that shrinks the list by more than half."
    ),
    home: Path | None = HOME_OPT,
) -> None:
    """Download lists from their official URLs; a failed or partial download keeps the previous snapshot."""
    from detente.screening.update import update_sources

    url_for = None
    if mirror:
        base = mirror.rstrip("/")

        def url_for(spec: object, name: str, url: str) -> str:
            from detente.screening.registry import SourceSpec

            assert isinstance(spec, SourceSpec)
            return f"{base}/{spec.id}/{name}"

    outcomes = update_sources(
        sources or None,
        home=home,
        now=_now(),
        url_for=url_for,
        timeout=timeout,
        retries=retries,
        force=force,
    )
    failed = 0
    for o in outcomes:
        style = "yellow" if o.skipped else ("green" if o.ok else "bold red")
        tag = "SKIP" if o.skipped else ("OK  " if o.ok else "FAIL")
        console.print(f"[{style}]{tag}[/] {o.source_id}: ", end="")
        console.print(o.message, markup=False)
        failed += not o.ok
    if failed:
        raise typer.Exit(1)


@lists_app.command("status")
@cli_errors
def lists_status(
    max_age_days: int = typer.Option(90, "--max-age-days"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date to measure age against (default today)."
    ),
    as_json: bool = typer.Option(False, "--json"),
    home: Path | None = HOME_OPT,
) -> None:
    """What is loaded, how old it is, and which lists are not checked."""
    from rich.table import Table

    from detente.errors import InputError
    from detente.screening.diligence import coverage, jurisdiction_summary, versions
    from detente.screening.registry import load_registry
    from detente.screening.store import index_path, open_index

    try:
        when = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    reg = load_registry()
    idx = open_index(home)
    vs = versions(idx, reg, when, max_age_days)
    cov = coverage(idx, reg)
    sides = jurisdiction_summary(cov)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "index": str(index_path(home)) if idx else None,
                    "versions": [v.model_dump() for v in vs],
                    "coverage": [c.model_dump() for c in cov],
                    "jurisdictions": sides,
                }
            )
        )
        return
    if idx is None:
        console.print(
            "[bold red]No list index[/]: nothing is checked. Run `detente lists load PATH...` or `detente lists update`."
        )
    else:
        console.print(
            f"index {index_path(home)} built {idx.meta.get('built_at')} · {len(idx.matcher.entries)} entries · {len(idx.matcher.names)} names"
        )
    t = Table(
        "source",
        "snapshot",
        "published",
        "retrieved",
        "age (d)",
        "entries",
        "stale",
        title="Loaded snapshots",
    )
    for v in vs:
        t.add_row(
            v.source_id,
            v.snapshot_id,
            v.published or "unknown",
            v.retrieved_at[:10],
            "?" if v.age_days is None else str(v.age_days),
            str(sum(v.lists.values())),
            "[red]STALE[/]" if v.stale else "ok",
        )
    console.print(t)
    t2 = Table("binds", "list", "severity", "status", "sources", title="Coverage")
    for c in sorted(
        cov, key=lambda c: (c.jurisdiction != "US", c.jurisdiction != "CN", c.jurisdiction)
    ):
        st = {
            "checked": "[green]checked[/]",
            "partial": "[yellow]partial[/]",
            "not_checked": "[bold red]NOT CHECKED[/]",
        }[c.status]
        t2.add_row(
            c.jurisdiction or "user", c.list_name, c.severity, st, ", ".join(c.sources) or c.reason
        )
    console.print(t2)
    for j, text in sides.items():
        console.print(f"{j} lists (bind {j} parties): {text}", markup=False)


@lists_app.command("diff")
@cli_errors
def lists_diff(
    source: str = typer.Argument(..., help="Source id."),
    old: str = typer.Argument("previous", help="Snapshot id/prefix, or 'previous'."),
    new: str = typer.Argument("current", help="Snapshot id/prefix, or 'current'."),
    limit: int = typer.Option(50, "--limit"),
    home: Path | None = HOME_OPT,
) -> None:
    """Entries added and removed between two snapshots of a source."""
    from detente.screening.store import diff_snapshots, resolve_snapshot

    a = resolve_snapshot(source, old, home)
    b = resolve_snapshot(source, new, home)
    added, removed = diff_snapshots(source, a, b, home)
    console.print(f"{source}: {a} -> {b}: {len(added)} added, {len(removed)} removed")
    for e in added[:limit]:
        console.print(f"  + [{e.list_id}] {e.name}", markup=False)
    for e in removed[:limit]:
        console.print(f"  - [{e.list_id}] {e.name}", markup=False)


@lists_app.command("sources")
@cli_errors
def lists_sources() -> None:
    """The source registry: lists, what a hit means, formats, URLs and licences."""
    from detente.screening.registry import load_registry

    reg = load_registry()
    for s in reg.sources:
        console.print(f"[bold]{s.id}[/] ({s.format}) — {s.title}")
        console.print(f"  licence: {s.licence}", markup=False)
        console.print(
            "  lists: "
            + ", ".join(
                f"{p.list}{'' if p.coverage == 'complete' else ' (partial)'}" for p in s.provides
            ),
            markup=False,
        )
        for n, u in s.files.items():
            console.print(f"  {n}: {u}", markup=False)
        if not s.published_as_data:
            console.print(
                "  not published as data: " + " ".join(s.publication_note.split()), markup=False
            )
        for u in s.notices:
            console.print(f"  official notices: {u}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    app.command("screen")(screen_cmd)
    app.add_typer(lists_app, name="lists")
