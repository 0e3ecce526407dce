"""Benchmark the landscape ingest against the physical floor (decompress + JSON parse).

    .venv/bin/python bench/bench_landscape.py                 # 1,000,000 works
    .venv/bin/python bench/bench_landscape.py --works 100000  # quicker

Generates a synthetic OpenAlex snapshot (``works/updated_date=…/part_*.gz``, the real
Work schema incl. abstract_inverted_index, locations, concepts, topics, referenced works;
skewed country distribution), then runs each phase in its own process so its peak RSS
is its own:

* ``floor``  -- gzip decompression + orjson parse of every line, nothing else;
* ``ingest`` -- the real ingest (DuckDB parses and normalises the files in SQL, see
  ``detente.landscape.native``; compaction), with DuckDB's default threads and again
  with one thread; ``--python-ingest`` also times the Python path (orjson + normalise +
  Arrow + insert) on the same files;
* ``query``  -- keyword tagging (SQL) and the Figure-1 measures for US 2015–2024.

Prints works/s, MB/s of compressed input, the ingest/floor ratio, peak RSS and query time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

COUNTRIES = [
    ("US", 30), ("CN", 22), ("GB", 6), ("DE", 5), ("JP", 4), ("FR", 3.5), ("CA", 3.5),
    ("IN", 3.5), ("KR", 3), ("AU", 2.5), ("IT", 2.5), ("ES", 2), ("NL", 1.5), ("CH", 1.5),
    ("SG", 1), ("HK", 1), ("IL", 1), ("BR", 1.5), ("SE", 1), ("RU", 1), ("TW", 1),
]  # fmt: skip
VOCAB = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "we",
    "for",
    "that",
    "this",
    "on",
    "with",
    "by",
    "are",
    "as",
    "model",
    "models",
    "learning",
    "data",
    "results",
    "method",
    "approach",
    "neural",
    "network",
    "training",
    "performance",
    "task",
    "tasks",
    "propose",
    "show",
    "based",
    "using",
    "large",
    "language",
    "systems",
    "system",
    "policy",
    "agents",
    "agent",
    "graph",
    "image",
    "vision",
    "transformer",
    "deep",
    "reinforcement",
    "optimization",
    "generalization",
]
SAFETY = [
    "adversarial robustness",
    "jailbreak",
    "interpretability",
    "reward hacking",
    "red teaming",
]


def _inst_pool(rng: random.Random, n: int = 4000) -> list[dict[str, Any]]:
    codes = [c for c, _ in COUNTRIES]
    weights = [w for _, w in COUNTRIES]
    pool = []
    for i in range(n):
        c = rng.choices(codes, weights)[0]
        pool.append(
            {
                "id": f"https://openalex.org/I{100000 + i}",
                "display_name": f"University {i} of {c}",
                "ror": f"https://ror.org/0{i:07d}",
                "country_code": c,
                "type": "education",
                "lineage": [f"https://openalex.org/I{100000 + i}"],
            }
        )
    return pool


def make_work(rng: random.Random, n: int, insts: list[dict[str, Any]]) -> dict[str, Any]:
    year = rng.choices(range(2010, 2026), [i + 1 for i in range(16)])[0]
    home = rng.choice(insts)
    n_auth = min(1 + int(rng.expovariate(0.35)), 25)
    auths = []
    for a in range(n_auth):
        inst = home if rng.random() < 0.7 else rng.choice(insts)
        its = [inst] if rng.random() < 0.93 else [inst, rng.choice(insts)]
        auths.append(
            {
                "author_position": "first" if a == 0 else ("last" if a == n_auth - 1 else "middle"),
                "author": {
                    "id": f"https://openalex.org/A{rng.randrange(10**9)}",
                    "display_name": f"Author {rng.randrange(10**6)}",
                    "orcid": None,
                },
                "institutions": its,
                "countries": sorted({i["country_code"] for i in its}),
                "is_corresponding": a == 0,
                "raw_author_name": "Author",
                "raw_affiliation_strings": [i["display_name"] for i in its],
                "affiliations": [
                    {"raw_affiliation_string": i["display_name"], "institution_ids": [i["id"]]}
                    for i in its
                ],
            }
        )
    words = rng.choices(VOCAB, k=rng.randint(80, 180))
    if rng.random() < 0.08:
        words[5:5] = rng.choice(SAFETY).split()
    inv: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        inv.setdefault(w, []).append(i)
    wid = f"https://openalex.org/W{4000000000 + n}"
    topic = {
        "id": "https://openalex.org/T10028",
        "display_name": "Topic Modeling",
        "score": 0.99,
        "subfield": {
            "id": "https://openalex.org/subfields/1702",
            "display_name": "Artificial Intelligence",
        },
        "field": {"id": "https://openalex.org/fields/17", "display_name": "Computer Science"},
        "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"},
    }
    source = {
        "id": f"https://openalex.org/S{rng.randrange(10**7)}",
        "display_name": "Journal of Synthetic Results",
        "issn_l": "1234-5678",
        "is_oa": False,
        "host_organization": "https://openalex.org/P4310319965",
        "type": "journal",
    }
    loc = {
        "is_oa": False,
        "landing_page_url": f"https://doi.org/10.1/{n}",
        "pdf_url": None,
        "source": source,
        "license": None,
        "version": "publishedVersion",
    }
    return {
        "id": wid,
        "doi": f"https://doi.org/10.1/{n}",
        "title": " ".join(words[:10]).capitalize(),
        "display_name": " ".join(words[:10]).capitalize(),
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "ids": {"openalex": wid, "doi": f"https://doi.org/10.1/{n}"},
        "language": "en",
        "primary_location": loc,
        "type": "article",
        "type_crossref": "journal-article",
        "open_access": {"is_oa": False, "oa_status": "closed", "oa_url": None, "any_repository_has_fulltext": False},
        "authorships": auths,
        "countries_distinct_count": len({c for a in auths for c in a["countries"]}),
        "institutions_distinct_count": len({i["id"] for a in auths for i in a["institutions"]}),
        "corresponding_author_ids": [auths[0]["author"]["id"]],
        "fwci": round(rng.random() * 3, 3),
        "cited_by_count": rng.randrange(200),
        "biblio": {"volume": "12", "issue": "3", "first_page": "1", "last_page": "20"},
        "is_retracted": False,
        "is_paratext": False,
        "primary_topic": topic,
        "topics": [topic, dict(topic, id="https://openalex.org/T11273", display_name="Advanced Graph Neural Networks")],
        "keywords": [{"id": "https://openalex.org/keywords/x", "display_name": w, "score": 0.5} for w in words[:3]],
        "concepts": [
            {"id": f"https://openalex.org/C{rng.randrange(10**8)}", "wikidata": "https://www.wikidata.org/wiki/Q1", "display_name": w, "level": 2, "score": 0.5}
            for w in words[3:8]
        ],
        "locations_count": 1,
        "locations": [loc],
        "best_oa_location": None,
        "referenced_works_count": 20,
        "referenced_works": [f"https://openalex.org/W{rng.randrange(10**10)}" for _ in range(20)],
        "related_works": [f"https://openalex.org/W{rng.randrange(10**10)}" for _ in range(10)],
        "abstract_inverted_index": inv,
        "counts_by_year": [{"year": y, "cited_by_count": rng.randrange(20)} for y in range(year, min(year + 4, 2026))],
        "updated_date": "2025-05-01T00:00:00.000000",
        "created_date": f"{year}-06-02",
    }  # fmt: skip


def _gen_file(args: tuple[str, int, int, int]) -> int:
    path, start, count, seed = args
    rng = random.Random(seed)
    insts = _inst_pool(random.Random(0))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as fh:
        buf = []
        for n in range(start, start + count):
            buf.append(orjson.dumps(make_work(rng, n, insts)))
            if len(buf) >= 2000:
                fh.write(b"\n".join(buf) + b"\n")
                buf = []
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
    return count


def generate(root: Path, works: int, files: int, procs: int) -> list[Path]:
    per = -(-works // files)
    jobs = []
    for i in range(files):
        start = i * per
        count = min(per, works - start)
        if count <= 0:
            break
        part = root / "works" / f"updated_date=2025-05-{1 + i % 28:02d}" / f"part_{i:03d}.gz"
        jobs.append((str(part), start, count, i + 1))
    with ProcessPoolExecutor(max_workers=procs) as pool:
        list(pool.map(_gen_file, jobs))
    return [Path(j[0]) for j in jobs]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def phase_floor(root: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from detente.landscape.sources import discover, open_binary

    t0 = time.perf_counter()
    c0 = time.process_time()
    n = 0
    loads = orjson.loads
    for f in discover([root]):
        stream, _ = open_binary(f)
        with stream:
            for line in stream:
                loads(line)
                n += 1
    return {
        "works": n,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "peak_rss_mb": _rss_mb(),
    }


def phase_ingest(root: Path, db: Path, workers: int, threads: int, native: bool) -> dict[str, Any]:
    from detente.landscape.ingest import ingest_paths
    from detente.landscape.store import LandscapeStore

    t0 = time.perf_counter()
    c0 = time.process_time()  # all threads of this process (DuckDB's included)
    rep = ingest_paths([root], db, workers=workers, threads=threads or None, native=native)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    with LandscapeStore(db) as store:
        if threads:
            store.con.execute(f"SET threads={threads}")
        row = store.con.execute("SELECT current_setting('threads')").fetchone()
        limit = store.memory_limit
    return {
        "memory_limit": limit,
        "works": rep.records_read,
        "stored": rep.works_stored,
        "malformed": rep.malformed,
        "files": rep.files,
        "files_native": rep.files_native,
        "threads": int(row[0]) if row else 0,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": _rss_mb(),
    }


def phase_query(db: Path) -> dict[str, Any]:
    from detente.landscape.measures import compute, duckdb_runner
    from detente.landscape.store import LandscapeStore
    from detente.landscape.tagging import tag_store
    from detente.landscape.taxonomy import SafetyDefinition

    with LandscapeStore(db) as store:
        t0 = time.perf_counter()
        rep = tag_store(store, SafetyDefinition(method="keyword"), load_classifier=False)
        t_tag = time.perf_counter() - t0
        t1 = time.perf_counter()
        res = compute(duckdb_runner(store.con), "US", 2015, 2024, subset="all")
        t_all = time.perf_counter() - t1
        t2 = time.perf_counter()
        compute(duckdb_runner(store.con), "US", 2015, 2024, subset="safety")
        t_safety = time.perf_counter() - t2
    return {
        "tag_seconds": t_tag,
        "figure_all_seconds": t_all,
        "figure_safety_seconds": t_safety,
        "safety_works": rep.safety_works,
        "top_partners": res.top_partners[:5],
        "peak_rss_mb": _rss_mb(),
    }


def _sub(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--works", type=int, default=1_000_000)
    ap.add_argument(
        "--files", type=int, default=0, help="part files (default: works/62,500, min 2)"
    )
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir)")
    ap.add_argument(
        "--workers", type=int, default=0, help="also time a parallel ingest with N workers"
    )
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--snapshot", type=Path, default=None, help="reuse a generated snapshot (skip generation)"
    )
    ap.add_argument(
        "--file", type=Path, default=None, help="benchmark one real JSONL(.gz) file instead"
    )
    ap.add_argument("--python-ingest", action="store_true", help="also time the Python ingest path")
    ap.add_argument(
        "--no-one-thread", action="store_true", help="skip the one-thread ingest (saves time)"
    )
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--python", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--phase", choices=["floor", "ingest", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.phase:
        root = args.dir
        if args.phase == "floor":
            res = phase_floor(root)
        elif args.phase == "ingest":
            res = phase_ingest(
                root, args.db, max(args.workers, 1), args.threads, native=not args.python
            )
        else:
            res = phase_query(args.db)
        print(json.dumps(res))
        return 0

    base = args.dir or Path(tempfile.mkdtemp(prefix="detente-bench-"))
    root = args.file or args.snapshot or base / "snapshot"
    files = args.files or max(2, args.works // 62_500)
    try:
        if args.file is not None:
            parts = [args.file]
            gen_s = 0.0
            what = f"real file {args.file.name}"
        elif args.snapshot is None:
            t0 = time.perf_counter()
            parts = generate(root, args.works, files, procs=os.cpu_count() or 2)
            gen_s = time.perf_counter() - t0
            what = f"generated {args.works:,} works in {len(parts)} files"
        else:
            parts = sorted(root.rglob("part_*.gz"))
            gen_s = 0.0
            what = f"reused snapshot {root} ({len(parts)} files)"
        mb = sum(p.stat().st_size for p in parts) / 1e6
        print(f"{what}, {mb:,.0f} MB gz, in {gen_s:.0f}s", flush=True)

        floor = _sub(["--phase", "floor", "--dir", str(root)])
        print(f"floor  (gzip+orjson): {floor['works'] / floor['seconds']:>10,.0f} works/s  {mb / floor['seconds']:6.1f} MB/s  "
              f"{floor['seconds']:6.1f}s (CPU {floor['cpu_seconds']:.1f}s)  peak RSS {floor['peak_rss_mb']:.0f} MB", flush=True)  # fmt: skip
        db = base / "bench.duckdb"

        def ingest(label: str, dbp: Path, extra: list[str]) -> dict[str, Any]:
            dbp.unlink(missing_ok=True)
            r = _sub(["--phase", "ingest", "--dir", str(root), "--db", str(dbp), *extra])
            r["ratio"] = r["seconds"] / floor["seconds"]
            r["cpu_ratio"] = r["cpu_seconds"] / floor["cpu_seconds"]
            print(f"{label:<22}{r['works'] / r['seconds']:>10,.0f} works/s  {mb / r['seconds']:6.1f} MB/s  "
                  f"{r['seconds']:6.1f}s  peak RSS {r['peak_rss_mb']:.0f} MB  ratio to floor {r['ratio']:.2f}x "
                  f"(CPU {r['cpu_seconds']:.1f}s, {r['cpu_ratio']:.2f}x)  "
                  f"[{r['threads']} DuckDB thread(s), memory_limit {r['memory_limit']}, "
                  f"{r['files_native']}/{r['files']} files native]",
                  flush=True)  # fmt: skip
            return r

        ing = ingest("ingest (default):", db, [])
        one: dict[str, Any] = {}
        if not args.no_one_thread:
            one = ingest("ingest (1 thread):", base / "bench_1t.duckdb", ["--threads", "1"])
            (base / "bench_1t.duckdb").unlink(missing_ok=True)
        summary: dict[str, Any] = {
            "works": floor["works"],
            "mb_gz": mb,
            "floor": floor,
            "ingest": ing,
            "ingest_1_thread": one,
            "ratio": ing["ratio"],
            "ratio_1_thread": one.get("ratio"),
        }
        if args.python_ingest:
            pyi = ingest(
                "ingest (Python path):", base / "bench_py.duckdb", ["--python", "--threads", "1"]
            )
            (base / "bench_py.duckdb").unlink(missing_ok=True)
            summary["ingest_python"] = pyi
        if args.workers > 1:
            db2 = base / "bench_par.duckdb"
            par = _sub(
                [
                    "--phase",
                    "ingest",
                    "--dir",
                    str(root),
                    "--db",
                    str(db2),
                    "--workers",
                    str(args.workers),
                    "--python",
                ]
            )
            print(f"ingest (Python path, {args.workers} workers): {par['works'] / par['seconds']:>10,.0f} works/s  "
                  f"{mb / par['seconds']:6.1f} MB/s  {par['seconds']:6.1f}s  (main-process peak RSS "
                  f"{par['peak_rss_mb']:.0f} MB)  ratio to 1-process floor {par['seconds'] / floor['seconds']:.2f}x", flush=True)  # fmt: skip
            summary["ingest_parallel"] = par
        q = _sub(["--phase", "query", "--db", str(db)])
        print(f"query: keyword tagging {q['tag_seconds']:.2f}s; Figure-1 measures (all works) "
              f"{q['figure_all_seconds']:.2f}s, (AI safety) {q['figure_safety_seconds']:.2f}s; "
              f"{q['safety_works']:,} safety works; top partners {q['top_partners']}", flush=True)  # fmt: skip
        summary["query"] = q
        summary["db_mb"] = db.stat().st_size / 1e6
        print(f"database size {summary['db_mb']:,.0f} MB")
        print(json.dumps(summary))
    finally:
        for f in base.glob("bench*.duckdb*"):
            if not args.keep:
                f.unlink(missing_ok=True)
        if not args.keep and args.dir is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
