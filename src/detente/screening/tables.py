"""The matcher's search structures, persisted next to the SQLite index.

Opening the index used to rebuild the token postings, deletion neighbourhoods, phonetic keys,
acronym tables and prepared names from the SQLite rows (~3 s for every list).  ``build_index``
now also writes them to ``index.<build-id>.matcher`` (named by the index's build id, written
before the index is swapped in), and :class:`~detente.screening.store.LoadedIndex` loads them.

File layout: ``MAGIC``, one JSON header line, then a pickle of plain data (str, int, bytes,
list, dict, tuple, ``array.array``).  The header records the format version, the build id of
the index, the match-rules version, a fingerprint of the matching code and the SHA-256 and size
of the payload; any difference, a short or altered file, or an unpickling error raises
:class:`StaleTables` and the caller rebuilds the structures from the index rows instead.
Unpickling is restricted to those plain types, so the file cannot name other callables.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

MAGIC = b"DETENTE-MATCHER\n"
FORMAT = 1
_CODE_FILES = ("matching.py", "normalize.py", "entries.py", "tables.py")


class StaleTables(Exception):
    """The persisted tables are missing, stale or damaged (the message says which)."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the source of the modules that shape the tables (changes invalidate them)."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODE_FILES:
        try:
            h.update(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:
            h.update(name.encode() + b"\0?")
    return h.hexdigest()[:16]


def tables_path(index: Path, build_id: str) -> Path:
    return index.with_name(f"index.{build_id}.matcher")


def write_tables(path: Path, payload: dict[str, Any], *, build_id: str, rules_version: str) -> None:
    """Write *payload* atomically (temporary file + ``os.replace``)."""
    blob = pickle.dumps(payload, protocol=5)
    header = {
        "format": FORMAT,
        "build_id": build_id,
        "rules_version": rules_version,
        "code": code_fingerprint(),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "bytes": len(blob),
    }
    fd, tmpname = tempfile.mkstemp(prefix=".tables-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC)
            fh.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            fh.write(blob)
        os.replace(tmpname, path)
    except BaseException:
        Path(tmpname).unlink(missing_ok=True)
        raise


class _PlainUnpickler(pickle.Unpickler):
    _ALLOWED = frozenset({("array", "array"), ("array", "_array_reconstructor")})

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in matcher tables")


def read_tables(path: Path, *, build_id: str, rules_version: str) -> dict[str, Any]:
    """The payload of *path*, or :class:`StaleTables` saying why it cannot be used."""
    try:
        data = path.read_bytes()
    except OSError:
        raise StaleTables(f"{path.name} is missing") from None
    if not data.startswith(MAGIC):
        raise StaleTables(f"{path.name} is not a matcher-tables file")
    nl = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC) : nl])
    except ValueError:
        raise StaleTables(f"{path.name} has a damaged header") from None
    if not isinstance(header, dict):
        raise StaleTables(f"{path.name} has a damaged header")
    expect = {
        "format": FORMAT,
        "build_id": build_id,
        "rules_version": rules_version,
        "code": code_fingerprint(),
    }
    for k, v in expect.items():
        if header.get(k) != v:
            raise StaleTables(f"{path.name}: {k} is {header.get(k)!r}, expected {v!r}")
    blob = memoryview(data)[nl + 1 :]
    if len(blob) != header.get("bytes") or hashlib.sha256(blob).hexdigest() != header.get("sha256"):
        raise StaleTables(f"{path.name}: checksum mismatch (damaged or truncated)")
    try:
        fh = io.BytesIO(data)  # shares the buffer; no copy
        fh.seek(nl + 1)
        payload = _PlainUnpickler(fh).load()
    except Exception as exc:  # any damage the checksum did not catch
        raise StaleTables(f"{path.name} cannot be read ({exc})") from None
    if not isinstance(payload, dict):
        raise StaleTables(f"{path.name} holds no tables")
    return payload
