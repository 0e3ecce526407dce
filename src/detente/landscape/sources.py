"""Read raw work records from local files and snapshot directories, streaming.

Accepted inputs (a file or a directory, searched recursively):

* JSON Lines, plain or ``.gz`` -- one work per line (the OpenAlex snapshot's
  ``works/updated_date=…/part_*.gz``), or one API page per line;
* a JSON document, plain or ``.gz`` -- an API page ``{"meta", "results"}``, a list of
  works, or one work;
* Parquet files of works (nested columns as in the JSON);
* papercopilot/paperlists native records (detected by their ``aff_country_unique``).

Each item carries its file and line so a bad record can be reported and skipped.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from detente.errors import NotFoundError, RecordFormatError

_WHOLE_DOC_LIMIT = 512 * 1024 * 1024
# What a truncated or corrupt gzip stream raises while it is read.
_STREAM_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)
_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".ndjson", ".ndjson.gz", ".gz", ".parquet")


@dataclass(frozen=True, slots=True)
class Item:
    """One raw record, or the reason a line could not be parsed (``record`` is None)."""

    record: Any
    file: str
    line: int
    error: str | None = None


class ProgressFile(io.RawIOBase):
    """Wraps a binary file and counts bytes read (compressed bytes, for gz inputs)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._raw.readinto(b)  # type: ignore[attr-defined]
        self.bytes_read += n or 0
        return int(n or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


def discover(paths: Iterable[Path]) -> list[Path]:
    """Expand files and directories into the sorted list of input files."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and (f.name.endswith(_SUFFIXES) or f.name.startswith("part_"))
            )
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise NotFoundError(f"no such file or directory: {p}")
    return out


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def open_binary(path: Path) -> tuple[BinaryIO, ProgressFile]:
    """A buffered binary stream of the decompressed content, and its byte counter."""
    counter = ProgressFile(path.open("rb"))
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if is_gzip(path):
        return gzip.GzipFile(fileobj=buffered, mode="rb"), counter  # type: ignore[return-value]
    return buffered, counter


def _expand(obj: Any, file: str, line: int) -> Iterator[Item]:
    """An API page expands to its results; a list to its items; anything else is one record."""
    if isinstance(obj, dict) and isinstance(obj.get("results"), list) and "id" not in obj:
        for rec in obj["results"]:
            yield Item(rec, file, line)
    elif isinstance(obj, list):
        for rec in obj:
            yield Item(rec, file, line)
    else:
        yield Item(obj, file, line)


def _looks_like_lines(path: Path) -> bool:
    name = path.name.lower()
    return ".jsonl" in name or ".ndjson" in name or name.startswith("part_")


def _stream_error(file: str, line: int, exc: BaseException) -> Item:
    return Item(
        None,
        file,
        line,
        f"file truncated or corrupt ({type(exc).__name__}: {exc}); the rest of it is skipped",
    )


def iter_json_lines(stream: BinaryIO, file: str) -> Iterator[Item]:
    """One item per line; a truncated or corrupt gzip stream ends the file with one error."""
    loads = orjson.loads
    n = 0
    try:
        for n, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                obj = loads(raw)
            except orjson.JSONDecodeError as exc:
                yield Item(None, file, n, f"not valid JSON ({exc})")
                continue
            yield from _expand(obj, file, n)
    except _STREAM_ERRORS as exc:
        yield _stream_error(file, n + 1, exc)


def iter_file(path: Path, counter_out: list[ProgressFile] | None = None) -> Iterator[Item]:
    """Stream the raw records of one file."""
    file = str(path)
    if path.name.endswith(".parquet"):
        yield from _iter_parquet(path)
        return
    stream, counter = open_binary(path)
    if counter_out is not None:
        counter_out.append(counter)
    with stream:
        if _looks_like_lines(path) or path.stat().st_size > _WHOLE_DOC_LIMIT:
            yield from iter_json_lines(stream, file)
            return
        try:
            data = stream.read()
        except _STREAM_ERRORS as exc:
            yield _stream_error(file, 1, exc)
            return
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        # Not one JSON document: treat it as JSON Lines.
        yield from iter_json_lines(io.BytesIO(data), file)
        return
    yield from _expand(obj, file, 1)


def _iter_parquet(path: Path) -> Iterator[Item]:
    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise RecordFormatError(f"{path}: cannot read Parquet ({exc})") from exc
    row = 0
    for batch in pf.iter_batches(batch_size=10_000):
        for rec in batch.to_pylist():
            row += 1
            yield Item(rec, str(path), row)
