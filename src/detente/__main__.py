"""``python -m detente``: the same as the ``detente`` command."""

from detente.cli.main import run

if __name__ == "__main__":  # pragma: no cover
    run()
