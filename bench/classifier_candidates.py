"""Re-run the second-round classifier candidates of issue 14 on the VALIDATION split only.

    DETENTE_SHARED=/work/shared PYTHONPATH=src .venv/bin/python bench/classifier_candidates.py

Prints one Markdown row per candidate (threshold; F1 of the three balanced validation sets
and their mean), as in the second-round table of docs/landscape.md.  The test split is never
scored here: it is for the chosen model only (``detente landscape classifier train``).
About 10 CPU-minutes (each member is a calibrated logistic regression on ~22,000 documents).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detente.landscape import classifier as c

Scored = dict[str, tuple[list[float], list[float]]]
TARGET, CORPUS, HARD = "newsletter_vs_ai_venues", "safety_corpus_vs_ai_venues", "hard_negatives"

BIBLIO = Path(os.environ.get("DETENTE_SHARED", "../shared")) / "data" / "biblio"
DOCS, _ = c.load_docs(BIBLIO)
VAL = c.eval_sets(DOCS, "val")
TRAIN = [d for d in DOCS if d.split == "train"]


def subset(which: str) -> list[c.Doc]:
    return {
        "all": TRAIN,
        "sample": [d for d in TRAIN if d.sampled],
        "safety_vs_ethics": [d for d in TRAIN if d.label != c.OTHER],
        "safety_vs_venues": [d for d in TRAIN if d.label == c.SAFETY or d.source == "ai_venues"],
        "safety_vs_other": [d for d in TRAIN if d.label != c.ETHICS],
    }[which]


def weights(docs: list[c.Doc], scheme: str) -> list[float]:
    """Binary (safety vs rest) weights; the three-label models use ``c._label_weights``."""
    pos = [d.label == c.SAFETY for d in docs]
    if scheme == "balanced":
        return c._weights(docs, c.SAFETY)
    if scheme.startswith("venue"):  # venue papers' total weight = k x the sampled ones
        k = float(scheme[5:])
        n_venue = sum(d.source == "ai_venues" for d in docs)
        n_sampled = sum(d.source == "ai_venues" and d.sampled for d in docs)
        raw = [k * n_sampled / n_venue if d.source == "ai_venues" else 1.0 for d in docs]
    elif scheme.startswith("ethics"):  # positives 1/2; ethics a fraction e of the negatives
        e = float(scheme[6:])
        n = Counter(d.label for d in docs)
        share = {c.SAFETY: 0.5, c.ETHICS: 0.5 * e, c.OTHER: 0.5 * (1 - e)}
        return [len(docs) * share[d.label] / n[d.label] for d in docs]
    else:
        raise ValueError(scheme)
    tot_pos = sum(w for w, p in zip(raw, pos, strict=True) if p)
    tot_neg = sum(w for w, p in zip(raw, pos, strict=True) if not p)
    return [
        w * len(docs) / (2 * (tot_pos if p else tot_neg)) for w, p in zip(raw, pos, strict=True)
    ]


_CACHE: dict[tuple[Any, ...], Scored] = {}


def member(kind: str, cc: float, which: str, scheme: str) -> Scored:
    """Validation scores of one calibrated member; ``scheme`` "labels": three-label model."""
    key = (kind, cc, which, scheme)
    if key not in _CACHE:
        docs = subset(which)
        vec = c._member_vectorizer(kind)
        x = vec.fit_transform([d.text for d in docs])
        if scheme == "labels":
            y: list[Any] = [d.label for d in docs]
            model = c._calibrated(cc).fit(x, y, sample_weight=c._label_weights(docs))
        else:
            y = [int(d.label == c.SAFETY) for d in docs]
            model = c._calibrated(cc).fit(x, y, sample_weight=weights(docs, scheme))
        pair = [(vec, model)]
        _CACHE[key] = {
            n: (
                c._mean_scores(pair, [d.text for d in p]),
                c._mean_scores(pair, [d.text for d in q]),
            )
            for n, (p, q) in VAL.items()
        }
    return _CACHE[key]


def combine(parts: list[Scored], how: Callable[[list[float]], float]) -> Scored:
    return {
        n: (
            [how(list(v)) for v in zip(*(s[n][0] for s in parts), strict=True)],
            [how(list(v)) for v in zip(*(s[n][1] for s in parts), strict=True)],
        )
        for n in parts[0]
    }


def mean(v: list[float]) -> float:
    return sum(v) / len(v)


def geo(v: list[float]) -> float:
    return math.sqrt(v[0] * v[1])


def pair(which: str, scheme: str, cs: tuple[float, float] = (4.0, 16.0)) -> Scored:
    """Mean of the raw and genre-robust members."""
    return combine(
        [member("raw", cs[0], which, scheme), member("robust", cs[1], which, scheme)], mean
    )


def f1(scored: Scored, name: str, t: float) -> float:
    return c._scored_metrics(name, "", *scored[name], t).f1


def target_rule(scored: Scored) -> float:
    """Max newsletter-vs-venue F1 subject to hard-negative F1 >= 0.85 (0.50 if none)."""
    best = (-1.0, 0.5)
    for i in range(5, 96):
        t = i / 100
        if f1(scored, HARD, t) >= 0.85 and f1(scored, TARGET, t) > best[0] + 1e-9:
            best = (f1(scored, TARGET, t), t)
    return best[1]


def row(label: str, scored: Scored, rule: str = "mean", thr: float | None = None) -> None:
    t = (
        thr
        if thr is not None
        else c._choose_threshold(scored)
        if rule == "mean"
        else target_rule(scored)
    )
    fs = [f1(scored, n, t) for n in (TARGET, CORPUS, HARD)]
    cells = " | ".join(f"{f:.3f}" for f in fs)
    print(f"| {label} | {t:.2f} | {cells} | {sum(fs) / 3:.3f} |", flush=True)


def main() -> None:
    both = ("mean", "target")
    for rule in both:
        row(f"version 3 members, binary, all venues ({rule} rule)", pair("all", "balanced"), rule)
    for k in ("1", "2", "4"):
        row(f"venue weight {k}x the sample", pair("all", f"venue{k}"))
    for e in ("0.25", "0.4"):
        row(f"ethics {e} of the negatives' weight", pair("all", f"ethics{e}"))
    se = pair("safety_vs_ethics", "balanced")
    row("specialist: safety vs ethics", se)
    for base in ("all", "sample"):
        for name, how in (("min", min), ("geometric mean", geo)):
            for rule in both:
                row(
                    f"{name}(binary {base}, safety-vs-ethics) ({rule} rule)",
                    combine([pair(base, "balanced"), se], how),
                    rule,
                )
    row(
        "min(binary all, venue weight 1x, safety-vs-ethics)",
        combine([pair("all", "venue1"), se], min),
    )
    row(
        "geometric mean(binary all, venue weight 1x, safety-vs-ethics)",
        combine([pair("all", "venue1"), se], geo),
    )
    for spec in ("safety_vs_venues", "safety_vs_other"):
        sv = pair(spec, "balanced")
        row(f"specialist: {spec}", sv)
        for rule in both:
            row(f"min({spec}, safety-vs-ethics) ({rule} rule)", combine([sv, se], min), rule)
    for kind, cc in (("raw", 4.0), ("robust", 16.0)):
        sv1 = member(kind, cc, "safety_vs_venues", "balanced")
        se1 = member(kind, cc, "safety_vs_ethics", "balanced")
        for rule in both:
            row(
                f"min(safety-vs-venues, safety-vs-ethics), {kind} only ({rule} rule)",
                combine([sv1, se1], min),
                rule,
            )
    for rule in both:
        row(f"three-label, sample venues, C 4/16 ({rule} rule)", pair("sample", "labels"), rule)
    for cs in ((4.0, 16.0), (16.0, 16.0), (2.0, 2.0), (8.0, 8.0), (4.0, 4.0)):
        for rule in both:
            row(
                f"three-label, all venues, C {cs[0]:g}/{cs[1]:g} ({rule} rule)",
                pair("all", "labels", cs),
                rule,
            )
    from sklearn.linear_model import LogisticRegression

    for which in ("sample", "all"):
        docs = subset(which)
        vec = c._vectorizer()
        base = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(
            vec.fit_transform([d.text for d in docs]), [int(d.label == c.SAFETY) for d in docs]
        )

        def probs(ds: list[c.Doc], base: Any = base, vec: Any = vec) -> list[float]:
            return [float(v) for v in base.predict_proba(vec.transform([d.text for d in ds]))[:, 1]]

        scored: Scored = {n: (probs(p), probs(q)) for n, (p, q) in VAL.items()}
        row(f"baseline, {which} venues, threshold 0.5", scored, thr=0.5)


if __name__ == "__main__":
    main()
