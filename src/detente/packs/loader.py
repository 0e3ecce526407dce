"""Load and validate the research-security rule packs (one YAML file per pack)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from detente._yamlio import line_for, parse_document, path_str, validate_document
from detente.errors import FrameworkError, NotFoundError, Problem
from detente.packs.checks import CHECKS
from detente.packs.model import Pack


def default_packs_dir() -> Path:
    return Path(str(resources.files("detente.packs") / "data"))


def load_pack_file(path: Path) -> Pack:
    """Parse and validate one pack file; errors name the file, line and field."""
    if not path.is_file():
        raise NotFoundError(f"{path}: pack file not found")
    source = str(path)
    text = path.read_text(encoding="utf-8")
    data, lines = parse_document(text, source, FrameworkError, "rule pack")
    pack = validate_document(Pack, data, source, lines, FrameworkError, "rule pack")
    problems = []
    for vi, v in enumerate(pack.versions):
        for ci, c in enumerate(v.clauses):
            cloc: tuple[str | int, ...] = ("versions", vi, "clauses", ci, "check")
            spec = CHECKS.get(c.check)
            if spec is None:
                problems.append(
                    Problem(
                        f"unknown check {c.check!r} (known: {', '.join(sorted(CHECKS))})",
                        file=source,
                        line=line_for(lines, cloc),
                        field=path_str(cloc),
                    )
                )
                continue
            unknown = sorted(set(c.params) - set(spec.params))
            if unknown:
                ploc: tuple[str | int, ...] = ("versions", vi, "clauses", ci, "params")
                problems.append(
                    Problem(
                        f"check {c.check!r} takes no parameter {unknown[0]!r} "
                        f"(it takes: {', '.join(sorted(spec.params)) or 'none'})",
                        file=source,
                        line=line_for(lines, ploc),
                        field=path_str(ploc),
                    )
                )
    if problems:
        raise FrameworkError(f"{source}: not a valid rule pack", problems=problems)
    return pack


def registered_pack_paths() -> list[Path]:
    """Files and folders of every registered pack source (``detente.packs`` entry points)."""
    from detente import registry

    out: list[Path] = []
    for _name, source in registry.all_of("pack"):
        out.extend(source.paths())
    return out


def load_packs(paths: Iterable[Path] | None = None) -> list[Pack]:
    """Load packs from files or folders (default: every registered pack source), sorted by id."""
    files: list[Path] = []
    for p in paths if paths is not None else registered_pack_paths():
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml")))
        else:
            files.append(p)
    packs = [load_pack_file(f) for f in files]
    seen: dict[str, Path] = {}
    for pack, f in zip(packs, files, strict=True):
        if pack.id in seen:
            raise FrameworkError(
                f"{f}: pack id {pack.id!r} is also used by {seen[pack.id]}",
                problems=[Problem("duplicate pack id", file=str(f), field="id")],
            )
        seen[pack.id] = f
    return sorted(packs, key=lambda p: p.id)


def bundled_packs() -> tuple[Pack, ...]:
    """The packs of every registered pack source (read once per change of the registry)."""
    from detente import registry

    return _registered_packs(registry.generation())


@lru_cache(maxsize=1)
def _registered_packs(generation: int) -> tuple[Pack, ...]:
    return tuple(load_packs())


def get_pack(pack_id: str, packs: Iterable[Pack] | None = None) -> Pack:
    for p in packs if packs is not None else bundled_packs():
        if p.id == pack_id:
            return p
    raise NotFoundError(f"no rule pack {pack_id!r} (see `detente packs list`)")
