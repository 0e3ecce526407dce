"""``detente plan``: the mitigation plan of a proposal, as files an office can edit and adopt."""

from __future__ import annotations

from pathlib import Path

import typer

from detente.cli._common import cli_errors, console
from detente.errors import InputError

PLAN_FORMAT_HELP = "Plan formats to write (repeatable): md, html, pdf, docx."


@cli_errors
def plan_cmd(
    proposal: Path = typer.Argument(..., help="A proposal file (YAML/JSON)."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder to write the plan into."),
    fmt: list[str] = typer.Option(["docx", "pdf"], "--format", "-f", help=PLAN_FORMAT_HELP),
    paper: str = typer.Option("A4", "--paper", help="Paper size of the PDF: A4 or letter."),
    screen: bool = typer.Option(
        True, "--screen/--no-screen", help="Screen parties against loaded lists."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date (YYYY-MM-DD) the due diligence is stated as of; default today."
    ),
) -> None:
    """Write the mitigation plan: each measure, what it mitigates, who is responsible, how it is checked."""
    from datetime import date

    from detente.assessment.loader import load_proposal
    from detente.framework.loader import get_framework
    from detente.pipeline import AssessOptions, run_assessment
    from detente.report import PAPERS
    from detente.report.plan import PLAN_FORMATS, mitigation_plan, render_plan

    bad = [f for f in fmt if f not in PLAN_FORMATS]
    if bad:
        raise InputError(f"unknown plan format {bad[0]!r} (use {', '.join(PLAN_FORMATS)})")
    if paper not in PAPERS:
        raise InputError(f"--paper {paper!r}: use A4 or letter")
    if "pdf" in fmt:
        from detente.registry import require_extra

        require_extra("pdf", "a PDF plan")
    try:
        as_of_date = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    fw = get_framework()
    p = load_proposal(proposal, fw)
    a = run_assessment(p, fw, AssessOptions(as_of=as_of_date, screen=screen)).assessment
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in dict.fromkeys(fmt):
        target = out / f"{proposal.stem}-plan.{kind}"
        target.write_bytes(render_plan(a, kind, paper=paper))
        written.append(str(target))
    plan = mitigation_plan(a)
    console.print(
        f"Mitigation plan for {a.proposal_title!r}: {len(plan.measures)} measure(s), "
        f"owners {', '.join(plan.owners()) or 'none'}."
    )
    for w in written:
        console.print(f"  wrote {w}")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
