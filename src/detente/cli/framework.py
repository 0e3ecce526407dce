"""``detente framework show|export``."""

from __future__ import annotations

from pathlib import Path

import typer

from detente.cli._common import cli_errors, console, emit
from detente.errors import InputError

framework_app = typer.Typer(
    help="Show or export the framework, its rules and safeguards.", no_args_is_help=True
)


@framework_app.command("show")
@cli_errors
def show(
    framework: Path | None = typer.Option(
        None, "--framework", help="Load an alternative framework file."
    ),
    safeguards: bool = typer.Option(
        False, "--safeguards", help="Also list the safeguard catalogue."
    ),
    rules: bool = typer.Option(False, "--rules", help="Also list the rules."),
) -> None:
    """Draw the areas × risks matrix (the paper's Figure 2) in the terminal."""
    from rich.table import Table

    from detente.framework.loader import get_framework
    from detente.report.terminal import framework_matrix

    fw = get_framework(framework)
    console.print(framework_matrix(fw))
    if rules:
        t = Table(title=f"Rules ({fw.rules.id} {fw.rules.version})")
        for col in ("id", "risk", "areas", "effect", "reason"):
            t.add_column(col, overflow="fold")
        for r in fw.rules.rules:
            t.add_row(
                r.id, fw.risk_index[r.risk].short, ", ".join(r.areas), r.effect.describe(), r.reason
            )
        console.print(t)
    if safeguards:
        t = Table(title=f"Safeguards ({fw.catalogue.id} {fw.catalogue.version})")
        for col in ("id", "name", "counters"):
            t.add_column(col, overflow="fold")
        for s in fw.catalogue.safeguards:
            t.add_row(s.id, s.name, ", ".join(s.counters))
        console.print(t)


@framework_app.command("export")
@cli_errors
def export(
    fmt: str = typer.Option("json", "--format", "-f", help="json or md"),
    framework: Path | None = typer.Option(
        None, "--framework", help="Load an alternative framework file."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file instead of stdout."
    ),
) -> None:
    """Export the framework with its rules and safeguards (JSON, or Markdown documentation)."""
    from detente.framework.export import export_json, export_markdown
    from detente.framework.loader import get_framework

    fw = get_framework(framework)
    if fmt == "json":
        text = export_json(fw)
    elif fmt == "md":
        text = export_markdown(fw)
    else:
        raise InputError(f"unknown format {fmt!r} (use json or md)")
    emit(text, out)


def register(app: typer.Typer) -> None:
    app.add_typer(framework_app, name="framework")
