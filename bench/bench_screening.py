"""Benchmark of Détente's screening against nomenklatura logic-v2 (the algorithm the pinned
nomenklatura ships for screening) and logic-v1, on the same names in the same run.

    nice .venv/bin/python bench/bench_screening.py [--lists ../shared/data/lists] [--names 5000]
        [--nk-names 300] [--repeat 3]

Prints: precision / recall / F1 of each algorithm on the labelled person and organisation pairs
(tests/screening/data, in-sample and held-out, separately); index build/open times; then, each
in its own process so that peak RSS is its own: names per second per core (CPU time, best of
--repeat passes; wall time too, and the load average, since the machine may be shared)
screening synthetic names against every list, and peak RSS.  nomenklatura is a
pair scorer: it gets a plain token-index blocking over the same entries (:class:`NkScreener`).
nomenklatura's processes also hold Détente's opened index (they read the entries from it).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "screening"))

from evaluation import Pair, detente_decider, evaluate, load_pairs, totals  # noqa: E402

from detente.screening.store import LoadedIndex, load_paths, open_index  # noqa: E402


def rss_mb() -> float:
    """Peak RSS of this process image (VmHWM: reset by exec, unlike ru_maxrss, which a child
    inherits from the parent it was forked from)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(lists: Path, home: Path) -> tuple[LoadedIndex, float, float]:
    files = sorted(p for p in lists.glob("*/*") if p.name != "SOURCE.md")
    t0 = time.perf_counter()
    load_paths(files, source=None, retrieved_at=datetime.now(UTC), home=home)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    idx = open_index(home)
    t_load = time.perf_counter() - t0
    assert idx is not None
    return idx, t_build, t_load


def open_times(home: Path) -> None:
    """Index open: cold (new LoadedIndex from the persisted tables, wall and CPU), warm (the
    per-process cache), and the fallback that rebuilds the tables from the index rows."""
    from detente.screening.store import _CACHE, index_path

    p = index_path(home)
    walls, cpus = [], []
    for _ in range(3):
        _CACHE.clear()
        w, c = time.perf_counter(), time.process_time()
        open_index(home)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    w = time.perf_counter()
    open_index(home)
    warm = time.perf_counter() - w
    print(
        f"index open, cold (persisted tables): {min(walls) * 1000:.0f} ms wall, "
        f"{min(cpus) * 1000:.0f} ms CPU (best of 3); warm (cached): {warm * 1e6:.0f} µs"
    )
    (tables,) = p.parent.glob("index.*.matcher")
    saved = tables.read_bytes()
    tables.unlink()
    c = time.process_time()
    LoadedIndex(p)  # rebuilds from the rows and rewrites the tables
    print(f"index open without tables (rebuild from rows): {time.process_time() - c:.2f}s CPU")
    tables.write_bytes(saved)


def rapidfuzz_decider(idx: LoadedIndex, threshold: float = 90.0):  # type: ignore[no-untyped-def]
    from rapidfuzz import fuzz, process, utils

    names = [n.form.text for n in idx.matcher.names]
    owner = [n.entry for n in idx.matcher.names]
    pre = [utils.default_process(n) for n in names]

    def decide(p: Pair) -> tuple[bool, bool, list[str]]:
        res = process.extract(
            utils.default_process(p.query),
            pre,
            scorer=fuzz.token_set_ratio,
            score_cutoff=threshold,
            limit=10,
        )
        hits = []
        for _choice, _score, i in res:
            e = idx.matcher.entries[owner[i]]
            hits += [e.name, names[i]]
        return bool(res), False, hits

    return decide


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class NkScreener:
    """nomenklatura's entity comparison over the same list entries, with a plain token-index
    blocking (every entry sharing a word that is not among the most frequent; at most
    ``limit`` candidates, most shared words first), the way a yente-like index narrows the
    candidates before scoring."""

    def __init__(self, idx: LoadedIndex, algorithm: str, limit: int = 50) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm

        self.algo: Any = get_algorithm(algorithm)
        self.cfg = self.algo.default_config()
        self.model = model
        self.limit = limit
        self.ents: list[Any] = []
        self.post: dict[str, list[int]] = {}
        for e in idx.matcher.entries:
            if e.schema == "other":
                continue
            schema = {"person": "Person", "org": "Organization"}.get(e.schema, "LegalEntity")
            ent = model.make_entity(schema)
            ent.id = f"e{len(self.ents)}"
            ent.add("name", e.name)
            ent.add("alias", [*e.aliases, *e.acronyms, *e.native_names])
            if schema != "Person":
                ent.add("country", list(e.countries))
            k = len(self.ents)
            self.ents.append(ent)
            for w in {w.lower() for n in (e.name, *e.aliases) for w in _WORD.findall(n)}:
                self.post.setdefault(w, []).append(k)
        self.max_df = max(50, len(self.ents) // 100)
        self.n = 0

    def screen(self, name: str, typ: str, country: str | None) -> float:
        acc: dict[int, int] = {}
        for w in {w.lower() for w in _WORD.findall(name)}:
            post = self.post.get(w, ())
            if len(post) > self.max_df:
                continue
            for k in post:
                acc[k] = acc.get(k, 0) + 1
        cands = sorted(acc, key=lambda k: -acc[k])[: self.limit]
        self.n += 1
        q = self.model.make_entity("Person" if typ == "person" else "Organization")
        q.id = f"q{self.n}"
        q.add("name", name)
        if country and typ != "person":
            q.add("country", country)
        best = 0.0
        for k in cands:
            ent = self.ents[k]
            if (ent.schema.name == "Person") != (typ == "person"):
                continue
            best = max(best, float(self.algo.compare(q, ent, self.cfg).score))
        return best


def _child(args: argparse.Namespace) -> None:
    """One measurement in a fresh process, so that peak RSS belongs to it alone."""
    from detente.screening.diligence import screen

    idx = open_index(args.home)
    assert idx is not None
    names = synthetic_names(idx, args.names)
    best = best_wall = 0.0
    statuses: dict[str, int] = {}
    if args.child == "detente":
        first = 0.0
        for _ in range(args.repeat):
            statuses = {}
            c0, w0 = time.process_time(), time.perf_counter()
            for name, typ, cc in names:
                r = screen(idx, name, schema=typ, country=cc)
                statuses[r.status] = statuses.get(r.status, 0) + 1
            rate = len(names) / (time.process_time() - c0)
            first = first or rate
            best = max(best, rate)
            best_wall = max(best_wall, len(names) / (time.perf_counter() - w0))
        c0 = time.process_time()
        for name, typ, cc in names:
            idx.matcher.match(name, schema=typ, country=cc)
        extra = (
            f"; first pass {first:.0f} names/s CPU (list names prepared on first use); "
            f"matcher alone {len(names) / (time.process_time() - c0):.0f} names/s CPU"
        )
    else:
        c0 = time.process_time()
        nk = NkScreener(idx, args.child)
        prep = time.process_time() - c0
        nk.screen("warm up the name data", "org", None)
        nk.screen("Warm Up", "person", None)
        names = names[: args.nk_names]
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            n_hit = 0
            for name, typ, cc in names:
                n_hit += nk.screen(name, typ, cc) >= 0.7
            best = max(best, len(names) / (time.process_time() - c0))
            best_wall = max(best_wall, len(names) / (time.perf_counter() - w0))
        statuses = {"score>=0.7": n_hit}
        extra = f"; entities + token index built in {prep:.1f}s CPU"
    print(
        f"RESULT {args.child:10} {len(names):>6} names  {best:>8.0f} names/s per core (CPU time), "
        f"{best_wall:.0f} names/s wall (best of {args.repeat}; load average "
        f"{os.getloadavg()[0]:.1f})  peak RSS {rss_mb():.0f} MB  {statuses}{extra}",
        flush=True,
    )


def synthetic_names(idx: LoadedIndex, n: int, seed: int = 7) -> list[tuple[str, str, str | None]]:
    rng = random.Random(seed)
    listed = [e for e in idx.matcher.entries if e.schema != "other"]
    words = [
        "Advanced",
        "Global",
        "Pacific",
        "Northern",
        "United",
        "Quantum",
        "Digital",
        "Bright",
        "Harbor",
        "Summit",
        "Blue",
        "River",
        "Stone",
        "Cedar",
        "Nova",
        "Vector",
        "Atlas",
        "Orion",
        "Delta",
        "Prime",
        "Lotus",
        "Jade",
        "Silver",
        "Eagle",
    ]
    kinds = [
        "Technologies Ltd",
        "University",
        "Institute of Technology",
        "Research Center",
        "Holdings Co., Ltd.",
        "Laboratory",
        "Trading LLC",
        "Systems Inc.",
        "Academy of Sciences",
        "Foundation",
    ]
    given = [
        "Wei",
        "Li",
        "Anna",
        "Maria",
        "Pavel",
        "Olga",
        "Ahmad",
        "John",
        "Elena",
        "Yusuf",
        "Hiroshi",
        "Priya",
        "Carlos",
    ]
    surnames = [
        "Zhang",
        "Wang",
        "Smith",
        "Ivanov",
        "Garcia",
        "Kim",
        "Nguyen",
        "Khan",
        "Mueller",
        "Rossi",
        "Tanaka",
        "Silva",
    ]
    out: list[tuple[str, str, str | None]] = []
    for i in range(n):
        r = rng.random()
        if r < 0.3:
            e = rng.choice(listed)
            name = e.name
            if rng.random() < 0.5 and len(name) > 6:
                j = rng.randrange(1, len(name) - 1)
                name = name[:j] + name[j + 1 :]
            out.append((name, "person" if e.schema == "person" else "org", None))
        elif r < 0.75:
            out.append(
                (
                    f"{rng.choice(words)} {rng.choice(words)} {rng.choice(kinds)}",
                    "org",
                    rng.choice(["CN", "US", "GB", None]),
                )
            )
        else:
            out.append((f"{rng.choice(given)} {rng.choice(surnames)}", "person", None))
        if i % 97 == 0:
            out[-1] = (
                rng.choice(["清华大学", "北京大学", "哈尔滨工业大学", "Московский университет"]),
                "org",
                None,
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lists", type=Path, default=REPO.parent / "shared" / "data" / "lists")
    ap.add_argument("--names", type=int, default=5_000)
    ap.add_argument("--nk-names", type=int, default=300, help="names for nomenklatura (slow)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timed passes")
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    if not args.lists.is_dir():
        sys.exit(f"lists not found: {args.lists}")
    print("== labelled pairs (tests/screening/data): persons and organisations, same run ==")
    from pair_sets import run as run_pairs
    from pair_sets import table as pair_table

    algs = ("detente",) if args.skip_baselines else ("detente", "logic-v2", "logic-v1")
    print(pair_table(run_pairs(algs)))
    print(
        "in-sample: rules tuned on it; held-out: written by hand before tuning, never tuned on.\n"
        "Thresholds: Détente's hit threshold; nomenklatura 0.7 (yente's default). The oracle\n"
        "column is the best threshold on that very set (context only)."
    )
    with tempfile.TemporaryDirectory() as tmp:
        idx, t_build, t_load = build(args.lists, Path(tmp))
        print(f"\nindex: {len(idx.matcher.entries)} entries, {len(idx.matcher.names)} name forms")
        print(f"index build: {t_build:.2f}s; first open: {t_load:.2f}s")
        open_times(Path(tmp))
        pairs = load_pairs()
        res, _dt = evaluate(pairs, detente_decider(idx))
        p, r = totals(res)
        print(f"list-level evaluation ({len(pairs)} cases, eval/pairs.csv): P {p:.3f} R {r:.3f}")
        print("\n== screening throughput and memory (each in its own process; CPU time) ==")
        children = ["detente"] + ([] if args.skip_baselines else ["logic-v2", "logic-v1"])
        for child in children:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    child,
                    "--home",
                    tmp,
                    "--names",
                    str(args.names),
                    "--nk-names",
                    str(args.nk_names),
                    "--repeat",
                    str(args.repeat),
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
