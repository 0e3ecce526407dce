"""Pre-registered 5-fold cross-validated estimate of the FIXED version-4 classifier recipe.

    DETENTE_SHARED=/work/shared PYTHONPATH=src nice .venv/bin/python bench/classifier_cv.py \
        [--out FILE.json]

The protocol (written and committed before the first run) is in docs/landscape.md,
"Cross-validated estimate of the version-4 recipe (pre-registered)".  In short:

* the validation split stays fixed and only chooses each fold's threshold
  (``classifier._choose_threshold``, the rule of ``train()``);
* the train- and test-split documents the evaluation sets draw from (``Doc.sampled``) are
  put in 5 folds by a seeded hash of the normalised title (fold seed 14; the split seed is 0);
  the other train-split AI-venue papers are in every fold's training set, never tested;
* each fold: the recipe and the baseline are fitted by ``classifier.fit_safety`` (the code
  ``train()`` uses) on everything outside the fold, the threshold is chosen on validation,
  and the fold's documents are scored on ``classifier.eval_sets`` built on them;
* per evaluation set the decisions of the 5 folds are pooled: P / R / F1, each fold's F1, a
  stratified, paired 95 % bootstrap interval (1,000 resamples, ``random.Random(14)``);
* before the folds, an implementation check: fitted on the original train split and scored
  on the original test split, the recorded single-split figures must come out.

Nothing here chooses anything; the shipped model is not touched.  About 10-15 CPU-minutes
(six fits of two calibrated members on ~22,000 documents).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detente.landscape import classifier as c

SPLIT_SEED = 0  # the split seed of train() (splits and the balanced sets' sampling)
FOLD_SEED = 14  # pre-registered; different from the split seed
K = 5
RESAMPLES = 1000
BOOT_SEED = 14
TARGET, HARD = "newsletter_vs_ai_venues", "hard_negatives"
BAR = {TARGET: 0.93, HARD: 0.85}
SET_NAMES = [n for n, _ in c.EVAL_SETS]

# The single-split figures recorded in docs/landscape.md (model version 4, test split).
RECORDED_THRESHOLD = 0.31
RECORDED = {
    "detente": {
        "newsletter_vs_ai_venues": 0.927,
        "safety_corpus_vs_ai_venues": 0.861,
        "hard_negatives": 0.886,
        "newsletter_all": 0.766,
        "all_ai_venues": 0.837,
    },
    "baseline": {
        "newsletter_vs_ai_venues": 0.940,
        "safety_corpus_vs_ai_venues": 0.737,
        "hard_negatives": 0.772,
        "newsletter_all": 0.820,
        "all_ai_venues": 0.817,
    },
}
MODELS = ("detente", "baseline")

BIBLIO = Path(os.environ.get("DETENTE_SHARED", "../shared")) / "data" / "biblio"


def fold_of(d: c.Doc) -> int:
    return c.title_hash(d.key, FOLD_SEED) % K


def prf(pos_hits: list[bool], neg_hits: list[bool]) -> tuple[float, float, float]:
    """Precision, recall, F1 from decisions (the formula of ``classifier._scored_metrics``)."""
    tp, fp = sum(pos_hits), sum(neg_hits)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / len(pos_hits) if pos_hits else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


Scorer = Callable[[list[c.Doc]], dict[str, list[float]]]


def fit(
    train_docs: list[c.Doc], val: dict[str, tuple[list[c.Doc], list[c.Doc]]]
) -> tuple[float, Scorer]:
    """Fit recipe + baseline on ``train_docs``; choose the recipe's threshold on validation."""
    members, base_vec, base = c.fit_safety(train_docs)

    def ours(ds: list[c.Doc]) -> list[float]:
        return c._mean_scores(members, [d.text for d in ds])

    val_scored = {n: (ours(p), ours(q)) for n, (p, q) in val.items()}
    thr = c._choose_threshold(val_scored)

    def score(ds: list[c.Doc]) -> dict[str, list[float]]:
        texts = [d.text for d in ds]
        return {
            "detente": c._mean_scores(members, texts),
            "baseline": c.baseline_scores(base_vec, base, texts),
        }

    return thr, score


def decisions(
    sets: dict[str, tuple[list[c.Doc], list[c.Doc]]],
    scores: dict[str, dict[int, float]],
    thr: dict[str, float],
) -> dict[str, dict[str, tuple[list[bool], list[bool]]]]:
    """{set: {model: (positives' decisions, negatives' decisions)}}."""
    return {
        name: {
            m: (
                [scores[m][id(d)] >= thr[m] for d in pos],
                [scores[m][id(d)] >= thr[m] for d in neg],
            )
            for m in MODELS
        }
        for name, (pos, neg) in sets.items()
    }


def bootstrap(per_model: dict[str, tuple[list[bool], list[bool]]]) -> dict[str, Any]:
    """Stratified, paired percentile bootstrap of F1 (and of recipe - baseline)."""
    rng = random.Random(BOOT_SEED)
    n_pos, n_neg = len(per_model["detente"][0]), len(per_model["detente"][1])
    f1s: dict[str, list[float]] = {m: [] for m in MODELS}
    diff: list[float] = []
    for _ in range(RESAMPLES):
        pi = [rng.randrange(n_pos) for _ in range(n_pos)]
        ni = [rng.randrange(n_neg) for _ in range(n_neg)]
        one = {}
        for m in MODELS:
            pos, neg = per_model[m]
            one[m] = prf([pos[i] for i in pi], [neg[i] for i in ni])[2]
            f1s[m].append(one[m])
        diff.append(one["detente"] - one["baseline"])
    lo, hi = int(0.025 * RESAMPLES), int(0.975 * RESAMPLES) - 1

    def ci(v: list[float]) -> list[float]:
        s = sorted(v)
        return [round(s[lo], 4), round(s[hi], 4)]

    return {**{m: ci(f1s[m]) for m in MODELS}, "detente_minus_baseline": ci(diff)}


def main() -> None:
    ap = argparse.ArgumentParser(description="Cross-validated estimate of the version-4 recipe")
    ap.add_argument("--out", type=Path, help="write every figure as JSON here too")
    ap.add_argument(
        "--limit",
        type=int,
        help="smoke test only: at most N documents per source (figures meaningless)",
    )
    args = ap.parse_args()
    t0 = time.process_time()
    docs, stats = c.load_docs(BIBLIO, seed=SPLIT_SEED, limit=args.limit)
    val = c.eval_sets(docs, "val", SPLIT_SEED)
    result: dict[str, Any] = {
        "protocol": {
            "split_seed": SPLIT_SEED,
            "fold_seed": FOLD_SEED,
            "folds": K,
            "bootstrap_resamples": RESAMPLES,
            "bootstrap_seed": BOOT_SEED,
        },
        "load_stats": stats,
    }

    # -- implementation check: the original split must reproduce the recorded figures ----------
    print("## Implementation check (original train split -> original test split)", flush=True)
    thr, score = fit([d for d in docs if d.split == "train"], val)
    test_sets = c.eval_sets(docs, "test", SPLIT_SEED)
    check: dict[str, Any] = {"threshold": thr, "f1": {m: {} for m in MODELS}}
    ok = round(thr, 2) == RECORDED_THRESHOLD
    for name, (pos, neg) in test_sets.items():
        sp, sn = score(pos), score(neg)
        for m, t in (("detente", thr), ("baseline", 0.5)):
            f1 = c._scored_metrics(name, m, sp[m], sn[m], t).f1
            check["f1"][m][name] = f1
            same = round(f1, 3) == RECORDED[m][name]
            ok = ok and same
            print(
                f"  {m:9s} {name:28s} {f1:.4f} (recorded {RECORDED[m][name]:.3f}) "
                f"{'ok' if same else 'DIFFERS'}",
                flush=True,
            )
    check["reproduced"] = ok
    check["cpu_s"] = round(time.process_time() - t0, 1)
    print(
        f"  threshold {thr:.2f} (recorded {RECORDED_THRESHOLD}); reproduced: {ok}; "
        f"{check['cpu_s']} CPU s so far",
        flush=True,
    )
    result["implementation_check"] = check

    # -- the folds ----------------------------------------------------------------------------
    pool = [d for d in docs if d.split in ("train", "test") and d.sampled]
    extra = [d for d in docs if not d.sampled]
    assert all(d.split == "train" for d in extra)
    folds = [fold_of(d) for d in pool]
    result["pool"] = {
        "documents": len(pool),
        "training_only_venue_papers": len(extra),
        "per_fold": [folds.count(k) for k in range(K)],
    }
    print(
        f"\n## Folds: {len(pool)} pooled documents {result['pool']['per_fold']}, "
        f"{len(extra)} training-only venue papers",
        flush=True,
    )
    pooled: dict[str, dict[str, tuple[list[bool], list[bool]]]] = {
        n: {m: ([], []) for m in MODELS} for n in SET_NAMES
    }
    ethics_flagged: dict[str, list[bool]] = {m: [] for m in MODELS}
    per_fold: list[dict[str, Any]] = []
    for k in range(K):
        tk = time.process_time()
        train_docs = [d for d, f in zip(pool, folds, strict=True) if f != k] + extra
        fold_docs = [
            dataclasses.replace(d, split=f"fold{k}")
            for d, f in zip(pool, folds, strict=True)
            if f == k
        ]
        thr, score = fit(train_docs, val)
        s = score(fold_docs)
        scores = {m: {id(d): v for d, v in zip(fold_docs, s[m], strict=True)} for m in MODELS}
        thresholds = {"detente": thr, "baseline": 0.5}
        sets = c.eval_sets(fold_docs, f"fold{k}", SPLIT_SEED)
        dec = decisions(sets, scores, thresholds)
        row: dict[str, Any] = {
            "fold": k,
            "train_size": len(train_docs),
            "test_documents": len(fold_docs),
            "threshold": thr,
            "sets": {},
        }
        for name in SET_NAMES:
            row["sets"][name] = {
                "positives": len(sets[name][0]),
                "negatives": len(sets[name][1]),
                **{m: round(prf(*dec[name][m])[2], 4) for m in MODELS},
            }
            for m in MODELS:
                pooled[name][m][0].extend(dec[name][m][0])
                pooled[name][m][1].extend(dec[name][m][1])
        for d in fold_docs:
            if d.source == "ethics_corpus":
                for m in MODELS:
                    ethics_flagged[m].append(scores[m][id(d)] >= thresholds[m])
        row["cpu_s"] = round(time.process_time() - tk, 1)
        per_fold.append(row)
        cells = ", ".join(
            f"{n} {row['sets'][n]['detente']:.3f}/{row['sets'][n]['baseline']:.3f}"
            for n in SET_NAMES
        )
        print(
            f"  fold {k}: train {len(train_docs)}, tested {len(fold_docs)}, threshold "
            f"{thr:.2f}, F1 recipe/baseline: {cells}; {row['cpu_s']} CPU s",
            flush=True,
        )
    result["per_fold"] = per_fold

    # -- pooled figures -----------------------------------------------------------------------
    result["pooled"] = {}
    print("\n## Pooled over the 5 folds\n", flush=True)
    print(
        "| set | positives / negatives | recipe P / R / F1 [95 % CI] | "
        "baseline P / R / F1 [95 % CI] | recipe - baseline F1 [95 % CI] |"
    )
    print("|---|---|---|---|---|")
    for name in SET_NAMES:
        entry: dict[str, Any] = {
            "positives": len(pooled[name]["detente"][0]),
            "negatives": len(pooled[name]["detente"][1]),
        }
        boot = bootstrap(pooled[name])
        for m in MODELS:
            p, r, f = prf(*pooled[name][m])
            entry[m] = {
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "f1_unrounded": f,
                "f1_ci95": boot[m],
                "fold_f1": [row["sets"][name][m] for row in per_fold],
            }
        entry["detente_minus_baseline_ci95"] = boot["detente_minus_baseline"]
        result["pooled"][name] = entry

        def cell(m: str, e: dict[str, Any] = entry) -> str:
            x = e[m]
            return (
                f"{x['precision']:.3f} / {x['recall']:.3f} / **{x['f1']:.3f}** "
                f"[{x['f1_ci95'][0]:.3f}–{x['f1_ci95'][1]:.3f}]"
            )

        d_lo, d_hi = entry["detente_minus_baseline_ci95"]
        diff = entry["detente"]["f1"] - entry["baseline"]["f1"]
        print(
            f"| {name} | {entry['positives']} / {entry['negatives']} | {cell('detente')} | "
            f"{cell('baseline')} | {diff:+.3f} [{d_lo:+.3f}–{d_hi:+.3f}] |"
        )
    print("\n| set | model | F1 of folds 0–4 |\n|---|---|---|")
    for name in SET_NAMES:
        for m in MODELS:
            fs = " / ".join(f"{f:.3f}" for f in result["pooled"][name][m]["fold_f1"])
            print(f"| {name} | {m} | {fs} |")
    print("\nthresholds per fold: " + ", ".join(f"{r['threshold']:.2f}" for r in per_fold))
    result["ethics_corpus_flagged_as_safety"] = {
        m: {"share": round(sum(v) / len(v), 4), "n": len(v)} for m, v in ethics_flagged.items()
    }
    print(
        "AI-ethics corpus labelled technical safety (pooled): "
        + ", ".join(
            f"{m} {v['share']:.3f} of {v['n']}"
            for m, v in result["ethics_corpus_flagged_as_safety"].items()
        )
    )

    # -- the pre-registered decision rule --------------------------------------------------------
    verdict = {}
    for m in MODELS:
        verdict[m] = all(result["pooled"][n][m]["f1_unrounded"] >= BAR[n] for n in BAR)
    result["decision"] = {
        "rule": "met iff pooled CV F1 >= 0.93 on newsletter_vs_ai_venues AND >= 0.85 on "
        "hard_negatives (unrounded)",
        "recipe_meets": verdict["detente"],
        "baseline_meets": verdict["baseline"],
        "implementation_check_reproduced": ok,
    }
    result["cpu_s_total"] = round(time.process_time() - t0, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(
        f"\nDecision (pre-registered rule): recipe meets the acceptance item: "
        f"{verdict['detente']}; baseline would: {verdict['baseline']}"
    )
    print(f"CPU {result['cpu_s_total']} s, peak RSS {result['peak_rss_mb']} MB")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
