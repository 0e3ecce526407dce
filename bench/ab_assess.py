"""A/B of two versions of the assessment engine in one process, alternating, on the same proposals.

Separate processes of the same code differ by ±2 % on the shared machine (memory layout, hash
seeds, other sessions), more than a micro-optimisation gains; two engine modules in one process,
timed alternately, compare within ~1 %. Both modules use the rest of the package from PYTHONPATH
(features, text facts, placement, result models), so this compares changes to ``engine.py`` only.

Usage: PYTHONPATH=src python bench/ab_assess.py A/engine.py B/engine.py [--n 2000] [--rounds 12]
The first 300 proposals are checked to render the same JSON with both.

Besides the best round of each, it prints the median of paired ratios: the proposals are run in
chunks of ``--chunk``, A and B back to back on each chunk (alternating which goes first), so both
see the same load; on a loaded machine (another job on the other core) the best rounds can differ
by 10 % between two copies of the same file, the paired median by ~1 % (issue 9, sixth pass).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from types import ModuleType

from bench_assess import generate, print_ab
from detente.assessment.loader import parse_proposal
from detente.framework.loader import get_framework
from detente.report import render_json


def _load(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("a", help="engine.py of version A (e.g. the main checkout's)")
    ap.add_argument("b", help="engine.py of version B")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--chunk", type=int, default=50)
    args = ap.parse_args()
    engines = {"A": _load("_engine_a", args.a), "B": _load("_engine_b", args.b)}
    fw = get_framework()
    proposals = [
        parse_proposal(t, f"gen-{i}.json", fw)
        for i, t in enumerate(generate(args.n, args.seed, fw))
    ]
    for p in proposals[:300]:
        if render_json(engines["A"].assess(p, fw)) != render_json(engines["B"].assess(p, fw)):
            raise SystemExit(f"A and B differ on {p.title!r}")
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {"A": [], "B": []}
    ratios: list[float] = []
    chunks = [proposals[i : i + args.chunk] for i in range(0, len(proposals), args.chunk)]
    for r in range(args.rounds):
        total = {"A": 0.0, "B": 0.0}
        for k, chunk in enumerate(chunks):
            spent = {}
            for label in ("A", "B") if (r + k) % 2 == 0 else ("B", "A"):
                assess = engines[label].assess
                c0 = time.process_time()
                for p in chunk:
                    assess(p, fw)
                spent[label] = time.process_time() - c0
            total["A"] += spent["A"]
            total["B"] += spent["B"]
            ratios.append(spent["B"] / spent["A"])
        for label in ("A", "B"):
            times[label].append(total[label] / len(proposals) * 1e6)
    print_ab(times, ratios, {"A": args.a, "B": args.b})


if __name__ == "__main__":
    main()
