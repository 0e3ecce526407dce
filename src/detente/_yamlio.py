"""YAML/JSON parsing that remembers where every field came from."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml

from detente.errors import InputError, Problem

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


def parse_document(
    text: str, source: str, error: type[InputError] = InputError, what: str = "file"
) -> tuple[Any, LineMap]:
    is_json = source.lower().endswith(".json") or text.lstrip().startswith("{")
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                f"{source}: the {what} is not valid JSON",
                problems=[Problem(exc.msg, file=source, line=exc.lineno, column=exc.colno)],
            ) from None
        return data, LazyLines(text)
    try:
        data = yaml.load(text, Loader=_FastLoader)
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
    return data, LazyLines(text)
