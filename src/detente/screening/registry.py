"""The source registry: which lists exist, what a hit means, and which files feed them.

Read from ``data/sources.yaml`` (or a file the caller names) and validated with pydantic, so a
broken registry fails loudly with the field that is wrong.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from detente.errors import FrameworkError, NotFoundError, Problem


class Severity(StrEnum):
    blocking = "blocking"
    restricting = "restricting"
    informational = "informational"


SEVERITY_RANK = {Severity.blocking: 3, Severity.restricting: 2, Severity.informational: 1}


def _registered_format(name: str) -> str:
    from detente import registry

    known = registry.names("list_loader")
    if name not in known:
        raise ValueError(f"unknown list format {name!r} (registered: {', '.join(known)})")
    return name


Format = Annotated[str, AfterValidator(_registered_format)]
"""The name of a registered list loader (``detente.list_loaders`` entry points)."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListSpec(_M):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    authority: str
    jurisdiction: str = Field(
        description="ISO-2 code of the jurisdiction whose persons and institutions the list binds "
        "(US lists bind US parties, China's lists Chinese parties); each side's due diligence "
        "applies the lists of its own jurisdiction"
    )
    severity: Severity
    meaning: str
    official_url: str


class Provides(_M):
    list: str
    coverage: Literal["complete", "partial"] = "complete"


class SourceSpec(_M):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    format: Format
    provides: list[Provides]
    licence: str
    files: dict[str, str] = Field(default_factory=dict, description="file name -> download URL")
    required: list[str] = Field(default_factory=list)
    published_as_data: bool = Field(
        True,
        description="False when the issuing authority publishes no structured data (only notices); "
        "`lists update` then says so and where the notices are",
    )
    notices: list[str] = Field(
        default_factory=list, description="Where the official notices are published"
    )
    publication_note: str = ""


class Registry(_M):
    version: str
    lists: list[ListSpec]
    sources: list[SourceSpec]

    @model_validator(mode="after")
    def _refs(self) -> Registry:
        ids = {x.id for x in self.lists}
        if len(ids) != len(self.lists):
            raise ValueError("two lists share an id")
        sids = [s.id for s in self.sources]
        if len(set(sids)) != len(sids):
            raise ValueError("two sources share an id")
        for s in self.sources:
            for p in s.provides:
                if p.list not in ids:
                    raise ValueError(f"source {s.id!r} provides unknown list {p.list!r}")
            for r in s.required:
                if r not in s.files:
                    raise ValueError(f"source {s.id!r} requires {r!r}, which is not in its files")
        return self

    def list_spec(self, list_id: str) -> ListSpec:
        for x in self.lists:
            if x.id == list_id:
                return x
        raise NotFoundError(f"unknown list {list_id!r}")

    def source(self, source_id: str) -> SourceSpec:
        for s in self.sources:
            if s.id == source_id:
                return s
        known = ", ".join(s.id for s in self.sources)
        raise NotFoundError(f"unknown source {source_id!r} (known: {known})")


def load_registry(path: Path | None = None) -> Registry:
    """Load and validate a registry file (by default the packaged one, with the lists and
    sources that registered list loaders add)."""
    if path is None:
        from detente import registry

        return _packaged(registry.generation())
    return _parse(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _packaged(generation: int) -> Registry:
    from detente import registry

    text = resources.files("detente.screening").joinpath("data/sources.yaml").read_text("utf-8")
    where = "detente/screening/data/sources.yaml"
    from detente._yamlio import load_yaml

    raw: Any = load_yaml(text, where, FrameworkError, "source registry")
    added = [(name, ld) for name, ld in registry.all_of("list_loader") if ld.lists or ld.sources]
    if not added:
        return _validate(raw, where)
    raw = dict(raw)
    raw["lists"] = [*raw.get("lists", []), *(dict(x) for _n, ld in added for x in ld.lists)]
    raw["sources"] = [*raw.get("sources", []), *(dict(x) for _n, ld in added for x in ld.sources)]
    return _validate(raw, where + " + list loaders " + ", ".join(n for n, _ld in added))


def _parse(text: str, where: str) -> Registry:
    from detente._yamlio import load_yaml

    return _validate(load_yaml(text, where, FrameworkError, "source registry"), where)


def _validate(raw: Any, where: str) -> Registry:
    try:
        return Registry.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], file=where, field=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise FrameworkError(f"{where}: source registry is not valid", problems=problems) from None
