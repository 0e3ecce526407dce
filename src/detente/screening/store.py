"""Snapshots of list files under the data home, and the embedded SQLite index built from them.

Layout under ``$DETENTE_HOME/lists`` (default ``~/.local/share/detente/lists``)::

    snapshots/<source>/<snapshot-id>/   the files as loaded or downloaded + manifest.json
    current/<source>.json               which snapshot is in use (replaced atomically)
    index.sqlite                        entries, prepared names, acronyms, snapshot facts

Older snapshots are kept, so ``lists diff`` can compare them.  A snapshot is only made current
after its files parsed; the index is rebuilt into a temporary file and swapped in with
``os.replace``, so a reader never sees a half-written index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from detente._gcpause import without_gc
from detente.errors import DataSourceError, NotFoundError
from detente.screening.entries import ListEntry, ParsedSource, entry_from_json, entry_to_json
from detente.screening.registry import Registry, load_registry

if TYPE_CHECKING:
    from detente.screening.matching import Matcher

INDEX_SCHEMA = 2


def data_home(home: Path | None = None) -> Path:
    if home is not None:
        return Path(home)
    env = os.environ.get("DETENTE_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "detente"


def lists_dir(home: Path | None = None) -> Path:
    return data_home(home) / "lists"


def index_path(home: Path | None = None) -> Path:
    return lists_dir(home) / "index.sqlite"


class FileFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sha256: str
    bytes: int
    rows: int | None = None


class Manifest(BaseModel):
    """What a snapshot is: source, when it was retrieved, from where, and its content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source_id: str
    snapshot_id: str
    retrieved_at: str
    origin: str
    published: str | None = None
    content_hash: str
    files: dict[str, FileFacts]
    entries: int
    lists: dict[str, int]
    notes: list[str] = []


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(files: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + _sha(files[name]).encode() + b"\n")
    return h.hexdigest()


_DATE_IN_NAME = re.compile(r"(20\d\d-[01]\d-[0-3]\d)")


def guess_published(parsed: ParsedSource, files: Mapping[str, bytes]) -> str | None:
    """Publication date if the content or file name says it (never the retrieval date)."""
    if parsed.published:
        return parsed.published[:10]
    for name in files:
        m = _DATE_IN_NAME.search(name)
        if m:
            return m.group(1)
    if parsed.source_id == "dod_1260h":
        dates = [e.listed_on for e in parsed.entries if e.listed_on]
        if dates:
            return max(dates)[:10]
    return None


@without_gc
def parse_files(registry: Registry, source_id: str, files: Mapping[str, bytes]) -> ParsedSource:
    spec = registry.source(source_id)
    missing = [f for f in spec.required if f not in files]
    if missing and spec.format not in {"csl_csv", "csl_json", "ofac_xml"}:
        raise DataSourceError(f"source {source_id}: required file(s) missing: {', '.join(missing)}")
    from detente import registry as providers

    return providers.get("list_loader", spec.format).load(files, source_id)


def save_snapshot(
    source_id: str,
    files: Mapping[str, bytes],
    *,
    origin: str,
    retrieved_at: datetime,
    home: Path | None = None,
    registry: Registry | None = None,
    published: str | None = None,
    parsed: ParsedSource | None = None,
) -> Manifest:
    """Parse *files*, store them as a new snapshot, and make it current (atomically).

    *parsed* is what ``parse_files`` gave for exactly these files, when the caller has it already.
    """
    reg = registry or load_registry()
    if parsed is None:
        parsed = parse_files(reg, source_id, files)
    if not parsed.entries:
        raise DataSourceError(
            f"source {source_id}: the files parsed but hold no entries; snapshot not kept"
        )
    chash = content_hash(files)
    stamp = retrieved_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = lists_dir(home) / "snapshots" / source_id
    base.mkdir(parents=True, exist_ok=True)
    seq = sum(1 for d in base.iterdir() if not d.name.startswith(".")) + 1
    snap_id = f"{stamp}-{seq:04d}-{chash[:12]}"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
    try:
        for name, data in files.items():
            (tmp / Path(name).name).write_bytes(data)
        manifest = Manifest(
            source_id=source_id,
            snapshot_id=snap_id,
            retrieved_at=retrieved_at.astimezone(UTC).isoformat(timespec="seconds"),
            origin=origin,
            published=published or guess_published(parsed, files),
            content_hash=chash,
            files={
                n: FileFacts(sha256=_sha(d), bytes=len(d), rows=parsed.rows.get(n))
                for n, d in sorted(files.items())
            },
            entries=len(parsed.entries),
            lists=dict(sorted(Counter(e.list_id for e in parsed.entries).items())),
            notes=list(parsed.notes),
        )
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        final = base / snap_id
        if final.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_current(source_id, snap_id, home=home)
    return manifest


def set_current(source_id: str, snapshot_id: str, *, home: Path | None = None) -> None:
    cur = lists_dir(home) / "current"
    cur.mkdir(parents=True, exist_ok=True)
    tmp = cur / f".{source_id}.json.tmp"
    tmp.write_text(json.dumps({"snapshot": snapshot_id}), encoding="utf-8")
    os.replace(tmp, cur / f"{source_id}.json")


def current_snapshots(home: Path | None = None) -> dict[str, str]:
    cur = lists_dir(home) / "current"
    out: dict[str, str] = {}
    if not cur.is_dir():
        return out
    for p in sorted(cur.glob("*.json")):
        if p.name.startswith("."):
            continue
        try:
            out[p.stem] = str(json.loads(p.read_text("utf-8"))["snapshot"])
        except (OSError, ValueError, KeyError):
            continue
    return out


def snapshot_dir(source_id: str, snapshot_id: str, home: Path | None = None) -> Path:
    d = lists_dir(home) / "snapshots" / source_id / snapshot_id
    if not (d / "manifest.json").is_file():
        raise NotFoundError(
            f"no snapshot {snapshot_id!r} of source {source_id!r} under {lists_dir(home)}"
        )
    return d


def read_manifest(source_id: str, snapshot_id: str, home: Path | None = None) -> Manifest:
    d = snapshot_dir(source_id, snapshot_id, home)
    return Manifest.model_validate_json((d / "manifest.json").read_text("utf-8"))


def list_snapshots(source_id: str, home: Path | None = None) -> list[Manifest]:
    base = lists_dir(home) / "snapshots" / source_id
    if not base.is_dir():
        return []
    out = []
    for d in sorted(base.iterdir(), key=lambda d: (d.name[:16], d.name)):
        if d.name.startswith(".") or not (d / "manifest.json").is_file():
            continue
        out.append(Manifest.model_validate_json((d / "manifest.json").read_text("utf-8")))
    return out


def snapshot_files(source_id: str, snapshot_id: str, home: Path | None = None) -> dict[str, bytes]:
    d = snapshot_dir(source_id, snapshot_id, home)
    return {
        p.name: p.read_bytes()
        for p in sorted(d.iterdir())
        if p.name != "manifest.json" and p.is_file()
    }


def parse_snapshot(
    source_id: str, snapshot_id: str, home: Path | None = None, registry: Registry | None = None
) -> ParsedSource:
    return parse_files(
        registry or load_registry(), source_id, snapshot_files(source_id, snapshot_id, home)
    )


# ---- index -----------------------------------------------------------------------------------


def _matchers(entries: Sequence[ListEntry]) -> tuple[Matcher, Matcher]:
    """The matcher over current listings and the one over formerly listed entries.

    The current matcher is built from the current entries alone (its token weights and results
    do not depend on the history); the formerly-listed matcher scores with those same weights.
    """
    from detente.screening.matching import Matcher

    current = Matcher.build([e for e in entries if not e.formerly_listed])
    former = Matcher.build([e for e in entries if e.formerly_listed], weights=current.weights)
    return current, former


@without_gc
def build_index(
    home: Path | None = None,
    registry: Registry | None = None,
    *,
    built_at: datetime | None = None,
    parsed: Mapping[tuple[str, str], ParsedSource] | None = None,
) -> Path:
    """(Re)build the SQLite index and the matcher tables from every current snapshot.

    The tables file (named by the new build id) is written first, then the index is swapped in
    with ``os.replace``; tables of earlier builds are removed afterwards.  *parsed* holds sources
    the caller has just parsed and saved, by (source id, snapshot id): those snapshots are not read
    back and parsed again (a snapshot's files never change once saved).
    """
    from detente.screening.normalize import rules
    from detente.screening.tables import tables_path, write_tables

    reg = registry or load_registry()
    entries: list[ListEntry] = []
    manifests: list[Manifest] = []
    for sid, snap in sorted(current_snapshots(home).items()):
        try:
            reg.source(sid)
        except NotFoundError:
            continue
        manifests.append(read_manifest(sid, snap, home))
        known = parsed.get((sid, snap)) if parsed else None
        entries.extend((known or parse_snapshot(sid, snap, home, reg)).entries)
    # current listings first, then the formerly listed (the order each matcher indexes them)
    entries = [e for e in entries if not e.formerly_listed] + [
        e for e in entries if e.formerly_listed
    ]
    n_current = sum(1 for e in entries if not e.formerly_listed)
    current, former = _matchers(entries)
    build_id = uuid.uuid4().hex
    target = index_path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    rules_version = rules().version
    tpath = tables_path(target, build_id)
    write_tables(
        tpath,
        {"current": current.tables(), "former": former.tables()},
        build_id=build_id,
        rules_version=rules_version,
    )
    fd, tmpname = tempfile.mkstemp(prefix=".index-", suffix=".sqlite", dir=target.parent)
    os.close(fd)
    tmp = Path(tmpname)
    try:
        con = sqlite3.connect(tmp)
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE snapshots(source_id TEXT PRIMARY KEY, manifest TEXT NOT NULL);
            CREATE TABLE entries(idx INTEGER PRIMARY KEY, source_id TEXT, list_id TEXT, entry_id TEXT,
                                 schema TEXT, name TEXT, formerly_listed INTEGER NOT NULL,
                                 data TEXT NOT NULL);
            CREATE TABLE names(entry_idx INTEGER, kind TEXT, text TEXT, toks TEXT, pinyin TEXT);
            CREATE TABLE derived_acronyms(acr TEXT, entry_idx INTEGER);
            """
        )
        meta = {
            "schema": str(INDEX_SCHEMA),
            "registry_version": reg.version,
            "rules_version": rules_version,
            "build_id": build_id,
            "matcher_tables": tpath.name,
            "built_at": (built_at or datetime.now(UTC))
            .astimezone(UTC)
            .isoformat(timespec="seconds"),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        con.executemany(
            "INSERT INTO snapshots VALUES (?, ?)",
            [(m.source_id, m.model_dump_json()) for m in manifests],
        )
        con.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    e.source_id,
                    e.list_id,
                    e.entry_id,
                    e.schema,
                    e.name,
                    int(e.formerly_listed),
                    entry_to_json(e),
                )
                for i, e in enumerate(entries)
            ],
        )
        for m, off in ((current, 0), (former, n_current)):
            con.executemany(
                "INSERT INTO names VALUES (?, ?, ?, ?, ?)",
                [
                    (n.entry + off, n.kind, n.form.text, " ".join(n.form.toks), n.form.pinyin)
                    for n in m.names
                ],
            )
            con.executemany(
                "INSERT INTO derived_acronyms VALUES (?, ?)",
                [(a, i + off) for a, ids in m.acr_derived.items() for i in ids],
            )
        con.execute("CREATE INDEX names_entry ON names(entry_idx)")
        con.commit()
        con.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tpath.unlink(missing_ok=True)
        raise
    for old in target.parent.glob("index.*.matcher"):
        if old != tpath:
            old.unlink(missing_ok=True)
    return target


log = logging.getLogger("detente.screening")


class LoadedIndex:
    """An opened index: the matchers plus the facts about the snapshots it holds.

    ``matcher`` covers current listings; ``former`` covers formerly listed entries (history,
    reported as context only).  Both come from the persisted matcher tables when they are
    valid; otherwise they are rebuilt from the index rows, ``tables_note`` says why, and the
    tables are rewritten when possible.
    """

    def __init__(self, path: Path) -> None:
        from detente.screening.matching import Matcher
        from detente.screening.normalize import rules
        from detente.screening.tables import StaleTables, read_tables, tables_path, write_tables

        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            self.meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            self.manifests = [
                Manifest.model_validate_json(m)
                for (m,) in con.execute("SELECT manifest FROM snapshots ORDER BY source_id")
            ]
            self.path = path
            self.tables_note = ""
            build_id = self.meta.get("build_id", "")
            rules_version = rules().version
            try:
                if not build_id:
                    raise StaleTables("the index predates persisted matcher tables")
                t = read_tables(
                    tables_path(path, build_id), build_id=build_id, rules_version=rules_version
                )
                self.matcher = Matcher.from_tables(t["current"])
                self.former = Matcher.from_tables(t["former"], weights=self.matcher.weights)
                return
            except (StaleTables, ValueError, KeyError, TypeError) as exc:
                reason = str(exc)
            entries = [
                entry_from_json(d) for (d,) in con.execute("SELECT data FROM entries ORDER BY idx")
            ]
        except sqlite3.DatabaseError as exc:
            raise DataSourceError(
                f"{path}: the list index cannot be read ({exc}); run `detente lists load` again"
            ) from None
        finally:
            con.close()
        self.matcher, self.former = _matchers(entries)
        self.tables_note = f"matcher tables not used ({reason}); rebuilt them from the index rows"
        if build_id:
            try:
                write_tables(
                    tables_path(path, build_id),
                    {"current": self.matcher.tables(), "former": self.former.tables()},
                    build_id=build_id,
                    rules_version=rules_version,
                )
                self.tables_note += " and saved them"
            except OSError as exc:
                self.tables_note += f" (could not save them: {exc})"
        log.warning("%s: %s", path, self.tables_note)


_CACHE: dict[tuple[str, float], LoadedIndex] = {}


def open_index(home: Path | None = None) -> LoadedIndex | None:
    """The current index, or None when no list has been loaded (cached per file version)."""
    p = index_path(home)
    try:
        mtime = p.stat().st_mtime
    except OSError:
        return None
    key = (str(p.resolve()), mtime)
    idx = _CACHE.get(key)
    if idx is None:
        for k in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[k]
        idx = LoadedIndex(p)
        _CACHE[key] = idx
    return idx


def age_days(manifest: Manifest, as_of: date) -> tuple[int | None, str]:
    """Age of a snapshot's content in days, and what it is measured from."""
    ref = manifest.published or manifest.retrieved_at
    basis = "published" if manifest.published else "retrieved"
    try:
        d = date.fromisoformat(ref[:10])
    except ValueError:
        return None, basis
    return (as_of - d).days, basis


def diff_snapshots(
    source_id: str, a: str, b: str, home: Path | None = None
) -> tuple[list[ListEntry], list[ListEntry]]:
    """Entries added in *b* relative to *a*, and removed (matched on list, entry name)."""
    ea = parse_snapshot(source_id, a, home).entries
    eb = parse_snapshot(source_id, b, home).entries

    def key(e: ListEntry) -> tuple[str, str]:
        return (e.list_id, " ".join(e.name.casefold().split()))

    ka = {key(e): e for e in ea}
    kb = {key(e): e for e in eb}
    added = [kb[k] for k in sorted(set(kb) - set(ka))]
    removed = [ka[k] for k in sorted(set(ka) - set(kb))]
    return added, removed


def resolve_snapshot(source_id: str, ref: str, home: Path | None = None) -> str:
    """A snapshot id from a full id, a unique prefix, 'current' or 'previous'."""
    snaps = [m.snapshot_id for m in list_snapshots(source_id, home)]
    if not snaps:
        raise NotFoundError(f"no snapshots of source {source_id!r}")
    cur = current_snapshots(home).get(source_id)
    if ref == "current" and cur:
        return cur
    if ref == "previous":
        older = [s for s in snaps if cur and s < cur]
        if not older:
            raise NotFoundError(f"source {source_id!r} has no snapshot older than the current one")
        return older[-1]
    found = [s for s in snaps if s.startswith(ref)]
    if len(found) != 1:
        raise NotFoundError(
            f"snapshot {ref!r} of {source_id!r}: {'ambiguous' if found else 'not found'} (have: {', '.join(snaps)})"
        )
    return found[0]


LIST_SUFFIXES = (".csv", ".json", ".xml", ".gz", ".zip")


def expand_list_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders expand to the list files in them (README/SOURCE.md and the like
    skipped). A folder with no list files of its own expands to those of its subfolders, one level
    down (``lists load ../shared/data/lists``: one folder per source)."""

    def files_in(d: Path) -> list[Path]:
        return sorted(f for f in d.iterdir() if f.is_file() and f.suffix.lower() in LIST_SUFFIXES)

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = files_in(p)
            if not found:
                for sub in sorted(d for d in p.iterdir() if d.is_dir()):
                    found.extend(files_in(sub))
            out.extend(found)
        else:
            out.append(p)
    return out


def load_paths(
    paths: Sequence[Path],
    *,
    source: str | None,
    retrieved_at: datetime,
    home: Path | None = None,
    published: str | None = None,
) -> list[Manifest]:
    """Group local files by source (detected or given), snapshot each group, rebuild the index."""
    from detente.errors import InputError
    from detente.screening.loaders import detect_source

    reg = load_registry()
    groups: dict[str, dict[str, bytes]] = {}
    origins: dict[str, list[str]] = {}
    found = expand_list_paths(paths)
    if not found:
        given = ", ".join(str(p) for p in paths)
        raise InputError(
            f"{given}: no list files found (expected {', '.join(sorted(LIST_SUFFIXES))} files, "
            "or folders of them); nothing was loaded"
        )
    for p in found:
        if not p.is_file():
            raise InputError(f"{p}: no such file")
        sid = source or detect_source(p)
        reg.source(sid)
        if p.name in groups.setdefault(sid, {}):
            raise InputError(
                f"{p}: two files named {p.name} for source {sid}; load them separately"
            )
        groups[sid][p.name] = p.read_bytes()
        origins.setdefault(sid, []).append(str(p))
    out = []
    parsed: dict[tuple[str, str], ParsedSource] = {}
    for sid, files in groups.items():
        source_parsed = parse_files(reg, sid, files)
        manifest = save_snapshot(
            sid,
            files,
            origin="local: " + ", ".join(origins[sid]),
            retrieved_at=retrieved_at,
            home=home,
            registry=reg,
            published=published,
            parsed=source_parsed,
        )
        parsed[(sid, manifest.snapshot_id)] = source_parsed
        out.append(manifest)
    build_index(home, reg, built_at=retrieved_at, parsed=parsed)
    return out
