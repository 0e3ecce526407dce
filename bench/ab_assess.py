"""A/B of two versions of the assessment engine in one process, alternating, on the same proposals.

Separate processes of the same code differ by ±2 % on the shared machine (memory layout, hash
seeds, other sessions), more than a micro-optimisation gains; two engine modules in one process,
timed alternately, compare within ~1 %. Both modules use the rest of the package from PYTHONPATH
(features, text facts, placement, result models), so this compares changes to ``engine.py`` only.

Usage: PYTHONPATH=src python bench/ab_assess.py A/engine.py B/engine.py [--n 2000] [--rounds 12]
The first 300 proposals are checked to render the same JSON with both.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

from bench_assess import generate
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
    for _ in range(args.rounds):
        for label, engine in engines.items():
            assess = engine.assess
            c0 = time.process_time()
            for p in proposals:
                assess(p, fw)
            times[label].append((time.process_time() - c0) / len(proposals) * 1e6)
    for label, path in (("A", args.a), ("B", args.b)):
        t = times[label]
        print(
            f"{label} {Path(path).resolve()}: best {min(t):6.1f} µs, median "
            f"{statistics.median(t):6.1f} µs per assessment ({1e6 / min(t):,.0f}/s)"
        )
    print(f"B / A (best): {min(times['B']) / min(times['A']):.3f}")


if __name__ == "__main__":
    main()
