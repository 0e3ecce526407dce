"""Providers registered by name: renderers, list loaders, enrichers and rule packs.

In the spirit of datasette's ``DEFAULT_PLUGINS`` and inspect_ai's model providers: every
provider — Détente's own included — is declared as a Python entry point in one of four groups,
and looked up here by kind and name::

    [project.entry-points."detente.renderers"]
    html = "detente.report.providers:html"

    [project.entry-points."detente.list_loaders"]    # one per list file format
    [project.entry-points."detente.enrichers"]       # screening, landscape, placement
    [project.entry-points."detente.packs"]           # folders of research-security rule packs

An entry point names a small *descriptor* (:class:`Renderer`, :class:`ListLoader`,
:class:`Enricher`, :class:`PackSource`) in a light module; the descriptor imports its heavy
libraries only when it runs.  Before handing a provider out, :func:`get` checks that the
modules it ``requires`` can be found; when one is missing it raises
:class:`~detente.errors.MissingExtraError` saying ``pip install 'detente[<extra>]'``.

Code that cannot ship a distribution (a test, a notebook) registers in-process with
:func:`register`; both paths end in the same table.  :func:`stamp` gives the name, version and
distribution of a provider, which the assessment records in ``providers``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import BaseModel, ConfigDict

from detente.errors import InputError, MissingExtraError

if TYPE_CHECKING:
    from detente.assessment.result import Assessment
    from detente.report.document import Record
    from detente.screening.entries import ParsedSource

Kind = Literal["renderer", "list_loader", "enricher", "pack"]

GROUPS: dict[Kind, str] = {
    "renderer": "detente.renderers",
    "list_loader": "detente.list_loaders",
    "enricher": "detente.enrichers",
    "pack": "detente.packs",
}
"""Entry-point group of each kind of provider."""

EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "landscape": ("numpy", "scipy", "sklearn", "joblib", "matplotlib", "pyarrow"),
    "pdf": ("weasyprint",),
    "web": ("fastapi", "uvicorn", "multipart", "argon2", "sqlalchemy", "alembic"),
    "postgres": ("psycopg",),
    "spark": ("pyspark",),
}
"""The optional extras (``pip install 'detente[<extra>]'``) and the modules each installs."""
EXTRAS: tuple[str, ...] = tuple(EXTRA_MODULES)


def require_extra(extra: str, what: str) -> None:
    """Raise :class:`~detente.errors.MissingExtraError` unless ``extra``'s modules are installed.

    ``what`` names the feature for the message (``"`detente landscape`"``).
    """
    for module in EXTRA_MODULES[extra]:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(what, extra, missing=module)


# ---- descriptors -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Needs:
    requires: tuple[str, ...] = ()
    """Top-level modules the provider imports when it runs (checked before it is handed out)."""
    extra: str | None = None
    """The extra that installs them."""


@dataclass(frozen=True)
class RenderOptions:
    record: Record | None = None
    """The decision record (web app); None leaves the reviewer block blank."""
    paper: str = "A4"
    """Paper size of printed formats (A4 or letter)."""


@dataclass(frozen=True, kw_only=True)
class Renderer(_Needs):
    """A report format: ``render(assessment, options)`` gives text, or bytes when ``binary``."""

    render: Callable[[Assessment, RenderOptions], str | bytes] = field(repr=False)
    suffix: str = ""
    binary: bool = False
    media_type: str = "text/plain; charset=utf-8"
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class ListLoader(_Needs):
    """A restricted-party list file format.

    ``load(files, source_id)`` reads the files of one source (name -> bytes); ``detect(path,
    head)`` may claim a local file for a source id (``head`` is its first 4 KiB).  ``lists`` and
    ``sources`` are entries in the shape of ``screening/data/sources.yaml`` that a third-party
    loader adds to the source registry, so its source can be loaded and screened like any other.
    """

    load: Callable[[Mapping[str, bytes], str], ParsedSource] = field(repr=False)
    detect: Callable[[Path, bytes], str | None] | None = field(default=None, repr=False)
    lists: tuple[Mapping[str, Any], ...] = ()
    sources: tuple[Mapping[str, Any], ...] = ()
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class Enricher(_Needs):
    """A stage of the pipeline that adds evidence to an assessment.

    ``run(proposal, options)`` gets the pipeline's :class:`~detente.pipeline.AssessOptions`;
    what it returns depends on the stage (screening: the due diligence; landscape: the
    co-authorship section or None; placement: an area classifier or None).
    """

    run: Callable[..., Any] = field(repr=False)
    """Called as ``run(proposal, options)``; placement, which serves a whole batch, gets
    ``run(None, options)``."""
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class PackSource(_Needs):
    """Where a set of research-security rule packs lives: files or folders of YAML."""

    paths: Callable[[], Sequence[Path]] = field(repr=False)
    description: str = ""


_TYPES: dict[Kind, type[Any]] = {
    "renderer": Renderer,
    "list_loader": ListLoader,
    "enricher": Enricher,
    "pack": PackSource,
}


class ProviderStamp(BaseModel):
    """Which provider ran: kind, name, the distribution that declared it and its version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    name: str
    distribution: str
    version: str


# ---- the table -------------------------------------------------------------------------------


@dataclass
class _Slot:
    kind: Kind
    name: str
    distribution: str
    version: str
    entry_point: metadata.EntryPoint | None = None
    obj: Any = None
    checked: bool = False
    """Its optional dependencies were found once (then not looked up again per call)."""


_eps: dict[Kind, dict[str, _Slot]] | None = None
_local: dict[Kind, dict[str, _Slot]] = {k: {} for k in GROUPS}
_generation = 0


def _discover() -> dict[Kind, dict[str, _Slot]]:
    global _eps
    if _eps is None:
        found: dict[Kind, dict[str, _Slot]] = {k: {} for k in GROUPS}
        for kind, group in GROUPS.items():
            for ep in metadata.entry_points(group=group):
                dist = ep.dist
                name = dist.metadata["Name"] if dist is not None else "unknown"
                version = dist.version if dist is not None else ""
                # the first distribution to declare a name wins (sys.path order, as for imports)
                found[kind].setdefault(ep.name, _Slot(kind, ep.name, name, version, ep))
        _eps = found
    return _eps


def refresh() -> None:
    """Forget the entry points read so far (after installing a distribution at run time)."""
    global _eps, _generation
    _eps = None
    _generation += 1


def generation() -> int:
    """A number that changes whenever the table changes (for caches built from providers)."""
    return _generation


def _slots(kind: Kind) -> dict[str, _Slot]:
    return {**_discover()[kind], **_local[kind]}


def names(kind: Kind) -> list[str]:
    """Names of the providers of one kind, sorted (none is loaded)."""
    return sorted(_slots(kind))


def register(
    kind: Kind,
    name: str,
    provider: Renderer | ListLoader | Enricher | PackSource,
    *,
    distribution: str = "local",
    version: str = "",
) -> None:
    """Register a provider in-process (it overrides an entry point of the same name)."""
    global _generation
    if not isinstance(provider, _TYPES[kind]):
        raise TypeError(f"a {kind} provider must be a {_TYPES[kind].__name__}")
    _local[kind][name] = _Slot(kind, name, distribution, version, obj=provider)
    _generation += 1


def unregister(kind: Kind, name: str) -> None:
    global _generation
    _local[kind].pop(name, None)
    _generation += 1


@contextmanager
def registered(
    kind: Kind, name: str, provider: Renderer | ListLoader | Enricher | PackSource
) -> Iterator[None]:
    """Register a provider for the duration of a ``with`` block."""
    register(kind, name, provider)
    try:
        yield
    finally:
        unregister(kind, name)


_NOUN: dict[Kind, str] = {
    "renderer": "format",
    "list_loader": "list format",
    "enricher": "enricher",
    "pack": "pack source",
}


def _slot(kind: Kind, name: str) -> _Slot:
    slot = _slots(kind).get(name)
    if slot is None:
        known = ", ".join(names(kind)) or "none"
        raise InputError(f"unknown {_NOUN[kind]} {name!r} (registered: {known})")
    return slot


def _check(kind: Kind, name: str, provider: _Needs) -> None:
    for module in provider.requires:
        if importlib.util.find_spec(module) is None:
            extra = provider.extra or "all"
            raise MissingExtraError(f"the {name} {kind.replace('_', ' ')}", extra, missing=module)


def _load(slot: _Slot) -> Any:
    if slot.obj is None and slot.entry_point is not None:
        try:
            obj = slot.entry_point.load()
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            raise MissingExtraError(
                f"the {slot.name} {slot.kind.replace('_', ' ')}", _extra_for(top), missing=top
            ) from None
        if not isinstance(obj, _TYPES[slot.kind]):
            raise TypeError(
                f"entry point {slot.entry_point.value!r} ({GROUPS[slot.kind]}) is not a "
                f"{_TYPES[slot.kind].__name__}"
            )
        slot.obj = obj
    return slot.obj


def _extra_for(module: str) -> str:
    for extra, modules in EXTRA_MODULES.items():
        if module in modules:
            return extra
    return "all"


@overload
def get(kind: Literal["renderer"], name: str) -> Renderer: ...
@overload
def get(kind: Literal["list_loader"], name: str) -> ListLoader: ...
@overload
def get(kind: Literal["enricher"], name: str) -> Enricher: ...
@overload
def get(kind: Literal["pack"], name: str) -> PackSource: ...
def get(kind: Kind, name: str) -> Any:
    """The provider of ``kind`` named ``name``, loaded; its optional dependencies checked.

    Raises :class:`~detente.errors.InputError` for an unknown name and
    :class:`~detente.errors.MissingExtraError` when an extra it needs is not installed.
    """
    slot = _slot(kind, name)
    obj = _load(slot)
    if not slot.checked:
        _check(kind, name, obj)
        slot.checked = True
    return obj


def available(kind: Kind, name: str) -> bool:
    """Whether ``get`` would succeed (the name is known and its extra installed)."""
    try:
        get(kind, name)
    except (InputError, MissingExtraError):
        return False
    return True


def all_of(kind: Kind) -> list[tuple[str, Any]]:
    """(name, provider) of every provider of a kind whose dependencies are installed."""
    out = []
    for name in names(kind):
        try:
            out.append((name, get(kind, name)))
        except MissingExtraError:
            continue
    return out


def stamp(kind: Kind, name: str) -> ProviderStamp:
    """What the assessment records about a provider that ran."""
    slot = _slot(kind, name)
    return ProviderStamp(kind=kind, name=name, distribution=slot.distribution, version=slot.version)


__all__ = [
    "EXTRAS",
    "EXTRA_MODULES",
    "GROUPS",
    "Enricher",
    "Kind",
    "ListLoader",
    "PackSource",
    "ProviderStamp",
    "RenderOptions",
    "Renderer",
    "all_of",
    "available",
    "generation",
    "get",
    "names",
    "refresh",
    "register",
    "registered",
    "require_extra",
    "stamp",
    "unregister",
]
