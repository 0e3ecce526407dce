"""Ingest works from the OpenAlex API: cursor paging, polite ``mailto``, retries, resumable.

The cursor after each stored page is saved in the store's ``meta`` table (same DuckDB
transaction as the data), keyed by a hash of the query, so an interrupted fetch resumes
where it stopped and a finished one is not fetched again unless ``restart``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from detente._retry import RetryPolicy, retry_after_seconds
from detente.errors import DataSourceError, InputError
from detente.landscape.ingest import IngestReport, _seq, _Tally, iter_batches
from detente.landscape.sources import Item
from detente.landscape.store import LandscapeStore

DEFAULT_BASE = "https://api.openalex.org"
RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class ApiConfig:
    base_url: str = DEFAULT_BASE
    mailto: str | None = None
    per_page: int = 200
    max_retries: int = 6
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 60.0
    connect_timeout: float = 5.0
    connect_retries: int = 1


OFFLINE_HINT = (
    "no network access to the API? Ingest an OpenAlex snapshot or a file instead: "
    "`detente landscape ingest PATH…` (snapshot folder, JSONL, API pages, Parquet)"
)


def query_key(filter_: str | None, search: str | None, base_url: str) -> str:
    raw = json.dumps([base_url, filter_ or "", search or ""])
    return "api_cursor:" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _get_page(
    client: httpx.Client,
    url: str,
    params: dict[str, Any],
    cfg: ApiConfig,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    last = ""
    connect_failures = 0
    for attempt in range(cfg.max_retries + 1):
        try:
            resp = client.get(url, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # DNS failure, refused or unreachable: retrying for a minute does not help
            connect_failures += 1
            if connect_failures > cfg.connect_retries:
                host = httpx.URL(url).host
                raise DataSourceError(
                    f"cannot connect to the OpenAlex API at {host} ({exc or type(exc).__name__}); "
                    + OFFLINE_HINT
                ) from exc
            last = f"connection failed: {exc}"
            wait = min(cfg.backoff, 1.0)
        except httpx.TransportError as exc:
            last = f"network error: {exc}"
            wait = None
        else:
            if resp.status_code == 200:
                try:
                    data = orjson.loads(resp.content)
                except orjson.JSONDecodeError:
                    last = "response is not JSON"
                    wait = None
                else:
                    if isinstance(data, dict) and isinstance(data.get("results"), list):
                        return data
                    last = "response has no results list"
                    wait = None
            elif resp.status_code in RETRY_STATUS:
                last = f"HTTP {resp.status_code}"
                wait = retry_after_seconds(resp.headers.get("Retry-After"))
            else:
                raise DataSourceError(
                    f"OpenAlex API answered HTTP {resp.status_code} for {resp.request.url}: "
                    f"{resp.text[:200]}"
                )
        if attempt == cfg.max_retries:
            break
        policy = RetryPolicy(retries=cfg.max_retries, backoff=cfg.backoff, max_wait=cfg.max_backoff)
        sleep(min(wait, cfg.max_backoff) if wait is not None else policy.wait(attempt))
    raise DataSourceError(f"OpenAlex API failed after {cfg.max_retries + 1} attempts: {last}")


def fetch_into_store(
    db_path: Path,
    *,
    filter_: str | None = None,
    search: str | None = None,
    config: ApiConfig | None = None,
    max_pages: int | None = None,
    restart: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int | None], None] | None = None,
    client: httpx.Client | None = None,
) -> IngestReport:
    """Page through ``/works`` and store every page; returns counts (malformed skipped)."""
    cfg = config or ApiConfig()
    if not filter_ and not search:
        raise InputError("give --filter and/or --search for the OpenAlex API query")
    if not 1 <= cfg.per_page <= 200:
        raise InputError("per_page must be between 1 and 200")
    t0 = time.perf_counter()
    url = cfg.base_url.rstrip("/") + "/works"
    key = query_key(filter_, search, cfg.base_url)
    tally = _Tally()
    own = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(cfg.timeout, connect=cfg.connect_timeout),
        headers={"User-Agent": "detente-landscape (+https://github.com/detente)"},
        follow_redirects=True,
    )
    try:
        with LandscapeStore(db_path) as store:
            cursor = None if restart else store.get_meta(key)
            if cursor == "done":
                return IngestReport(works_stored=store.compact(), seconds=0.0)
            cursor = cursor or "*"
            run = store.next_run()
            page = 0
            while cursor and (max_pages is None or page < max_pages):
                params: dict[str, Any] = {"per-page": cfg.per_page, "cursor": cursor}
                if filter_:
                    params["filter"] = filter_
                if search:
                    params["search"] = search
                if cfg.mailto:
                    params["mailto"] = cfg.mailto
                data = _get_page(http, url, params, cfg, sleep)
                results = data["results"]
                items = (Item(r, f"{url}?cursor={cursor}", i) for i, r in enumerate(results, 1))
                for works in iter_batches(items, len(results) + 1, tally):
                    store.append(works, _seq(run, 0, page))
                meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
                nxt = meta.get("next_cursor") if meta else None
                cursor = nxt if isinstance(nxt, str) and nxt and results else None
                store.set_meta(key, cursor or "done")
                page += 1
                if progress is not None:
                    total = meta.get("count") if meta else None
                    progress(len(results), total if isinstance(total, int) else None)
            stored = store.compact()
    finally:
        if own:
            http.close()
    return IngestReport(
        records_read=tally.read,
        works_stored=stored,
        malformed=tally.malformed,
        problems=tally.problems,
        seconds=time.perf_counter() - t0,
    )
