"""The version, single-sourced from the installed distribution's metadata (``pyproject.toml``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("detente")
except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path without installing
    __version__ = "0+unknown"
