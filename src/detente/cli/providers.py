"""``detente providers``: the registered renderers, list loaders, enrichers and pack sources."""

from __future__ import annotations

import typer

from detente.cli._common import cli_errors, console


@cli_errors
def providers_cmd(
    kind: str | None = typer.Argument(
        None, help="Only one kind: renderer, list_loader, enricher or pack."
    ),
) -> None:
    """List the registered providers: who declared each, its version, and whether it can run."""
    from rich.table import Table

    from detente import registry
    from detente.errors import InputError, MissingExtraError

    kinds = list(registry.GROUPS)
    if kind is not None:
        if kind not in kinds:
            raise InputError(f"unknown kind {kind!r} (use {', '.join(kinds)})")
        kinds = [kind]
    table = Table(title="Détente providers")
    for col in ("kind", "name", "distribution", "version", "status", "what"):
        table.add_column(col)
    for k in kinds:
        for name in registry.names(k):
            s = registry.stamp(k, name)
            try:
                p = registry.get(k, name)
                status, what = "ready", str(p.description)
            except MissingExtraError as exc:
                status, what = f"needs [{exc.extra}]", exc.message
            table.add_row(k, name, s.distribution, s.version, status, what)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("providers")(providers_cmd)
