"""Entry point of the ``detente`` command.

Each capability contributes its commands from its own module in this package;
this file only assembles them and turns :class:`~detente.errors.DetenteError`
into one readable line on stderr and an exit code (2 for bad input).
"""

from __future__ import annotations

import sys

import typer

from detente._version import __version__
from detente.cli import assess as _assess
from detente.cli import framework as _framework
from detente.cli import landscape as _landscape
from detente.cli import packs as _packs
from detente.cli import plan as _plan
from detente.cli import providers as _providers
from detente.cli import screening as _screening
from detente.cli import web as _web
from detente.cli._common import print_error
from detente.errors import DetenteError, exit_code_for

app = typer.Typer(
    name="detente",
    help="Détente: decide whether, and how, to cooperate across geopolitical lines "
    "on technical AI-safety research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Détente command line."""


_assess.register(app)
_plan.register(app)
_framework.register(app)
_screening.register(app)
_landscape.register(app)
_web.register(app)
_packs.register(app)
_providers.register(app)


def report_error(exc: DetenteError) -> int:
    print_error(exc)
    return exit_code_for(exc)


def run() -> None:
    """Console-script entry point: no tracebacks for errors made by people."""
    try:
        app(standalone_mode=True)
    except DetenteError as exc:  # raised outside a command's own handling
        sys.exit(report_error(exc))


if __name__ == "__main__":  # pragma: no cover
    run()
