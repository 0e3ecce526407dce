"""The import graph has no arrow pointing up (design/contracts.md).

Every module of ``src/detente`` belongs to a layer; a module may import its own layer and the
layers below, never one above.  Imports are read with ``ast`` (function-level imports included: a
lazy import is still a dependency), so the test needs no optional dependency installed.  Imports
under ``if TYPE_CHECKING:`` are not arrows of the running program and may name a higher layer's
types (a plugin protocol naming the Assessment it receives); ``detente.model`` has none at all.
A new top-level package must be placed in :data:`LAYERS`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PKG = SRC / "detente"

#: Lowest first.  Capabilities in one layer may import each other (no cycle is checked here).
LAYERS: list[tuple[str, frozenset[str]]] = [
    ("contracts", frozenset({"model"})),
    (
        "infrastructure",
        frozenset(
            {"_version", "errors", "_retry", "_yamlio", "registry", "_construct", "_gcpause"}
        ),
    ),
    ("data", frozenset({"framework"})),
    ("capabilities", frozenset({"assessment", "screening", "landscape", "packs", "researcher"})),
    ("pipeline", frozenset({"pipeline"})),
    ("report", frozenset({"report"})),
    ("store", frozenset({"store"})),
    ("doors", frozenset({"web", "cli"})),
    ("facade", frozenset({"__init__", "__main__"})),  # detente/__init__.py: lazy re-exports
]
RANK = {top: i for i, (_, tops) in enumerate(LAYERS) for top in tops}
LAYER_NAME = {top: name for name, tops in LAYERS for top in tops}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top(module: str) -> str:
    """The top-level part of a ``detente.*`` module ('__init__' for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:])
    return (PKG / rel).with_suffix(".py").is_file() or (PKG / rel / "__init__.py").is_file()


def _type_only_lines(tree: ast.AST) -> set[int]:
    """Lines of the statements under ``if TYPE_CHECKING:``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _imports(path: Path, *, type_only: bool = True) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the file, relative imports resolved
    (without the ``TYPE_CHECKING`` ones when ``type_only`` is False)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    skip = set() if type_only else _type_only_lines(tree)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            # ``from detente import landscape`` imports the subpackage detente.landscape
            for a in node.names:
                if _is_module(f"{mod}.{a.name}") and mod.startswith("detente"):
                    out.append((node.lineno, f"{mod}.{a.name}"))
    return out


MODULES = sorted(PKG.rglob("*.py"))


def test_every_module_is_in_a_layer() -> None:
    unplaced = sorted(
        {_top(_module_name(p)) for p in MODULES} - set(RANK),
    )
    assert not unplaced, f"place these top-level modules in LAYERS: {unplaced}"


def _upward(me: str, imports: list[tuple[int, str]]) -> list[str]:
    """The imports of module ``me`` that point to a higher layer."""
    mine = _top(me)
    up = []
    for line, mod in imports:
        if not mod.startswith("detente."):
            continue  # third party, stdlib, or the package itself (lazy facade names)
        theirs = _top(mod)
        if RANK.get(theirs, -1) > RANK[mine]:
            up.append(f"{me}:{line} imports {mod} ({LAYER_NAME[mine]} -> {LAYER_NAME[theirs]})")
    return up


@pytest.mark.parametrize("path", MODULES, ids=[_module_name(p) for p in MODULES])
def test_no_import_points_up(path: Path) -> None:
    up = _upward(_module_name(path), _imports(path, type_only=False))
    assert not up, "imports pointing up a layer:\n" + "\n".join(up)


def test_the_contracts_layer_imports_only_pydantic_and_the_standard_library() -> None:
    allowed = {"pydantic", "__future__", *sys.stdlib_module_names}
    bad = []
    for path in sorted((PKG / "model").rglob("*.py")):
        for line, mod in _imports(path):
            root = mod.split(".")[0]
            if mod.startswith("detente.") and mod.startswith("detente.model"):
                continue
            if root not in allowed or root == "detente":
                bad.append(f"{path.relative_to(SRC)}:{line} imports {mod}")
    assert not bad, "detente.model must import only pydantic, stdlib and itself:\n" + "\n".join(bad)


def test_the_checker_sees_an_upward_import() -> None:
    """The test can fail: the old framework -> assessment arrow would be reported."""
    assert RANK["model"] < RANK["framework"] < RANK["assessment"] < RANK["pipeline"]
    assert RANK["pipeline"] < RANK["report"] < RANK["store"] < RANK["web"]
    assert _upward("detente.framework.loader", [(14, "detente.assessment.features")])
    assert _upward("detente.model.proposal", [(1, "detente.errors")])
    assert not _upward("detente.report.diligence", [(1, "detente.model.diligence")])
    assert not _upward("detente.screening.store", [(1, "detente.assessment.engine")])
    # relative and ``from detente import x`` imports are resolved to the module they name
    found = [m for _, m in _imports(PKG / "pipeline.py")]
    assert "detente.assessment.engine" in found
    # the pipeline's ``if TYPE_CHECKING:`` import is left out of the runtime arrows only
    runtime = [m for _, m in _imports(PKG / "pipeline.py", type_only=False)]
    assert "detente.assessment.infer" in found and "detente.assessment.infer" not in runtime
