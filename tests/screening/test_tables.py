"""Persisted matcher tables: a cached open gives the same results as a fresh build; stale or
damaged tables are rebuilt (and said so), never a crash."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from detente.screening.matching import DeleteIndex, Matcher, StrMultiMap, _deletes
from detente.screening.store import LoadedIndex, _matchers, index_path

pytestmark = pytest.mark.shared


def _sample_queries(m: Matcher) -> list[tuple[str, str]]:
    rnd = random.Random(11)
    out: list[tuple[str, str]] = [
        ("Huawei Technologies", "org"),
        ("NUDT", "org"),
        ("华为技术有限公司", "org"),
        ("Harbin Insitute of Technolgy", "org"),
        ("Beihang University", "org"),
    ]
    for ei in rnd.sample(range(len(m.entries)), 300):
        e = m.entries[ei]
        typ = "person" if e.schema == "person" else "org"
        out.append((e.name, typ))
        if len(e.name) > 6:
            i = rnd.randrange(len(e.name))
            out.append((e.name[:i] + e.name[i + 1 :], typ))  # a typo: exercises deletions
    return out


def _results(m: Matcher, queries: list[tuple[str, str]]) -> list[object]:
    return [
        [(m.entries[c.entry].key, c.name, c.kind, c.score) for c in m.match(q, schema=t)]
        for q, t in queries
    ]


def test_cached_open_equals_fresh_build(real_index: object) -> None:
    assert isinstance(real_index, LoadedIndex)
    assert real_index.tables_note == ""  # opened from the persisted tables
    entries = list(real_index.matcher.entries) + list(real_index.former.entries)
    fresh, fresh_former = _matchers(entries)
    qs = _sample_queries(fresh)
    assert _results(real_index.matcher, qs) == _results(fresh, qs)
    assert _results(real_index.former, qs) == _results(fresh_former, qs)
    assert len(real_index.matcher.names) == len(fresh.names)
    assert list(real_index.matcher.names[:50]) == list(fresh.names[:50])


def _copy_home(real_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(real_home / "lists", home / "lists", ignore=shutil.ignore_patterns("snapshots"))
    return home


def test_damaged_tables_are_rebuilt(real_home: Path, tmp_path: Path) -> None:
    home = _copy_home(real_home, tmp_path)
    (tables,) = (home / "lists").glob("index.*.matcher")
    data = bytearray(tables.read_bytes())
    data[-100] ^= 0xFF
    tables.write_bytes(bytes(data))
    idx = LoadedIndex(index_path(home))
    assert "checksum mismatch" in idx.tables_note and "saved" in idx.tables_note
    assert idx.matcher.match("Huawei Technologies")
    again = LoadedIndex(index_path(home))  # the rewritten tables are used
    assert again.tables_note == ""


def test_missing_or_stale_tables_are_rebuilt(
    real_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_home(real_home, tmp_path)
    (tables,) = (home / "lists").glob("index.*.matcher")
    tables.unlink()
    idx = LoadedIndex(index_path(home))
    assert "missing" in idx.tables_note
    from detente.screening import tables as tmod

    monkeypatch.setattr(tmod, "code_fingerprint", lambda: "other-code")
    idx = LoadedIndex(index_path(home))
    assert "code is" in idx.tables_note
    tables.write_bytes(b"garbage")
    monkeypatch.undo()
    idx = LoadedIndex(index_path(home))
    assert "not a matcher-tables file" in idx.tables_note


def test_delete_index_equals_a_dict() -> None:
    toks = ["hello", "helo", "world", "words", "abcde", "abced", "aabbcc", "mississippi"]
    ref: dict[str, list[str]] = {}
    for t in toks:
        if len(t) >= 5:
            for d in (t, *_deletes(t)):
                ref.setdefault(d, []).append(t)
    di = DeleteIndex.build(toks)
    for d, v in ref.items():
        assert di.get(d) == v
    assert di.get("zzzzz") == []


def test_str_multimap() -> None:
    m = StrMultiMap.of({"b": [2, 3], "a": [1]})
    assert list(m["b"]) == [2, 3] and "a" in m and "c" not in m and m.get("c", ()) == ()
