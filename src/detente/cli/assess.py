"""``detente assess`` and ``detente schema``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from detente.cli._common import cli_errors, console, err_console, print_error
from detente.errors import DetenteError, InputError, exit_code_for

if TYPE_CHECKING:
    from detente.assessment.infer import AreaClassifier

FORMAT_HELP = (
    "Report formats to write with --out (repeatable): json, md, html, text, pdf (the pdf extra) "
    "or any renderer a plugin registers (`detente providers renderer`)."
)


def assess_cmd(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Proposal files (YAML/JSON) or folders of them."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write reports into this folder."),
    fmt: list[str] = typer.Option(["json", "md", "html"], "--format", "-f", help=FORMAT_HELP),
    framework: Path | None = typer.Option(
        None, "--framework", help="Load an alternative framework file."
    ),
    screen: bool = typer.Option(
        True, "--screen/--no-screen", help="Screen parties against loaded lists."
    ),
    landscape: bool = typer.Option(
        False, "--landscape/--no-landscape", help="Add the co-authorship landscape section."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary table."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date (YYYY-MM-DD) the due diligence is stated as of; default today."
    ),
    max_age_days: int = typer.Option(
        90, "--max-list-age", help="Flag list snapshots older than this (days)."
    ),
    dispositions: list[Path] = typer.Option(
        [],
        "--dispositions",
        help="Reviewers' dispositions (YAML or CSV: subject, entry, entry_fingerprint, decision, "
        "reason, reviewer); used with those recorded by `detente screen --dispose`.",
    ),
    paper: str = typer.Option("A4", "--paper", help="Paper size of PDF reports: A4 or letter."),
    infer_areas: str = typer.Option(
        "keywords",
        "--infer-areas",
        help="How to place proposals that declare no area: keywords, or classifier "
        "(the model of `detente landscape classifier train`, with keywords as fallback).",
    ),
) -> None:
    """Assess cooperation proposals and write reports you can file."""
    from detente import registry
    from detente.assessment.loader import iter_proposal_files, load_proposal
    from detente.framework.loader import get_framework
    from detente.pipeline import AssessOptions, area_classifier, run_assessment
    from detente.report import render_bytes
    from detente.report.terminal import assessment_renderable, summary_table

    try:
        fw = get_framework(framework)
    except DetenteError as exc:
        print_error(exc)
        raise typer.Exit(exit_code_for(exc)) from None
    try:  # every format known and its extra installed before anything is assessed
        renderers = {kind: registry.get("renderer", kind) for kind in dict.fromkeys(fmt)}
    except DetenteError as exc:
        print_error(exc)
        raise typer.Exit(exit_code_for(exc)) from None
    fmt_source = ctx.get_parameter_source("fmt")
    if out is None and fmt_source is not None and fmt_source.name == "COMMANDLINE":
        print_error(InputError("--format writes report files only with --out DIR; give --out"))
        raise typer.Exit(2)
    try:
        as_of_date = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        print_error(InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)"))
        raise typer.Exit(2) from None
    if paper not in ("A4", "letter"):
        print_error(InputError(f"--paper {paper!r}: use A4 or letter"))
        raise typer.Exit(2)
    if infer_areas not in ("keywords", "classifier"):
        print_error(InputError(f"--infer-areas {infer_areas!r}: use keywords or classifier"))
        raise typer.Exit(2)
    disp = None
    if dispositions and screen:
        from detente.screening.dispositions import load_all

        try:
            disp = load_all(files=dispositions)
        except DetenteError as exc:
            print_error(exc)
            raise typer.Exit(exit_code_for(exc)) from None
    options = AssessOptions(
        as_of=as_of_date,
        max_list_age_days=max_age_days,
        screen=screen,
        landscape=landscape,
        dispositions=disp,
        infer_areas=infer_areas,
    )
    try:  # the model is loaded once for the whole batch, not per proposal
        classifier: AreaClassifier | None = area_classifier(options)
    except DetenteError as exc:
        print_error(exc)
        raise typer.Exit(exit_code_for(exc)) from None
    options = replace(options, area_classifier=classifier)
    files = list(iter_proposal_files(paths))
    if not files:
        print_error(InputError("no proposal files (.yaml, .yml, .json) found in the given paths"))
        raise typer.Exit(2)
    results = []
    failures: list[tuple[Path, DetenteError]] = []
    for f in files:
        try:
            result = run_assessment(load_proposal(f, fw), fw, options).assessment
        except DetenteError as exc:
            failures.append((f, exc))
            continue
        results.append((f, result))
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            stem = f.stem
            for kind, renderer in renderers.items():
                (out / f"{stem}{renderer.suffix}").write_bytes(
                    render_bytes(result, kind, paper=paper)
                )
    if len(files) == 1 and results and not quiet:
        console.print(assessment_renderable(results[0][1]))
    elif results:
        console.print(summary_table([(f.stem, a) for f, a in results]))
    if out is not None and results:
        console.print(f"Reports written to {out}/ ({', '.join(dict.fromkeys(fmt))}).")
    if failures:
        err_console.print(
            f"\n[bold red]{len(failures)} of {len(files)} proposal(s) could not be assessed:[/]"
        )
        for _f, failure in failures:
            print_error(failure)
        raise typer.Exit(max(exit_code_for(e) for _f, e in failures))


@cli_errors
def schema_cmd(
    what: str = typer.Argument("proposal", help="proposal | assessment"),
) -> None:
    """Print the JSON Schema of a proposal (or of an assessment)."""
    from detente.assessment.result import Assessment
    from detente.model.proposal import Proposal

    models: dict[str, Any] = {"proposal": Proposal, "assessment": Assessment}
    if what not in models:
        raise InputError(f"unknown schema {what!r} (use proposal or assessment)")
    if what == "proposal":
        from detente.assessment.schema import proposal_json_schema

        schema = proposal_json_schema()  # area, sub-topic and safeguard ids as enums
    else:
        schema = models[what].model_json_schema(by_alias=True)
    typer.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@cli_errors
def reproduce_cmd(
    report: Path = typer.Argument(
        ..., help="A stored assessment JSON (from `detente assess --format json`)."
    ),
    framework: Path | None = typer.Option(
        None, "--framework", help="Framework file to re-compute with."
    ),
) -> None:
    """Re-compute a stored assessment and check it is identical (exit 1 if it is not)."""
    from detente._yamlio import decode_text
    from detente.assessment.engine import reproduce
    from detente.assessment.result import Assessment
    from detente.errors import NotFoundError, ProposalError
    from detente.framework.loader import get_framework
    from detente.report import render_json

    if not report.is_file():
        raise NotFoundError(f"{report}: no such file")
    text = decode_text(
        report.read_bytes(),
        str(report),
        "not a Détente assessment JSON (not UTF-8 text)",
        ProposalError,
        encoding="utf-8",
    )
    try:
        stored = Assessment.model_validate_json(text)
    except ValueError as exc:
        raise ProposalError(
            f"{report}: not a Détente assessment JSON ({str(exc).splitlines()[0]})"
        ) from None
    again, diffs = reproduce(stored, get_framework(framework))
    for d in diffs:
        console.print(f"[yellow]version differs[/] {d}")
    if render_json(again) == render_json(stored):
        console.print(
            f"[green]identical[/]: {report} re-computes byte for byte ({again.verdict.label})."
        )
        return
    console.print(
        f"[red]different[/]: re-computing {report} gives {again.verdict.label}, recorded {stored.verdict.label}."
    )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess_cmd)
    app.command("reproduce")(reproduce_cmd)
    app.command("schema")(schema_cmd)
