"""Shared bits of the CLI: error reporting and consoles."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from detente.errors import DetenteError, exit_code_for

P = ParamSpec("P")
R = TypeVar("R")

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(exc: DetenteError) -> None:
    err_console.print("[bold red]error:[/] ", end="", markup=True)
    err_console.print(str(exc), markup=False)


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn DetenteError into one message on stderr and its exit code (2 for bad input)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DetenteError as exc:
            print_error(exc)
            raise typer.Exit(exit_code_for(exc)) from None

    return wrapper


def emit(text: str, out: Path | None) -> None:
    """Print *text* to stdout, or write it to *out* and say so."""
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")


def needs_extra(extra: str, what: str) -> None:
    """Exit 2 with ``pip install 'detente[<extra>]'`` when an optional extra is not installed."""
    from detente import registry
    from detente.errors import MissingExtraError

    try:
        registry.require_extra(extra, what)
    except MissingExtraError as exc:
        print_error(exc)
        raise typer.Exit(2) from None
