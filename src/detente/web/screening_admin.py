"""The admin side of restricted-party lists: status, updates from official sources, uploads.

Everything goes through the screening capability's own functions — the same
code as ``detente lists status``, ``detente lists update`` and ``detente lists
load`` — never a shell.  An update runs in a background thread; its start and
its result (per source: updated, kept the previous snapshot, or failed, with
the message) are audit entries, so any worker can show them.  A failed or
partial download keeps the previous snapshot (the screening library does that).

One update or load at a time per server process; a second one gets 409.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.errors import ConflictError, DetenteError, InputError, NotFoundError, Problem
from detente.store.service import Workflow
from detente.store.views import Actor, AuditView

if TYPE_CHECKING:
    from detente.screening.registry import SourceSpec
    from detente.screening.update import UpdateOutcome

log = logging.getLogger("detente.web.lists")

LIST_UPLOAD_PATHS = ("/admin/lists/load", "/api/v1/lists/load")
MAX_LIST_FILES = 20
UPDATE_START = "lists.update_start"
UPDATE_DONE = "lists.update"
LOAD = "lists.load"
LOAD_FAILED = "lists.load_failed"
JOB_ACTIONS = (UPDATE_START, UPDATE_DONE, LOAD, LOAD_FAILED)


def list_status() -> dict[str, Any]:
    from detente.screening import list_status as status  # screening is part of the core install

    try:
        lists = list(status())
    except Exception as exc:  # a broken list store must not break the admin page
        return {
            "available": False,
            "reason": f"the list status could not be read: {exc}",
            "lists": [],
        }
    return {"available": True, "reason": "", "lists": lists}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def downloadable_sources() -> list[tuple[str, str]]:
    """(id, title) of every registered source with download URLs (what an update fetches)."""
    from detente.screening.registry import load_registry

    return [(s.id, s.title) for s in load_registry().sources if s.files]


def all_sources() -> list[tuple[str, str]]:
    from detente.screening.registry import load_registry

    return [(s.id, s.title) for s in load_registry().sources]


def check_sources(ids: Sequence[str], *, downloadable: bool) -> list[str]:
    """The source ids, each known (and with download URLs when ``downloadable``), else InputError."""
    known = dict(downloadable_sources() if downloadable else all_sources())
    out: list[str] = []
    problems: list[Problem] = []
    for i, sid in enumerate(ids):
        sid = sid.strip()
        if not sid:
            continue
        if sid not in known:
            what = "a source with download URLs" if downloadable else "a registered source"
            problems.append(
                Problem(
                    f"{sid!r} is not {what} (known: {', '.join(sorted(known))})",
                    field=f"sources[{i}]" if downloadable else "source",
                )
            )
        elif sid not in out:
            out.append(sid)
    if problems:
        raise InputError("unknown list source", problems=problems)
    return out


def outcome_row(o: UpdateOutcome) -> dict[str, Any]:
    """One source's update result as stored in the audit log and shown on the page."""
    if o.skipped:
        result = "not_published"  # nothing to download (e.g. China publishes notices, not data)
    elif o.ok:
        result = "updated"
    elif o.kept_previous:
        result = "kept_previous"
    else:
        result = "failed"
    return {
        "source_id": o.source_id,
        "result": result,
        "message": o.message,
        "snapshot_id": o.manifest.snapshot_id if o.manifest else o.kept_previous,
        "entries": o.manifest.entries if o.manifest else None,
    }


def _state_of(rows: Sequence[dict[str, Any]]) -> str:
    rows = [r for r in rows if r["result"] != "not_published"]
    if rows and all(r["result"] == "updated" for r in rows):
        return "done"
    if any(r["result"] == "updated" for r in rows):
        return "partial"
    return "failed"


def mirror_url_for(mirror: str | None) -> Callable[[SourceSpec, str, str], str] | None:
    """``<mirror>/<source>/<file>`` instead of the official URL (as ``lists update --mirror``)."""
    if not mirror:
        return None
    base = mirror.rstrip("/")

    def url_for(spec: SourceSpec, name: str, url: str) -> str:
        return f"{base}/{spec.id}/{name}"

    return url_for


@dataclass
class Upload:
    filename: str
    data: bytes


def _safe_name(name: str, i: int) -> str:
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base in {".", ".."} or base.startswith("."):
        raise InputError(
            "an uploaded list file has no usable name",
            problems=[Problem(f"file name {name!r} cannot be used", field=f"files[{i}]")],
        )
    return base[:200]


@dataclass
class ListJobs:
    """List updates (background threads) and uploads of this server process."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _busy: str = ""
    _threads: list[threading.Thread] = field(default_factory=list)

    def _acquire(self, what: str) -> None:
        with self._lock:
            if self._busy:
                raise ConflictError(
                    f"a list {self._busy} is already running on this server; "
                    "wait until it has finished (the Lists page shows it)"
                )
            self._busy = what

    def _release(self) -> None:
        with self._lock:
            self._busy = ""

    @property
    def busy(self) -> str:
        return self._busy

    def start_update(
        self,
        wf: Workflow,
        actor: Actor,
        sources: Sequence[str],
        *,
        mirror: str | None,
        timeout: float,
        retries: int,
        home: Path | None = None,
    ) -> int:
        """Start ``update_sources`` in a background thread; the job id is its audit entry's number."""
        ids = check_sources(sources, downloadable=True)
        self._acquire("update")
        try:
            job = wf.record(
                actor,
                UPDATE_START,
                "lists",
                "update",
                {
                    "sources": ids or "all with download URLs",
                    "mirror": mirror or "",
                    "worker": WORKER,
                },
            )
            t = threading.Thread(
                target=self._run_update,
                args=(wf, actor, job, ids, mirror, timeout, retries, home),
                name=f"detente-lists-update-{job}",
                daemon=True,
            )
            self._threads.append(t)
            t.start()
        except BaseException:
            self._release()
            raise
        return job

    def _run_update(
        self,
        wf: Workflow,
        actor: Actor,
        job: int,
        ids: list[str],
        mirror: str | None,
        timeout: float,
        retries: int,
        home: Path | None,
    ) -> None:
        details: dict[str, Any]
        try:
            from detente.screening.update import update_sources

            outcomes = update_sources(
                ids or None,
                home=home,
                now=_now(),
                url_for=mirror_url_for(mirror),
                timeout=timeout,
                retries=retries,
            )
            rows = [outcome_row(o) for o in outcomes]
            details = {"job": job, "state": _state_of(rows), "outcomes": rows}
        except Exception as exc:  # the job must always end with an audit entry
            log.exception("list update %s failed", job)
            msg = exc.message if isinstance(exc, DetenteError) else f"{type(exc).__name__}: {exc}"
            details = {"job": job, "state": "failed", "error": msg, "outcomes": []}
        try:
            wf.record(actor, UPDATE_DONE, "lists", str(job), details)
        except Exception:
            log.exception("could not record the end of list update %s", job)
        finally:
            self._release()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background updates started so far (tests, shutdown)."""
        for t in list(self._threads):
            t.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]

    def load(
        self,
        wf: Workflow,
        actor: Actor,
        uploads: Sequence[Upload],
        *,
        source: str | None = None,
        published: str | None = None,
        home: Path | None = None,
    ) -> list[dict[str, Any]]:
        """``load_paths`` on uploaded files (written under their own names); the snapshots made."""
        from detente.screening.store import load_paths

        if not uploads:
            raise InputError(
                "choose one or more list files to load",
                problems=[Problem("no file chosen", field="files")],
            )
        if len(uploads) > MAX_LIST_FILES:
            raise InputError(
                f"load at most {MAX_LIST_FILES} files at once",
                problems=[Problem("too many files", field="files")],
            )
        checked = check_sources([source], downloadable=False) if source else []
        src = checked[0] if checked else None
        if published:
            try:
                date.fromisoformat(published)
            except ValueError:
                raise InputError(
                    f"published {published!r} is not a YYYY-MM-DD date",
                    problems=[Problem("not a YYYY-MM-DD date", field="published")],
                ) from None
        names = [_safe_name(u.filename, i) for i, u in enumerate(uploads)]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(
                f"two uploaded files are named {dup[0]}; load them separately",
                problems=[Problem("duplicate file name", field="files")],
            )
        self._acquire("load")
        try:
            with tempfile.TemporaryDirectory(prefix="detente-lists-") as tmp:
                paths = []
                for name, u in zip(names, uploads, strict=True):
                    p = Path(tmp) / name
                    p.write_bytes(u.data)
                    paths.append(p)
                try:
                    manifests = load_paths(
                        paths, source=src, retrieved_at=_now(), home=home, published=published
                    )
                except DetenteError as exc:
                    _as_uploaded(exc, Path(tmp))
                    wf.record(
                        actor,
                        LOAD_FAILED,
                        "lists",
                        "load",
                        {"files": names, "source": src or "", "error": exc.message},
                    )
                    raise
            rows = [
                {
                    "source_id": m.source_id,
                    "snapshot_id": m.snapshot_id,
                    "entries": m.entries,
                    "lists": dict(m.lists),
                    "published": m.published,
                    "files": {n: f.rows for n, f in m.files.items()},
                    "notes": list(m.notes),
                }
                for m in manifests
            ]
            wf.record(
                actor,
                LOAD,
                "lists",
                "load",
                {
                    "files": {
                        n: {"bytes": len(u.data)} for n, u in zip(names, uploads, strict=True)
                    },
                    "snapshots": rows,
                },
            )
            return rows
        finally:
            self._release()


def _as_uploaded(exc: DetenteError, folder: Path) -> None:
    """Name the files as the admin uploaded them: not the server's temporary folder, and the
    form's source choice rather than the CLI's option."""

    def clean(text: str) -> str:
        return text.replace(f"{folder}{os.sep}", "").replace(
            "pass --source ID", "choose its source"
        )

    exc.message = clean(exc.message)
    exc.problems = tuple(replace(p, file=clean(p.file)) if p.file else p for p in exc.problems)


WORKER = f"{socket.gethostname()}:{os.getpid()}"
STALE_AFTER = timedelta(hours=2)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def stale_reason(start: AuditView, now: datetime | None = None) -> str:
    """Why an update with no recorded end can no longer be running ('' if it may still be)."""
    worker = str(start.details.get("worker") or "")
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            alive = any(
                t.name == f"detente-lists-update-{start.seq}" and t.is_alive()
                for t in threading.enumerate()
            )
            if not alive:
                return "the update's thread ended without recording a result"
        elif not _pid_alive(int(pid)):
            return f"the worker process {pid} that ran the update has stopped"
    try:
        started = datetime.fromisoformat(start.at)
    except ValueError:
        return ""
    if (now or _now()) - started > STALE_AFTER:
        return f"no result after {int(STALE_AFTER.total_seconds() // 3600)} hours"
    return ""


def _job_of(start: AuditView, end: AuditView | None) -> dict[str, Any]:
    if start.action == UPDATE_START:
        d: dict[str, Any] = dict(end.details) if end else {}
        if end is None:
            why = stale_reason(start)
            if why:
                d = {"state": "failed", "error": f"stale: {why}; start the update again"}
        return {
            "id": start.seq,
            "kind": "update",
            "by": start.actor,
            "started_at": start.at,
            "finished_at": end.at if end else None,
            "state": str(d.get("state", "running")),
            "sources": start.details.get("sources"),
            "error": d.get("error", ""),
            "outcomes": list(d.get("outcomes", [])),
            "snapshots": [],
        }
    return {
        "id": start.seq,
        "kind": "load",
        "by": start.actor,
        "started_at": start.at,
        "finished_at": start.at,
        "state": "done" if start.action == LOAD else "failed",
        "sources": start.details.get("source") or "",
        "error": start.details.get("error", ""),
        "outcomes": [],
        "snapshots": list(start.details.get("snapshots", [])),
        "files": start.details.get("files"),
    }


def recent_jobs(wf: Workflow, limit: int = 10) -> list[dict[str, Any]]:
    """The newest list updates and loads, from the audit log (so every worker sees them)."""
    entries = wf.audit_by_action(JOB_ACTIONS, limit=4 * limit)
    ends = {str(e.details.get("job")): e for e in entries if e.action == UPDATE_DONE}
    jobs = [
        _job_of(e, ends.get(str(e.seq)))
        for e in entries
        if e.action in (UPDATE_START, LOAD, LOAD_FAILED)
    ]
    return jobs[:limit]


def job(wf: Workflow, job_id: int) -> dict[str, Any]:
    start = wf.audit_entry(job_id)
    if start is None or start.action not in (UPDATE_START, LOAD, LOAD_FAILED):
        raise NotFoundError(f"no list update or load with id {job_id}")
    ends = wf.audit_by_action((UPDATE_DONE,), object_id=str(job_id), limit=1)
    return _job_of(start, ends[0] if ends else None)
