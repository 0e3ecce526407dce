"""``python -m detente``: the same CLI as the ``detente`` console script."""

from __future__ import annotations

from detente.cli.main import run

if __name__ == "__main__":  # pragma: no cover
    run()
