"""Benchmark: assess 10,000 generated proposals on one core.

Prints proposals per second for
  * parse  — JSON text → validated Proposal (the baseline: the cost of merely reading them),
  * engine — the full assessment without rendering: placement (for the proposals that declare no
    area), facts read from the text (every proposal has a realistic description, some stating,
    denying or conditioning facts), rules, safeguards, what-if analysis, verdict,
  * engine (no what-if) — the same without the missing-safeguard analysis,
  * engine + JSON — assessment rendered to the versioned JSON.

Usage: python bench/bench_assess.py [--n 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from detente.assessment.engine import assess
from detente.assessment.features import side_features
from detente.assessment.loader import parse_proposal
from detente.framework.loader import get_framework
from detente.framework.model import Framework
from detente.model.proposal import (
    AccessLevel,
    AccessOf,
    Activity,
    Asset,
    Form,
    Governance,
    Maturity,
    ModelAccess,
    OrgType,
    Proposal,
    Publication,
    Purpose,
    StrategicTech,
    Track,
)
from detente.report import render_json

AREAS = ["verification", "protocols", "infrastructure", "evaluations"]
# Descriptions the text-fact reader and the placement see: plain ones, and ones that state, deny or
# condition a fact (elicitation, weights, admin access, CBRN, joint code, visiting researchers).
DESCRIPTIONS = [
    "The partners compare published evaluation methods and write up common practice.",
    "Researchers design a benchmark and test suite for honesty and report the results openly.",
    "The teams will exchange their tuned agent scaffolds and elicitation prompts.",
    "No access to model weights is given; results are shared at the level of a paper.",
    "If the pilot succeeds, the lab could later share model checkpoints with the partner.",
    "CBRN tasks are excluded; the suite covers only public, synthetic tasks.",
    "The two teams jointly develop the verification software in a shared repository.",
    "Two visiting researchers spend six months at the partner lab.",
    "The shared cluster is administered by the host, with logged, least-privilege accounts.",
    "A working group drafts guidelines for incident reporting and a shared glossary.",
    "Senior scientists meet for two days and publish a joint statement.",
    "Hardware-enabled mechanisms for verifying chip location are prototyped on test boards.",
]
COUNTRIES = ["US", "CN", "GB", "SG", "CH", "FR", "JP"]


def _pick(rng: random.Random, values: list[str], k: int) -> list[str]:
    return rng.sample(values, rng.randint(0, min(k, len(values))))


def generate(n: int, seed: int, fw: Framework) -> list[str]:
    safeguard_ids = [s.id for s in fw.catalogue.safeguards]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parties: list[dict[str, Any]] = []
        for j in range(rng.randint(2, 4)):
            parties.append(
                {
                    "id": f"p{j}",
                    "name": f"Institution {i}-{j}",
                    "country": rng.choice(COUNTRIES),
                    "type": rng.choice([t.value for t in OrgType]),
                    "contributes": _pick(rng, [a.value for a in Asset], 3),
                    "receives": _pick(rng, [a.value for a in Asset], 2),
                    "administers_infrastructure": rng.random() < 0.15,
                }
            )
        doc: dict[str, Any] = {
            "title": f"Generated proposal {i}",
            "summary": "A generated cooperation on AI safety evaluation and verification protocols.",
            "description": rng.choice(DESCRIPTIONS),
            "parties": parties,
            "forms": _pick(rng, [f.value for f in Form], 3),
            "activities": _pick(rng, [a.value for a in Activity], 3),
            "model_access": rng.choice([m.value for m in ModelAccess]),
            "strategic_intersections": _pick(rng, [s.value for s in StrategicTech], 2),
            "maturity": rng.choice([m.value for m in Maturity]),
            "governance": rng.choice([g.value for g in Governance]),
            "purposes": _pick(rng, [p.value for p in Purpose], 2),
            "publication": rng.choice([p.value for p in Publication]),
            "track": rng.choice([t.value for t in Track]),
        }
        if rng.random() < 0.3:
            doc["access"] = [
                {
                    "to": f"p{rng.randrange(len(parties))}",
                    "of": rng.choice([o.value for o in AccessOf]),
                    "level": rng.choice([lv.value for lv in AccessLevel]),
                }
            ]
        if rng.random() < 0.85:
            doc["areas"] = [{"id": a} for a in rng.sample(AREAS, rng.randint(1, 2))]
        # plan only safeguards the proposal's own facts do not contradict
        sides = side_features(Proposal.model_validate(doc), rivalry=fw.rivalry)
        allowed = [
            s
            for s in safeguard_ids
            if not any(fw.safeguard_index[s].contradicted_by(x.flags) for x in sides)
        ]
        doc["safeguards"] = _pick(rng, allowed, 3)
        out.append(json.dumps(doc))
    return out


def print_ab(times: dict[str, list[float]], ratios: list[float], paths: dict[str, str]) -> None:
    """The A/B harnesses' report (ab_assess.py, ab_tree.py): each side's best and median µs per
    assessment, B/A of the bests and the median of the paired chunks' B/A."""
    from pathlib import Path

    for label, path in paths.items():
        t = times[label]
        print(
            f"{label} {Path(path).resolve()}: best {min(t):6.1f} µs, median "
            f"{statistics.median(t):6.1f} µs per assessment ({1e6 / min(t):,.0f}/s)"
        )
    print(f"B / A (best): {min(times['B']) / min(times['A']):.3f}")
    q1, q2, q3 = statistics.quantiles(ratios, n=4)
    print(f"B / A (median of {len(ratios)} paired chunks): {q2:.3f} (quartiles {q1:.3f}–{q3:.3f})")


REPEAT = 3


def timed(label: str, n: int, fn: Callable[[], object], baseline: float | None) -> float:
    """Run ``fn`` REPEAT times; print the best and median CPU time (noise only ever adds time).

    CPU time is what one core spends on the work, whatever else the machine is doing.
    """
    cpus, walls = [], []
    for _ in range(REPEAT):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    best, median = min(cpus), statistics.median(cpus)
    rate = n / best
    rel = f"  ({baseline / rate:5.2f}× the parse baseline)" if baseline else ""
    print(
        f"{label:<22} best {best:6.3f} s cpu = {rate:7,.0f} proposals/s"
        f" (median {n / median:7,.0f}/s, wall best {n / min(walls):7,.0f}/s){rel}"
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    global REPEAT
    REPEAT = args.repeat
    fw = get_framework()
    texts = generate(args.n, args.seed, fw)
    print(
        f"Détente assessment benchmark: {args.n:,} generated proposals, one core, framework {fw.id} {fw.version}"
    )
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (CPU-time rates are robust to load)"
    )
    proposals: list[Any] = []

    def parse() -> None:
        proposals.clear()
        proposals.extend(parse_proposal(t, f"gen-{i}.json", fw) for i, t in enumerate(texts))

    base = timed("parse (baseline)", args.n, parse, None)
    assess(proposals[0], fw)  # warm caches (compiled rules)
    gc.collect()
    gc.freeze()  # the parsed proposals are long-lived: keep them out of every collection

    def run(fn: Callable[[Any], object]) -> Callable[[], None]:
        def loop() -> None:
            for p in proposals:
                fn(p)  # results are discarded, as a batch run writing reports would

        return loop

    engine = timed("engine", args.n, run(lambda p: assess(p, fw)), base)
    timed(
        "engine (no what-if)", args.n, run(lambda p: assess(p, fw, analyse_safeguards=False)), base
    )
    timed("engine + JSON", args.n, run(lambda p: render_json(assess(p, fw))), base)
    print(
        f"targets (issue 9): engine >= 2,000/s: {'met' if engine >= 2000 else 'NOT met'}"
        f" ({engine:,.0f}/s); within 3x the parse baseline:"
        f" {'met' if base / engine <= 3 else 'NOT met'} ({base / engine:.2f}x)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
