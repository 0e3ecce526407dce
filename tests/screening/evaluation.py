"""Evaluation of screening on the labelled pairs (shared by the test and bench/bench_screening.py)."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PAIRS = Path(__file__).parent / "eval" / "pairs.csv"


@dataclass(frozen=True)
class Pair:
    id: str
    category: str
    expected: str  # hit | related | no_hit
    query: str
    type: str
    country: str | None
    target: str
    target_list: str


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [
            Pair(
                r["id"],
                r["category"],
                r["expected"],
                r["query"],
                r["type"] or "org",
                r["country"] or None,
                r["target"],
                r["target_list"],
            )
            for r in csv.DictReader(fh)
        ]


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    related_ok: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.tp + self.fn + self.fp + self.tn


def same_entity(target: str, names: Iterable[str]) -> bool:
    from rapidfuzz import fuzz

    from detente.screening.normalize import tokens

    t = " ".join(tokens(target))
    return any(fuzz.token_set_ratio(t, " ".join(tokens(n))) >= 90 for n in names)


def evaluate(
    pairs: list[Pair], decide: Callable[[Pair], tuple[bool, bool, list[str]]]
) -> tuple[dict[str, Tally], float]:
    """decide(pair) -> (is_hit_on_target_or_any, is_related, names_of_hit_entries)."""
    out: dict[str, Tally] = {}
    t0 = time.perf_counter()
    for p in pairs:
        t = out.setdefault(p.category, Tally())
        hit, related, names = decide(p)
        if p.expected == "hit":
            ok = hit and (not p.target or same_entity(p.target, names))
            if ok:
                t.tp += 1
            else:
                t.fn += 1
                t.misses.append(p.query)
        else:
            if hit:
                t.fp += 1
                t.misses.append(f"{p.query} -> {names[:1]}")
            else:
                t.tn += 1
            if p.expected == "related" and related:
                t.related_ok += 1
    return out, time.perf_counter() - t0


def totals(res: dict[str, Tally]) -> tuple[float, float]:
    tp = sum(t.tp for t in res.values())
    fn = sum(t.fn for t in res.values())
    fp = sum(t.fp for t in res.values())
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, recall


def table(res: dict[str, Tally], title: str) -> str:
    lines = [
        title,
        f"{'category':28} {'n':>4} {'TP':>4} {'FN':>4} {'FP':>4} {'TN':>4} {'recall':>7} {'FP-rate':>8} {'related':>8}",
    ]
    for cat in sorted(res):
        t = res[cat]
        pos = t.tp + t.fn
        neg = t.fp + t.tn
        rec = f"{t.tp / pos:.3f}" if pos else "-"
        fpr = f"{t.fp / neg:.3f}" if neg else "-"
        rel = f"{t.related_ok}/{neg}" if cat == "parent" else ""
        lines.append(
            f"{cat:28} {t.n:>4} {t.tp:>4} {t.fn:>4} {t.fp:>4} {t.tn:>4} {rec:>7} {fpr:>8} {rel:>8}"
        )
    p, r = totals(res)
    lines.append(
        f"{'ALL':28} {sum(t.n for t in res.values()):>4}  precision {p:.3f}  recall {r:.3f}"
    )
    return "\n".join(lines)


def detente_decider(
    idx: object, threshold: float | None = None
) -> Callable[[Pair], tuple[bool, bool, list[str]]]:
    from detente.screening.diligence import screen
    from detente.screening.store import LoadedIndex

    assert isinstance(idx, LoadedIndex)

    def decide(p: Pair) -> tuple[bool, bool, list[str]]:
        r = screen(idx, p.query, schema=p.type, country=p.country, threshold=threshold)
        # a name match at hit strength (for a person, a name match alone is a potential
        # match until identifiers corroborate it: this evaluates the name matching)
        hits = [
            m
            for m in r.matches
            if not m.related
            and m.match_status != "cleared"
            and m.score >= (threshold or idx_threshold())
        ]
        names: list[str] = []
        for m in hits:
            names.append(m.entry_name)
            names.append(m.matched_name)
        return bool(hits), r.status == "related", names

    return decide


def idx_threshold() -> float:
    from detente.screening.normalize import rules

    return rules().hit
