"""The one safe reader for YAML and JSON, remembering where every field came from.

Hostile input is refused before it can cost more than a bounded amount of time
and memory: :class:`Limits` caps the size in bytes, the nesting depth, the
number of aliases and the total number of nodes *after* alias expansion (so a
"billion laughs" document of a few hundred bytes counts as the millions of
nodes it stands for).  The limits are checked on the event stream before
anything is constructed, and never by a recursive C routine: libyaml's composer
recurses once per nesting level (30,000 levels crash the process) and both
YAML scanners are quadratic in the depth of open flow collections, so a deeply
nested flow document is scanned by the pure-Python scanner with a cap on its
flow level, which stops it after at most ``max_depth`` levels.  A breach is an
:class:`~detente.errors.InputLimitError` naming the limit (exit 2, HTTP 422).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from detente.errors import InputError, InputLimitError, Problem

LineMap = Mapping[tuple[str | int, ...], int]


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)

_FastLoader: type[Any] = _UniqueKeyLoader
if getattr(yaml, "__with_libyaml__", False):

    class _UniqueKeyCLoader(yaml.CSafeLoader):
        """The same, on libyaml (several times faster)."""

    _UniqueKeyCLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
    )
    _FastLoader = _UniqueKeyCLoader


class LazyLines(Mapping[tuple[str | int, ...], int]):
    """Field path → line, computed only when a message needs it (errors are rare, parsing is not)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._map: dict[tuple[str | int, ...], int] | None = None

    def _load(self) -> dict[tuple[str | int, ...], int]:
        if self._map is None:
            try:
                self._map = line_map(yaml.compose(self._text, Loader=_FastLoader))
            except yaml.YAMLError:  # e.g. JSON that YAML cannot compose: no line numbers
                self._map = {}
        return self._map

    def __getitem__(self, key: tuple[str | int, ...]) -> int:
        return self._load()[key]

    def __iter__(self) -> Iterator[tuple[str | int, ...]]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def line_map(
    node: yaml.Node | None,
    path: tuple[str | int, ...] = (),
    out: dict[tuple[str | int, ...], int] | None = None,
) -> dict[tuple[str | int, ...], int]:
    """Map each field path to the 1-based line where its value (or key) starts."""
    out = {} if out is None else out
    if node is None:
        return out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            out[(*path, key)] = k.start_mark.line + 1
            line_map(v, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_map(item, (*path, i), out)
    return out


def path_str(loc: Iterable[str | int]) -> str:
    s = ""
    for part in loc:
        if isinstance(part, int):
            s += f"[{part}]"
        else:
            s += ("." if s else "") + str(part)
    return s


def line_for(lines: LineMap, loc: tuple[str | int, ...]) -> int | None:
    while True:
        if loc in lines:
            return lines[loc]
        if not loc:
            return None
        loc = loc[:-1]


@dataclass(frozen=True)
class Limits:
    """What one document may cost.  ``max_nodes`` counts nodes after alias expansion."""

    max_bytes: int = 1_000_000
    max_depth: int = 64
    max_aliases: int = 100
    max_nodes: int = 100_000


#: Proposals, framework files, rule packs, form posts and API bodies.
DOCUMENT_LIMITS = Limits()
#: Restricted-party list files (large, flat, no aliases needed).
LIST_LIMITS = Limits(max_bytes=1_000_000_000, max_depth=64, max_aliases=0, max_nodes=200_000_000)

_LIMIT_TEXT = {
    "max_bytes": "the document is {value:,} bytes; the limit is {limit:,}",
    "max_depth": "the document is nested more than {limit:,} levels deep",
    "max_aliases": "the document uses more than {limit:,} aliases (*name)",
    "max_nodes": "the document expands to more than {limit:,} values (counting what aliases repeat)",
}


def _breach(
    source: str,
    what: str,
    limit_name: str,
    limit: int,
    value: int = 0,
    line: int | None = None,
    column: int | None = None,
) -> InputLimitError:
    detail = _LIMIT_TEXT[limit_name].format(limit=limit, value=value)
    return InputLimitError(
        f"{source}: the {what} is refused: {detail} (limit {limit_name})",
        limit=limit_name,
        problems=[Problem(f"{detail} ({limit_name})", file=source, line=line, column=column)],
    )


class _CappedScanner(yaml.scanner.Scanner):
    """The pure-Python scanner, refusing flow collections nested deeper than a cap."""

    flow_cap = 64

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= self.flow_cap:
            raise _FlowTooDeep(self.get_mark())  # type: ignore[attr-defined]
        super().fetch_flow_collection_start(TokenClass)


class _FlowTooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("flow nesting too deep")
        self.mark = mark


class _CappedEventLoader(
    yaml.reader.Reader, _CappedScanner, yaml.parser.Parser, yaml.composer.Composer
):
    def __init__(self, stream: str, cap: int) -> None:
        yaml.reader.Reader.__init__(self, stream)
        _CappedScanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        self.flow_cap = cap


def _events(text: str, limits: Limits) -> Iterator[Any]:
    """The document's events; deep flow nesting is cut off by the capped pure-Python scanner.

    Counting every ``[`` and ``{`` bounds the flow depth from above; when that
    bound is small, libyaml's (non-recursive, fast) parser is safe to use.
    """
    flow_bound = text.count("[") + text.count("{")
    if flow_bound <= max(limits.max_depth, 2_000) and getattr(yaml, "__with_libyaml__", False):
        parser: Any = yaml.CSafeLoader(text)
    else:
        parser = _CappedEventLoader(text, limits.max_depth)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def check_yaml(
    text: str, source: str, what: str = "file", limits: Limits = DOCUMENT_LIMITS
) -> None:
    """Raise :class:`InputLimitError` when the YAML text breaks a limit (it may still be invalid)."""
    size = len(text.encode("utf-8")) if len(text) * 4 > limits.max_bytes else len(text)
    if size > limits.max_bytes:
        raise _breach(source, what, "max_bytes", limits.max_bytes, size)
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
    # one frame per open collection: [anchor, expanded nodes before it, greatest depth below it]
    frames: list[list[Any]] = []
    nodes = aliases = 0

    def where(ev: Any) -> tuple[int | None, int | None]:
        m = getattr(ev, "start_mark", None)
        return (m.line + 1, m.column + 1) if m is not None else (None, None)

    def leaf(ev: Any, size: int, height: int) -> None:
        nonlocal nodes
        nodes += size
        depth = len(frames) + height
        if depth > limits.max_depth:
            raise _breach(source, what, "max_depth", limits.max_depth, depth, *where(ev))
        if nodes > limits.max_nodes:
            raise _breach(source, what, "max_nodes", limits.max_nodes, nodes, *where(ev))
        if frames and frames[-1][2] < depth:
            frames[-1][2] = depth

    try:
        for ev in _events(text, limits):
            if isinstance(ev, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.max_aliases:
                    raise _breach(
                        source, what, "max_aliases", limits.max_aliases, aliases, *where(ev)
                    )
                size, height = anchors.get(ev.anchor or "", (1, 0))
                leaf(ev, size, height)
            elif isinstance(ev, yaml.ScalarEvent):
                leaf(ev, 1, 0)
                if ev.anchor:
                    anchors[ev.anchor] = (1, 0)
            elif isinstance(ev, yaml.CollectionStartEvent):
                leaf(ev, 1, 1)
                frames.append([ev.anchor, nodes, len(frames) + 1])
            elif isinstance(ev, yaml.CollectionEndEvent) and frames:
                anchor, before, deepest = frames.pop()
                if frames and frames[-1][2] < deepest:
                    frames[-1][2] = deepest
                if anchor:
                    anchors[anchor] = (nodes - before + 1, deepest - len(frames))
    except _FlowTooDeep as exc:
        m = exc.mark
        raise _breach(
            source, what, "max_depth", limits.max_depth, 0, m.line + 1, m.column + 1
        ) from None
    except yaml.YAMLError:
        return  # a syntax error: the loader reports it with its line


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def check_json(
    text: str, source: str, what: str = "file", limits: Limits = DOCUMENT_LIMITS
) -> None:
    """Raise :class:`InputLimitError` when the JSON text breaks a limit (it may still be invalid)."""
    size = len(text.encode("utf-8")) if len(text) * 4 > limits.max_bytes else len(text)
    if size > limits.max_bytes:
        raise _breach(source, what, "max_bytes", limits.max_bytes, size)
    opens = text.count("[") + text.count("{")
    if opens <= limits.max_depth and opens + text.count(",") < limits.max_nodes:
        return  # cannot be deeper or larger than allowed
    depth = nodes = 0
    for m in _JSON_TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            nodes += 1
            if depth > limits.max_depth:
                line = text.count("\n", 0, m.start()) + 1
                raise _breach(source, what, "max_depth", limits.max_depth, depth, line)
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == ",":
            nodes += 1
            if nodes > limits.max_nodes:
                line = text.count("\n", 0, m.start()) + 1
                raise _breach(source, what, "max_nodes", limits.max_nodes, nodes, line)


def load_json(
    text: str,
    source: str,
    error: type[InputError] = InputError,
    what: str = "file",
    limits: Limits = DOCUMENT_LIMITS,
) -> Any:
    """``json.loads`` after the limits are checked; errors name the file and line."""
    check_json(text, source, what, limits)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{source}: the {what} is not valid JSON",
            problems=[Problem(exc.msg, file=source, line=exc.lineno, column=exc.colno)],
        ) from None
    except RecursionError:  # pragma: no cover - check_json stops this first
        raise _breach(source, what, "max_depth", limits.max_depth) from None


def load_yaml(
    text: str,
    source: str,
    error: type[InputError] = InputError,
    what: str = "file",
    limits: Limits = DOCUMENT_LIMITS,
) -> Any:
    """Safe-load YAML (duplicate keys refused) after the limits are checked."""
    check_yaml(text, source, what, limits)
    try:
        return yaml.load(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(
            f"{source}: the {what} is not valid YAML",
            problems=[
                Problem(
                    str(exc.problem or exc.context or "syntax error"),
                    file=source,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise error(
            f"{source}: the {what} is not valid YAML", problems=[Problem(str(exc), file=source)]
        ) from None


def parse_document(
    text: str,
    source: str,
    error: type[InputError] = InputError,
    what: str = "file",
    limits: Limits = DOCUMENT_LIMITS,
) -> tuple[Any, LineMap]:
    """Parse a YAML or JSON document within ``limits``: (data, field path → line)."""
    text = text.removeprefix("\ufeff")  # a byte-order mark (editors on Windows) is not content
    is_json = source.lower().endswith(".json") or text.lstrip().startswith("{")
    if is_json:
        check_json(text, source, what, limits)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                f"{source}: the {what} is not valid JSON",
                problems=[Problem(exc.msg, file=source, line=exc.lineno, column=exc.colno)],
            ) from None
        return data, LazyLines(text)
    return load_yaml(text, source, error, what, limits), LazyLines(text)


_M = TypeVar("_M", bound=BaseModel)


def validate_document(
    model: type[_M],
    data: Any,
    source: str,
    lines: LineMap,
    error: type[InputError] = InputError,
    what: str | None = None,
) -> _M:
    """Validate a parsed document against ``model``; one ``error`` listing every problem
    with its file, line and field (an unknown field is said as such)."""
    what = what or model.__name__
    if not isinstance(data, dict):
        raise error(f"{source}: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            problems.append(
                Problem(msg, file=source, line=line_for(lines, loc), field=path_str(loc) or None)
            )
        raise error(f"{source}: not a valid {what}", problems=problems) from None


def decode_text(
    raw: bytes,
    source: str,
    message: str,
    error: type[InputError] = InputError,
    *,
    utf16: bool = False,
    encoding: str = "utf-8-sig",
) -> str:
    """A file's bytes as text: UTF-8 (``encoding``: by default a UTF-8 byte-order mark is dropped);
    with ``utf16`` also UTF-16
    when the file starts with a UTF-16 byte-order mark (Windows editors save either).  Anything
    else is one ``error`` (``message``, e.g. "the CSV is not UTF-8 text") naming the first byte that
    is not UTF-8 and how to save the file."""
    if utf16 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass  # reported below as not UTF-8 either
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        how = "save the file as UTF-8" + (" (or UTF-16 with a byte-order mark)" if utf16 else "")
        raise error(
            f"{source}: {message}",
            problems=[
                Problem(
                    f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; {how}",
                    file=source,
                )
            ],
        ) from None
