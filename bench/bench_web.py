"""Benchmark: the web app under concurrent load on loopback.

Starts ``uvicorn detente.web.asgi:app`` in a subprocess on 127.0.0.1 with a
fresh SQLite database (or ``--database-url``), seeds users, proposals and an
API token, then runs two bounded phases with ``--clients`` concurrent httpx
AsyncClients for ``--duration`` seconds each:

  * baseline — ``GET /healthz`` (static JSON, no database);
  * mixed    — ``GET /api/v1/proposals`` (30 %), ``GET /api/v1/proposals/{id}`` (25 %),
    ``GET /api/v1/proposals/{id}/assessment`` (25 %), ``POST /api/v1/assess`` (15 %,
    a full assessment), ``POST /api/v1/proposals/{id}/revisions`` (5 %, a stored
    revision with its assessment and audit entry; 409 on a lost race is expected
    and counted separately).

Prints requests per second, p50/p95/p99 latency and errors for each phase.
Only loopback addresses are used; the load is bounded in clients and time.

A third phase submits proposals (``POST /api/v1/proposals``: parse, assess,
store the revision, assessment, screening and audit entry).  ``--postgres URL``
runs the same phases on the loopback PostgreSQL too, in the same run.

Usage: python bench/bench_web.py [--clients 20] [--duration 15] [--workers 1]
       [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROPOSAL = """\
title: Joint verification of compute-usage claims {n}
summary: Two universities develop methods to verify claims about training compute.
areas:
  - id: verification
parties:
  - name: Example University
    country: US
    type: university
    contributes: [expertise, published_knowledge]
  - name: Partner University
    country: CN
    type: university
    contributes: [expertise]
forms: [joint_software, joint_publication]
activities: [develop_verification]
purposes: [verify_commitments]
publication: open
"""


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    resets: int = 0
    conflicts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def report(self, name: str, seconds: float) -> str:
        n = len(self.latencies)
        if n == 0:
            return f"{name:<9} no requests completed; errors {self.errors}"
        q = (
            statistics.quantiles(self.latencies, n=100, method="inclusive")
            if n > 1
            else self.latencies * 99
        )
        ms = [x * 1000 for x in (q[49], q[94], q[98])]
        extra = f", 409 conflicts {self.conflicts}" if self.conflicts else ""
        return (
            f"{name:<9} {n / seconds:8.1f} req/s  p50 {ms[0]:7.1f} ms  p95 {ms[1]:7.1f} ms  "
            f"p99 {ms[2]:7.1f} ms  requests {n}  errors {self.errors}  resets {self.resets}{extra}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str, proposals: int) -> tuple[str, list[int]]:
    from detente.store.db import open_database
    from detente.store.service import Workflow
    from detente.store.views import Actor

    db = open_database(url)
    wf = Workflow(db)
    try:
        user = wf.get_user("bench")
    except Exception:
        user = wf.create_user("bench", "bench-password", "admin")
    actor = Actor(id=user.id, username=user.username, role=user.role)
    ids = [wf.submit(actor, PROPOSAL.format(n=i)).id for i in range(proposals)]
    raw, _ = wf.create_token(actor, "bench")
    db.dispose()
    return raw, ids


async def _phase(
    base: str,
    headers: dict[str, str],
    clients: int,
    duration: float,
    pick: Callable[[httpx.AsyncClient, random.Random], Awaitable[tuple[str, httpx.Response]]],
) -> tuple[Stats, float]:
    stats = Stats()
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=30.0, limits=limits
        ) as client:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    kind, resp = await pick(client, rng)
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError):
                    stats.errors += 1
                    stats.resets += 1
                    continue
                except httpx.HTTPError:
                    stats.errors += 1
                    continue
                dt = time.perf_counter() - t0
                stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
                if resp.status_code == 409:
                    stats.conflicts += 1
                    stats.latencies.append(dt)
                elif resp.status_code >= 400:
                    stats.errors += 1
                else:
                    stats.latencies.append(dt)

    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    return stats, time.perf_counter() - start


def _pg_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the loopback PostgreSQL for this run, and how to drop it."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit("the benchmark only talks to loopback databases")
    info = f"host={u.host or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname={u.database or 'test'}"
    schema = f"detente_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(info, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", drop


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients (max 200)")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds per phase (max 120)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (max 8)")
    ap.add_argument("--proposals", type=int, default=30, help="proposals stored before the run")
    ap.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temp dir"
    )
    ap.add_argument(
        "--postgres",
        default=None,
        help="also run on this loopback PostgreSQL (a fresh schema, dropped after), e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    args = ap.parse_args()
    runs: list[str | None] = [args.database_url]
    if args.postgres:
        runs.append(args.postgres)
    for url in runs:
        drop: Callable[[], None] | None = None
        if url is not None and url.startswith("postgresql"):
            url, drop = _pg_schema(url)
        try:
            run_one(args, url)
        finally:
            if drop is not None:
                drop()


def run_one(args: argparse.Namespace, db_url: str | None) -> None:
    clients = max(1, min(args.clients, 200))
    duration = max(1.0, min(args.duration, 120.0))
    workers = max(1, min(args.workers, 8))

    home = Path(tempfile.mkdtemp(prefix="detente-bench-"))
    url = db_url or f"sqlite:///{home / 'bench.sqlite3'}"
    os.environ["DETENTE_HOME"] = str(home)
    token, ids = _seed(url, max(1, args.proposals))
    port = _free_port()
    env = {**os.environ, "DETENTE_HOME": str(home), "DATABASE_URL": url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "detente.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise SystemExit("the server exited at start-up")
            time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        revision = {pid: 1 for pid in ids}
        body = {"source": PROPOSAL.format(n="x")}

        async def health(c: httpx.AsyncClient, rng: random.Random) -> tuple[str, httpx.Response]:
            return "healthz", await c.get("/healthz")

        async def mixed(c: httpx.AsyncClient, rng: random.Random) -> tuple[str, httpx.Response]:
            r = rng.random()
            pid = rng.choice(ids)
            if r < 0.30:
                return "list", await c.get(
                    "/api/v1/proposals", params={"limit": 20, "offset": rng.randrange(0, 40)}
                )
            if r < 0.55:
                return "get", await c.get(f"/api/v1/proposals/{pid}")
            if r < 0.80:
                return "assessment", await c.get(f"/api/v1/proposals/{pid}/assessment")
            if r < 0.95:
                return "assess", await c.post("/api/v1/assess", json=body)
            base_rev = revision[pid]
            resp = await c.post(
                f"/api/v1/proposals/{pid}/revisions",
                json={
                    "source": PROPOSAL.format(n=f"{pid} r{base_rev + 1}"),
                    "base_revision": base_rev,
                },
            )
            if resp.status_code == 201:
                revision[pid] = max(revision[pid], int(resp.json()["current_revision"]))
            elif resp.status_code == 409:
                revision[pid] += 1
            return "revise", resp

        print(
            f"Détente web benchmark: {clients} clients × {duration:.0f} s per phase, {workers} uvicorn worker(s), "
            f"{'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}, {len(ids)} proposals seeded, loopback only"
        )
        s1, t1 = asyncio.run(_phase(base, headers, clients, duration, health))
        print(s1.report("baseline", t1) + "   (GET /healthz)")
        s2, t2 = asyncio.run(_phase(base, headers, clients, duration, mixed))
        print(s2.report("mixed", t2) + "   (reads, assessments, revisions)")
        print(
            "mixed requests by kind: "
            + ", ".join(f"{k} {v}" for k, v in sorted(s2.by_kind.items()))
        )
        counter = iter(range(10**9))

        async def submit(c: httpx.AsyncClient, rng: random.Random) -> tuple[str, httpx.Response]:
            n = next(counter)
            return "submit", await c.post(
                "/api/v1/proposals", json={"source": PROPOSAL.format(n=f"s{n}")}
            )

        s3, t3 = asyncio.run(_phase(base, headers, clients, duration, submit))
        print(s3.report("submit", t3) + "   (POST /api/v1/proposals: assess + store + audit)")
        print(
            f"mixed / healthz throughput: {len(s2.latencies) / t2 / max(1e-9, len(s1.latencies) / t1):.2f}"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
