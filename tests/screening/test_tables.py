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


@pytest.mark.slow  # builds both matchers of the full shared index afresh (several CPU-seconds)
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


# The rebuild tests load the smaller shared folders only (no OFAC, KAIST or CSL: about 1,500
# entries instead of 25,000); what they check (a damaged, missing, stale or foreign tables file is
# rebuilt and said so) does not depend on the index's size, and each rebuild of the full index
# cost several CPU-seconds.  The full index is compared with a fresh build above.
_SMALL_FOLDERS = (
    "bis_entity_list_china_universities",
    "bis_mieu",
    "cn_countermeasures",
    "dod_1260h",
    "dod_1286",
    "ndaa_889_5949",
)


@pytest.fixture(scope="module")
def small_home(shared_lists: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from detente.screening.store import load_paths

    from .conftest import FIXED_NOW

    home = tmp_path_factory.mktemp("small-home")
    files = sorted(
        p for f in _SMALL_FOLDERS for p in (shared_lists / f).iterdir() if p.name != "SOURCE.md"
    )
    load_paths(files, source=None, retrieved_at=FIXED_NOW, home=home)
    return home


def _copy_home(src: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(src / "lists", home / "lists", ignore=shutil.ignore_patterns("snapshots"))
    return home


def test_damaged_tables_are_rebuilt(small_home: Path, tmp_path: Path) -> None:
    home = _copy_home(small_home, tmp_path)
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
    small_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_home(small_home, tmp_path)
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


def test_delete_index_equals_a_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    toks = ["hello", "helo", "world", "words", "abcde", "abced", "aabbcc", "mississippi"]
    ref: dict[str, list[str]] = {}
    for t in toks:
        if len(t) >= 5:
            for d in (t, *_deletes(t)):
                ref.setdefault(d, []).append(t)
    di = DeleteIndex.build(toks)
    for d, v in ref.items():
        assert di.get(d) == v  # the dict held for a small index
    assert di.get("zzzzz") == []
    monkeypatch.setattr(DeleteIndex, "SMALL", -1)  # the sorted-hash arrays of a large index
    di = DeleteIndex.build(toks)
    for d, v in ref.items():
        assert di.get(d) == v
    assert di.get("zzzzz") == []


def test_str_multimap() -> None:
    m = StrMultiMap.of({"b": [2, 3], "a": [1]})
    assert list(m["b"]) == [2, 3] and "a" in m and "c" not in m and m.get("c", ()) == ()


def test_formerly_listed_1260h_is_history_not_a_hit(real_index: object) -> None:
    """Megvii's 1260H listing (2024-01-31) ended on 2025-01-07: context, never a hit or flag."""
    from detente.screening.diligence import screen

    assert isinstance(real_index, LoadedIndex)
    r = screen(real_index, "Beijing Megvii Technology Co., Ltd.", country="CN")
    assert all(m.list_id != "us_dod_1260h" for m in r.matches)
    assert not any(m.formerly_listed for m in r.matches)
    (h,) = [m for m in r.history if m.list_id == "us_dod_1260h"]
    assert h.formerly_listed and h.ended_on == "2025-01-07" and h.listing_date == "2024-01-31"
    assert h.relation and "context only" in h.relation and "until 2025-01-07" in h.relation
    # the status comes from the current lists only (Entity List / NS-CMIC), not from the history
    assert r.status in {"hit", "potential"}
    assert real_index.matcher.match("Beijing Megvii Technology Co., Ltd.")  # current lists
    assert not any(
        real_index.matcher.entries[c.entry].list_id == "us_dod_1260h"
        and "megvii" in real_index.matcher.entries[c.entry].name.casefold()
        for c in real_index.matcher.match("Beijing Megvii Technology Co., Ltd.")
    )


def test_formerly_listed_only_leaves_status_clear(real_index: object) -> None:
    from detente.screening.diligence import screen

    assert isinstance(real_index, LoadedIndex)
    r = screen(real_index, "China International Information Services Ltd.")
    assert any(m.list_id == "us_dod_1260h" and m.ended_on == "2026-02-17" for m in r.history)
    assert all(m.list_id != "us_dod_1260h" for m in r.matches)


def test_kaist_korean_names_are_indexed(real_index: object) -> None:
    from detente.screening.diligence import screen

    assert isinstance(real_index, LoadedIndex)
    kaist = [
        e
        for e in real_index.matcher.entries
        if e.source_id == "kaist_restricted_parties"
        and any("\uac00" <= ch <= "\ud7a3" for n in e.native_names for ch in n)
    ]
    assert len(kaist) > 1000
    e = next(x for x in kaist if "Huawei" in x.name)
    korean = next(n for n in e.native_names if any("\uac00" <= ch <= "\ud7a3" for ch in n))
    r = screen(real_index, korean)
    assert r.status == "hit"
    assert any(m.entry_id == e.entry_id and m.matched_kind == "native" for m in r.matches)
