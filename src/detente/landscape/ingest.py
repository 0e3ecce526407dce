"""Ingest works into the landscape store: streaming, bounded memory, re-runnable.

JSON Lines files are first tried on the native path (:mod:`.native`: DuckDB reads and
normalises them in SQL); files it does not reproduce exactly, and every other input, go
through the Python path below (orjson + :mod:`.normalize` + Arrow batches).

Memory is bounded by ``batch_size`` works per batch (per worker).  Each input file is
recorded in ``ingested_files`` (path, size, mtime) and skipped on the next run unless
``force``; works seen again are collapsed by :meth:`LandscapeStore.compact`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from detente.errors import Problem
from detente.landscape import native as native_sql
from detente.landscape.normalize import BadRecord, NormWork, normalize_work
from detente.landscape.paperlists import is_paperlists_record, paperlists_to_openalex
from detente.landscape.sources import Item, ProgressFile, discover, iter_file
from detente.landscape.store import LandscapeStore, to_arrow

MAX_PROBLEMS = 20
DEFAULT_BATCH = 20_000

# progress(bytes_done_delta, works_delta)
ProgressFn = Callable[[int, int], None]


class IngestReport(BaseModel):
    files: int = 0
    files_skipped: int = 0
    files_native: int = 0
    records_read: int = 0
    works_stored: int = 0
    malformed: int = 0
    problems: list[str] = []
    seconds: float = 0.0
    bytes_in: int = 0

    def summary(self) -> str:
        rate = self.records_read / self.seconds if self.seconds else 0.0
        return (
            f"{self.records_read:,} records from {self.files} file(s) "
            f"({self.files_skipped} already ingested, {self.files_native} read natively by DuckDB) "
            f"in {self.seconds:.1f}s ({rate:,.0f}/s); "
            f"{self.malformed:,} malformed skipped; {self.works_stored:,} works in store"
        )


@dataclass
class _Tally:
    read: int = 0
    malformed: int = 0
    problems: list[str] = field(default_factory=list)

    def bad(self, file: str, line: int, message: str, fld: str | None = None) -> None:
        self.malformed += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(str(Problem(message, file=file, line=line, field=fld)))


def normalise_item(item: Item, tally: _Tally) -> NormWork | None:
    """Normalise one raw item; count and skip what cannot be read (never raises)."""
    tally.read += 1
    if item.error is not None:
        tally.bad(item.file, item.line, item.error)
        return None
    rec = item.record
    try:
        if is_paperlists_record(rec):
            rec = paperlists_to_openalex(rec)
        return normalize_work(rec)
    except BadRecord as exc:
        tally.bad(item.file, item.line, exc.message, exc.field)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        tally.bad(item.file, item.line, f"unreadable record ({type(exc).__name__}: {exc})")
    return None


def iter_batches(items: Iterable[Item], batch_size: int, tally: _Tally) -> Iterator[list[NormWork]]:
    """Batches of normalised works with distinct keys (the last version in a batch wins)."""
    batch: dict[str, NormWork] = {}
    for item in items:
        w = normalise_item(item, tally)
        if w is None:
            continue
        batch[w.key] = w
        if len(batch) >= batch_size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def _seq(run: int, file_no: int, batch_no: int) -> int:
    return (run << 40) | (file_no << 20) | batch_no


@dataclass
class _FileResult:
    path: str
    read: int
    malformed: int
    problems: list[str]
    bytes_in: int
    shards: dict[str, list[str]]


def _file_to_parquet(
    path: str, staging: str, run: int, file_no: int, batch_size: int
) -> _FileResult:
    """Worker: normalise one file into Parquet shards (one per batch and table)."""
    import pyarrow.parquet as pq

    tally = _Tally()
    counters: list[ProgressFile] = []
    shards: dict[str, list[str]] = {}
    for b, works in enumerate(iter_batches(iter_file(Path(path), counters), batch_size, tally)):
        for name, tbl in to_arrow(works, _seq(run, file_no, b)).items():
            out = Path(staging) / f"{name}-{file_no:06d}-{b:05d}.parquet"
            pq.write_table(tbl, out, compression="zstd")
            shards.setdefault(name, []).append(str(out))
    nbytes = counters[0].bytes_read if counters else Path(path).stat().st_size
    return _FileResult(path, tally.read, tally.malformed, tally.problems, nbytes, shards)


def _duckdb_threads(store: LandscapeStore) -> int:
    row = store.con.execute("SELECT current_setting('threads')").fetchone()
    return max(1, int(row[0])) if row else 1


def ingest_paths(
    paths: Iterable[Path],
    db_path: Path,
    *,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 1,
    force: bool = False,
    progress: ProgressFn | None = None,
    on_files: Callable[[int], None] | None = None,
    native: bool = True,
    threads: int | None = None,
) -> IngestReport:
    """Ingest files/directories of works into the DuckDB store at ``db_path``.

    With ``native`` (the default) each JSON Lines file is first tried on the SQL path of
    :mod:`.native` (DuckDB parses and normalises it); files it does not reproduce exactly
    go through the Python path.  ``threads`` caps DuckDB's threads (default: all cores).
    """
    t0 = time.perf_counter()
    files = discover(paths)
    report = IngestReport()
    with LandscapeStore(db_path) as store:
        if threads is not None:
            store.con.execute(f"SET threads={int(threads)}")
        pending = [f for f in files if force or not store.file_done(f)]
        report.files = len(files)
        report.files_skipped = len(files) - len(pending)
        if on_files is not None:
            on_files(sum(f.stat().st_size for f in pending))
        run = store.next_run()
        tally = _Tally()
        todo: list[tuple[int, Path]] = []
        group: list[tuple[int, Path]] = []
        n_threads = _duckdb_threads(store) if native else 1

        def flush() -> None:
            done = native_sql.ingest_files(store.con, [(f, _seq(run, i, 0)) for i, f in group])
            for i, f in group:
                n = done.get(f)
                if n is None:
                    todo.append((i, f))
                    continue
                nbytes = f.stat().st_size
                tally.read += n
                report.files_native += 1
                report.bytes_in += nbytes
                store.mark_file(f, n, 0)
                if progress is not None:
                    progress(nbytes, n)
            group.clear()

        for i, f in enumerate(pending):
            if native and native_sql.eligible(f):
                group.append((i, f))
                if len(group) >= n_threads:
                    flush()
            else:
                todo.append((i, f))
        flush()
        todo.sort()
        if workers > 1 and len(todo) > 1:
            with (
                tempfile.TemporaryDirectory(
                    prefix="detente-ingest-", dir=db_path.parent
                ) as staging,
                ProcessPoolExecutor(max_workers=workers) as pool,
            ):
                futs = [
                    pool.submit(_file_to_parquet, str(f), staging, run, i, batch_size)
                    for i, f in todo
                ]
                for fut in as_completed(futs):
                    res = fut.result()
                    for name, shard_files in res.shards.items():
                        store.append_parquet(name, [Path(s) for s in shard_files])
                        for s in shard_files:
                            Path(s).unlink()
                    tally.read += res.read
                    tally.malformed += res.malformed
                    tally.problems.extend(res.problems[: MAX_PROBLEMS - len(tally.problems)])
                    report.bytes_in += res.bytes_in
                    store.mark_file(Path(res.path), res.read - res.malformed, res.malformed)
                    if progress is not None:
                        progress(res.bytes_in, res.read)
        else:
            for i, f in todo:
                counters: list[ProgressFile] = []
                before_read, before_bad, last_bytes = tally.read, tally.malformed, 0
                for b, works in enumerate(iter_batches(iter_file(f, counters), batch_size, tally)):
                    store.append(works, _seq(run, i, b))
                    if progress is not None:
                        now = counters[0].bytes_read if counters else 0
                        progress(now - last_bytes, len(works))
                        last_bytes = now
                nbytes = counters[0].bytes_read if counters else f.stat().st_size
                if progress is not None and nbytes > last_bytes:
                    progress(nbytes - last_bytes, 0)
                report.bytes_in += nbytes
                store.mark_file(f, tally.read - before_read, tally.malformed - before_bad)
        report.works_stored = store.compact()
    report.records_read = tally.read
    report.malformed = tally.malformed
    report.problems = tally.problems
    report.seconds = time.perf_counter() - t0
    return report


def ingest_records(
    records: Iterable[Any],
    db_path: Path,
    *,
    source: str = "<records>",
    batch_size: int = DEFAULT_BATCH,
) -> IngestReport:
    """Ingest already-parsed records (e.g. from the API client)."""
    t0 = time.perf_counter()
    tally = _Tally()
    items = (Item(r, source, i) for i, r in enumerate(records, start=1))
    with LandscapeStore(db_path) as store:
        run = store.next_run()
        for b, works in enumerate(iter_batches(items, batch_size, tally)):
            store.append(works, _seq(run, 0, b))
        stored = store.compact()
    return IngestReport(
        files=0,
        records_read=tally.read,
        works_stored=stored,
        malformed=tally.malformed,
        problems=tally.problems,
        seconds=time.perf_counter() - t0,
    )
