"""Benchmark of Détente's screening against nomenklatura's logic_v1 and a rapidfuzz token-set baseline.

    .venv/bin/python bench/bench_screening.py [--lists /work/shared/data/lists] [--names 10000]

Prints: index build/load time; precision, recall and time for each algorithm on the labelled
pairs (tests/screening/eval/pairs.csv); names per second screening N names against every list;
peak RSS.  Blocking for nomenklatura is Détente's candidate generation (nomenklatura is a pair
scorer); the rapidfuzz baseline scans every list name (process.extract, C implementation).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "screening"))

from evaluation import Pair, detente_decider, evaluate, load_pairs, table, totals  # noqa: E402

from detente.screening.normalize import tokens  # noqa: E402
from detente.screening.store import LoadedIndex, load_paths, open_index  # noqa: E402


def rss_mb() -> float:
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


def nomenklatura_decider(idx: LoadedIndex, threshold: float = 0.7):  # type: ignore[no-untyped-def]
    from followthemoney import model
    from nomenklatura.matching import LogicV1, ScoringConfig

    cfg = ScoringConfig(weights={}, config={})
    cache: dict[int, object] = {}

    def ent_of(i: int) -> object:
        if i not in cache:
            e = idx.matcher.entries[i]
            schema = (
                "Person"
                if e.schema == "person"
                else "Organization"
                if e.schema == "org"
                else "LegalEntity"
            )
            ent = model.make_entity(schema)
            ent.id = f"e{i}"
            ent.add("name", e.name)
            ent.add("alias", list(e.aliases) + list(e.acronyms) + list(e.native_names))
            if schema != "Person":
                ent.add("country", list(e.countries))
            cache[i] = ent
        return cache[i]

    def decide(p: Pair) -> tuple[bool, bool, list[str]]:
        schema = "Person" if p.type == "person" else "Organization"
        q = model.make_entity(schema)
        q.id = "q"
        q.add("name", p.query)
        if p.country and schema != "Person":
            q.add("country", p.country)
        from detente.screening.matching import prepare

        cand_entries = {
            idx.matcher.names[i].entry for i in idx.matcher.candidates(prepare(p.query), p.type)
        }
        hits = []
        for ei in cand_entries:
            r = LogicV1.compare(q, ent_of(ei), cfg)  # type: ignore[arg-type]
            if r.score >= threshold:
                e = idx.matcher.entries[ei]
                hits += [e.name, *e.aliases]
        return bool(hits), False, hits

    return decide


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
    ap.add_argument("--names", type=int, default=10_000)
    ap.add_argument("--skip-baselines", action="store_true")
    args = ap.parse_args()
    if not args.lists.is_dir():
        sys.exit(f"lists not found: {args.lists}")
    with tempfile.TemporaryDirectory() as tmp:
        idx, t_build, t_load = build(args.lists, Path(tmp))
        print(f"index: {len(idx.matcher.entries)} entries, {len(idx.matcher.names)} name forms")
        print(
            f"index build (parse all lists + normalise + SQLite + matcher tables): {t_build:.2f}s; first open: {t_load:.2f}s"
        )
        open_times(Path(tmp))
        print(f"peak RSS after index: {rss_mb():.0f} MB")
        pairs = load_pairs()
        print(f"\nlabelled pairs: {len(pairs)}\n")
        summary = []
        res, dt = evaluate(pairs, detente_decider(idx))
        print(table(res, "Détente (default threshold)"))
        summary.append(("detente", *totals(res), dt))
        if not args.skip_baselines:
            res, dt = evaluate(pairs, rapidfuzz_decider(idx))
            print()
            print(table(res, "rapidfuzz token_set_ratio >= 90 (full scan)"))
            summary.append(("rapidfuzz token-set", *totals(res), dt))
            res, dt = evaluate(pairs, nomenklatura_decider(idx))
            print()
            print(table(res, "nomenklatura logic_v1 >= 0.7 (Détente blocking)"))
            summary.append(("nomenklatura logic_v1", *totals(res), dt))
        print(f"\n{'algorithm':24} {'precision':>9} {'recall':>7} {'time (s)':>9} {'pairs/s':>8}")
        for name, p, r, t in summary:
            print(f"{name:24} {p:>9.3f} {r:>7.3f} {t:>9.2f} {len(pairs) / t:>8.0f}")

        from detente.screening.diligence import screen

        names = synthetic_names(idx, args.names)
        t0, c0 = time.perf_counter(), time.process_time()
        statuses: dict[str, int] = {}
        for name, typ, cc in names:
            r = screen(idx, name, schema=typ, country=cc)
            statuses[r.status] = statuses.get(r.status, 0) + 1
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"\nscreened {len(names)} names against every list: wall {dt:.2f}s = {len(names) / dt:.0f} names/s; "
            f"CPU {dc:.2f}s = {len(names) / dc:.0f} names/s on one core; {statuses}"
        )
        t0, c0 = time.perf_counter(), time.process_time()
        for name, typ, cc in names:
            idx.matcher.match(name, schema=typ, country=cc)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"matcher only (no result models): wall {len(names) / dt:.0f} names/s, CPU {len(names) / dc:.0f} names/s"
        )
        print(f"peak RSS: {rss_mb():.0f} MB")
        _ = tokens


if __name__ == "__main__":
    main()
