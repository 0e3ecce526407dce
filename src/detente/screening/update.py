"""Download official list files, validate them, and swap the new snapshot in atomically.

A source's files are all downloaded first (with retries and timeouts); the snapshot is only
made current if every required file arrived whole, parsed, and did not shrink implausibly.
Otherwise the previous snapshot stays in use and the outcome says why.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from detente._retry import RETRY_STATUS, RetryPolicy, retrying
from detente.errors import DetenteError
from detente.screening.entries import ParsedSource
from detente.screening.registry import Registry, SourceSpec, load_registry
from detente.screening.store import (
    Manifest,
    build_index,
    current_snapshots,
    parse_files,
    read_manifest,
    save_snapshot,
)

SHRINK_LIMIT = 0.5  # refuse a new snapshot with fewer than half the previous entries


@dataclass
class UpdateOutcome:
    source_id: str
    ok: bool
    message: str
    manifest: Manifest | None = None
    kept_previous: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256
    skipped: bool = False  # nothing to download: the source is not published as data


class DownloadError(Exception):
    pass


def _fetch(
    client: object,
    url: str,
    retries: int,
    sleep: Callable[[float], None] | None = None,
    policy: RetryPolicy | None = None,
) -> bytes:
    """GET ``url`` with the shared retry policy: 429/5xx and network errors are retried after
    a backoff (or the server's ``Retry-After``), other 4xx fail at once."""
    import httpx

    assert isinstance(client, httpx.Client)
    pol = policy or RetryPolicy(retries=retries)
    last = ""
    got: list[bytes] = []

    def once(_attempt: int) -> tuple[bool, str | None]:
        nonlocal last
        try:
            resp = client.get(url)
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__} fetching {url}: {exc}"
            return False, None
        if resp.status_code != 200:
            last = f"HTTP {resp.status_code} from {url}"
            return resp.status_code not in RETRY_STATUS, resp.headers.get("retry-after")
        data = resp.content
        expected = resp.headers.get("content-length")
        if (
            expected is not None
            and resp.headers.get("content-encoding") in (None, "identity")
            and int(expected) != len(data)
        ):
            last = f"truncated download from {url}: {len(data)} of {expected} bytes"
            return False, None
        if not data:
            last = f"empty response from {url}"
            return False, None
        got.append(data)
        return True, None

    retrying(once, pol, sleep or time.sleep)
    if got:
        return got[0]
    raise DownloadError(last or f"could not fetch {url}")


def _validate(spec: SourceSpec, files: dict[str, bytes]) -> None:
    if spec.format == "ofac_csv":
        for name, data in files.items():
            if not data.rstrip(b"\r\n").endswith(b"\x1a"):
                raise DownloadError(
                    f"{name}: no 0x1A end-of-file marker; the OFAC file looks truncated"
                )


def _not_published(spec: SourceSpec, prev: str | None) -> UpdateOutcome:
    """The outcome for a source with nothing to download (no structured data, or user-supplied)."""
    if spec.published_as_data:
        msg = "nothing to download (load the files with `detente lists load`)"
    else:
        msg = "not published as data by the issuing authority; " + " ".join(
            spec.publication_note.split()
        )
        if spec.notices:
            msg += " Official notices: " + ", ".join(spec.notices) + "."
    msg += f" Current snapshot: {prev}." if prev else " Not loaded: its lists are NOT CHECKED."
    return UpdateOutcome(spec.id, True, msg, kept_previous=prev, skipped=True)


def update_sources(
    source_ids: Sequence[str] | None = None,
    *,
    home: Path | None = None,
    now: datetime,
    url_for: Callable[[SourceSpec, str, str], str] | None = None,
    timeout: float = 60.0,
    retries: int = 2,
    registry: Registry | None = None,
    force: bool = False,
    expected_sha256: dict[str, str] | None = None,
) -> list[UpdateOutcome]:
    """Download and install the given sources (default: every source with download URLs)."""
    import httpx

    reg = registry or load_registry()
    specs = (
        [reg.source(s) for s in source_ids]
        if source_ids
        else [s for s in reg.sources if s.files or not s.published_as_data]
    )
    outcomes: list[UpdateOutcome] = []
    changed = False
    parsed: dict[tuple[str, str], ParsedSource] = {}  # what was saved, for the index build
    current = current_snapshots(home)
    with httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": "detente-screening (+https://github.com/)"},
    ) as client:
        for spec in specs:
            prev = current.get(spec.id)
            if not spec.files:
                outcomes.append(_not_published(spec, prev))
                continue
            files: dict[str, bytes] = {}
            try:
                for name, url in spec.files.items():
                    real = url_for(spec, name, url) if url_for else url
                    try:
                        files[name] = _fetch(client, real, retries)
                    except DownloadError:
                        if name in spec.required or not spec.required:
                            raise
                        continue
                    want = (expected_sha256 or {}).get(f"{spec.id}/{name}")
                    if want and hashlib.sha256(files[name]).hexdigest() != want:
                        raise DownloadError(f"{name}: checksum mismatch (expected {want[:12]}…)")
                _validate(spec, files)
                source_parsed = parse_files(reg, spec.id, files)
                if prev and not force:
                    old = read_manifest(spec.id, prev, home)
                    n_new = len(source_parsed.entries)
                    if n_new < old.entries * SHRINK_LIMIT:
                        raise DownloadError(
                            f"new download has {n_new} entries, previous snapshot {old.entries}; "
                            "refusing a shrink of more than half (use --force if the list really shrank)"
                        )
                manifest = save_snapshot(
                    spec.id,
                    files,
                    origin="download: "
                    + ", ".join(
                        url_for(spec, n, u) if url_for else u
                        for n, u in spec.files.items()
                        if n in files
                    ),
                    retrieved_at=now,
                    home=home,
                    registry=reg,
                    parsed=source_parsed,
                )
                parsed[(spec.id, manifest.snapshot_id)] = source_parsed
                changed = True
                outcomes.append(
                    UpdateOutcome(
                        spec.id,
                        True,
                        f"updated: {manifest.entries} entries, snapshot {manifest.snapshot_id}",
                        manifest=manifest,
                        files={n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
                    )
                )
            except (DownloadError, DetenteError) as exc:
                keep = (
                    f"kept previous snapshot {prev}"
                    if prev
                    else "no previous snapshot: this list is NOT loaded"
                )
                outcomes.append(
                    UpdateOutcome(
                        spec.id, False, f"update failed ({exc}); {keep}", kept_previous=prev
                    )
                )
    if changed:
        build_index(home, reg, built_at=now, parsed=parsed)
    return outcomes
