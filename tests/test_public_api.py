"""The public API is the curated ``detente`` namespace; importing the CLI stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import detente

# The curated public namespace, pinned exactly (httpx's test_exported_members): adding or removing
# a public name is a deliberate change to this list, the module docstring and the CHANGELOG.
EXPORTED = [
    "Assessment",
    "AuthenticationError",
    "ConflictError",
    "DataSourceError",
    "DetenteError",
    "Framework",
    "FrameworkError",
    "InputError",
    "IntegrityError",
    "ListFormatError",
    "MissingExtraError",
    "NotFoundError",
    "Party",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Person",
    "Proposal",
    "ProposalError",
    "RecordFormatError",
    "__version__",
    "assess",
    "get_framework",
    "load_framework",
    "load_proposal",
    "parse_proposal",
    "render",
]


def test_exported_members() -> None:
    assert detente.__all__ == EXPORTED
    assert sorted(dir(detente)) == sorted(EXPORTED)


def test_version_is_single_sourced() -> None:
    assert detente.__version__ == version("detente")
    source = (Path(detente.__file__).parent / "_version.py").read_text(encoding="utf-8")
    assert re.search(r"\d+\.\d+", source) is None, "the version is written only in pyproject.toml"


def test_every_public_name_resolves() -> None:
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


def test_unknown_names_raise_attribute_error() -> None:
    try:
        detente.does_not_exist  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_errors_form_one_hierarchy() -> None:
    errors = [getattr(detente, n) for n in detente.__all__ if n.endswith("Error")]
    assert all(issubclass(e, detente.DetenteError) for e in errors)


def test_cli_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, detente.cli.main\n"
        "heavy = [m for m in ('detente.assessment.engine', 'duckdb', 'sklearn', 'fastapi', "
        "'sqlalchemy', 'matplotlib', 'pyspark', 'weasyprint') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_python_m_detente_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "detente", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"detente {detente.__version__}"
