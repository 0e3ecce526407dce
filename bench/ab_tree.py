"""A/B of two source trees of the whole package in one process, alternating, on the same proposals.

``ab_assess.py`` compares two ``engine.py`` files with the rest of the package shared; this loads
two complete copies of ``detente`` (e.g. ``/work/main/src`` and a branch's ``src``), so changes
to text facts, polarity, placement, the statement or the result models are compared the same way.
Each copy is imported with ``sys.modules`` cleared of the other, and its modules are put back in
``sys.modules`` while it runs (imports inside functions then resolve to the same copy). Each copy
parses the proposals itself (its own model classes); the first 300 are checked to render the same
JSON with both.

Usage: python bench/ab_tree.py A/src B/src [--n 2000] [--rounds 12] [--chunk 50]
Prints the best round of each and the median of paired-chunk ratios B/A (as ab_assess.py).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import time
from types import ModuleType
from typing import Any

from bench_assess import (
    generate,
    print_ab,
)  # generates with the copy on PYTHONPATH: plain JSON texts


def _ours(name: str) -> bool:
    return name == "detente" or name.startswith("detente.")


def _load(src: str) -> dict[str, ModuleType]:
    for name in [m for m in sys.modules if _ours(m)]:
        del sys.modules[name]
    sys.path.insert(0, src)
    try:
        for m in ("engine", "loader"):
            importlib.import_module(f"detente.assessment.{m}")
        importlib.import_module("detente.framework.loader")
        importlib.import_module("detente.report")
    finally:
        sys.path.remove(src)
    return {k: v for k, v in sys.modules.items() if _ours(k)}


def _use(mods: dict[str, ModuleType]) -> None:
    for name in [m for m in sys.modules if _ours(m) and m not in mods]:
        del sys.modules[name]
    sys.modules.update(mods)


class _Copy:
    def __init__(self, src: str, texts: list[str]) -> None:
        self.src = src
        self.mods = _load(src)
        self.fw = self.mods["detente.framework.loader"].get_framework()
        self.assess = self.mods["detente.assessment.engine"].assess
        self.render = self.mods["detente.report"].render_json
        parse = self.mods["detente.assessment.loader"].parse_proposal
        self.proposals: list[Any] = [
            parse(t, f"gen-{i}.json", self.fw) for i, t in enumerate(texts)
        ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("a", help="src directory of version A (e.g. /work/main/src)")
    ap.add_argument("b", help="src directory of version B")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument(
        "--no-what-if", action="store_true", help="assess with analyse_safeguards=False"
    )
    args = ap.parse_args()
    fw0 = sys.modules["bench_assess"].get_framework()
    texts = generate(args.n, args.seed, fw0)
    copies = {"A": _Copy(args.a, texts), "B": _Copy(args.b, texts)}
    kw = {"analyse_safeguards": False} if args.no_what_if else {}
    for i in range(min(300, args.n)):
        out = []
        for x in copies.values():
            _use(x.mods)
            out.append(x.render(x.assess(x.proposals[i], x.fw, **kw)))
        if out[0] != out[1]:
            raise SystemExit(f"A and B differ on proposal {i}")
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {"A": [], "B": []}
    ratios: list[float] = []
    bounds = [(i, min(i + args.chunk, args.n)) for i in range(0, args.n, args.chunk)]
    for r in range(args.rounds):
        total = {"A": 0.0, "B": 0.0}
        for k, (lo, hi) in enumerate(bounds):
            spent = {}
            for label in ("A", "B") if (r + k) % 2 == 0 else ("B", "A"):
                x = copies[label]
                _use(x.mods)
                assess, fw, chunk = x.assess, x.fw, x.proposals[lo:hi]
                c0 = time.process_time()
                for p in chunk:
                    assess(p, fw, **kw)
                spent[label] = time.process_time() - c0
            total["A"] += spent["A"]
            total["B"] += spent["B"]
            ratios.append(spent["B"] / spent["A"])
        for label in ("A", "B"):
            times[label].append(total[label] / args.n * 1e6)
    print_ab(times, ratios, {label: x.src for label, x in copies.items()})


if __name__ == "__main__":
    main()
