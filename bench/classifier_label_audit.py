"""Blind audit of the AI-venue negatives: how many would a reader call technical AI safety?

    # 1. build the blind audit files (trains the version-4 recipe, ~2 CPU-minutes)
    DETENTE_SHARED=/work/shared PYTHONPATH=src nice .venv/bin/python \
        bench/classifier_label_audit.py build [--dir /tmp/audit14]
    # 2. label DIR/audit_items.jsonl by hand, blind, into DIR/labels.jsonl
    # 3. only then open the key and compute the figures
    .venv/bin/python bench/classifier_label_audit.py analyse [--dir /tmp/audit14] [--out FILE]

A diagnostic, not an evaluation: the method, the figures and their caveats are in
docs/landscape.md, "Label noise in the AI-venue negatives (blind audit, diagnostic only)".

``build`` fits the version-4 recipe on the train split with the code ``train()`` uses
(``classifier.fit_safety``; threshold chosen on validation by ``_choose_threshold``), checks
that the recorded test figure comes out (newsletter vs AI-venue papers F1 0.927, threshold
0.31), scores the AI-venue negatives of the test split's newsletter-vs-venue evaluation set
(``classifier.eval_sets``, split seed 0) and writes, outside the repository:

* ``audit_items.jsonl``: a seeded sample of up to ``PER_SIDE`` negatives the model calls
  technical safety and up to ``PER_SIDE`` it does not, shuffled together; each line has only
  an opaque id, the title and the abstract (nothing from which the decision can be read);
* ``audit_key.json``: id -> the model's decision, and the set's counts for ``analyse``.

It prints no decision.  ``analyse`` reads the labels (one JSON object a line with ``id`` and
``label``: yes / no / unclear; lines without an ``id`` are ignored, e.g. the definition) and
the key, and prints the share of "yes" among model-safety and model-not-safety negatives
(Wilson 95 % intervals) and the diagnostic precision / F1 with the "yes" negatives excluded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Any

from detente.landscape import classifier as c

SPLIT_SEED = 0  # train()'s split seed (splits and the balanced sets' sampling)
AUDIT_SEED = 1414  # sampling and shuffling of the audit items
PER_SIDE = 40
SET = "newsletter_vs_ai_venues"
RECORDED_THRESHOLD = 0.31
RECORDED_F1 = 0.927
SAFE, NOT_SAFE = "safety", "not_safety"

BIBLIO = Path(os.environ.get("DETENTE_SHARED", "../shared")) / "data" / "biblio"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score 95 % interval of a proportion k / n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def prf(tp: float, fp: float, positives: int) -> tuple[float, float, float]:
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / positives if positives else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def abstract_of(d: c.Doc) -> tuple[str, str]:
    """(title, abstract) of an AI-venue document (its text is "title. abstract")."""
    title = d.key if d.key != d.text else ""
    prefix = f"{title}. "
    abstract = d.text[len(prefix) :] if title and d.text.startswith(prefix) else d.text
    return title, abstract.strip()


def build(out_dir: Path) -> None:
    t0 = time.process_time()
    docs, _ = c.load_docs(BIBLIO, seed=SPLIT_SEED)
    train_docs = [d for d in docs if d.split == "train"]
    members, _, _ = c.fit_safety(train_docs)

    def ours(ds: list[c.Doc]) -> list[float]:
        return c._mean_scores(members, [d.text for d in ds])

    val = c.eval_sets(docs, "val", SPLIT_SEED)
    thr = c._choose_threshold({n: (ours(p), ours(q)) for n, (p, q) in val.items()})
    pos, neg = c.eval_sets(docs, "test", SPLIT_SEED)[SET]
    sp, sn = ours(pos), ours(neg)
    m = c._scored_metrics(SET, "detente", sp, sn, thr)
    ok = round(thr, 2) == RECORDED_THRESHOLD and round(m.f1, 3) == RECORDED_F1
    print(
        f"implementation check: threshold {thr:.2f} (recorded {RECORDED_THRESHOLD}), "
        f"{SET} F1 {m.f1:.4f} (recorded {RECORDED_F1}): {'ok' if ok else 'DIFFERS'}",
        flush=True,
    )
    if not ok:
        raise SystemExit("the recipe did not reproduce the recorded figure; not writing")

    called = [(d, s >= thr) for d, s in zip(neg, sn, strict=True)]
    rng = random.Random(AUDIT_SEED)
    chosen: list[tuple[c.Doc, bool]] = []
    for side in (True, False):
        group = [x for x in called if x[1] is side]
        chosen += rng.sample(group, min(PER_SIDE, len(group)))
    rng.shuffle(chosen)
    out_dir.mkdir(parents=True, exist_ok=True)
    key: dict[str, Any] = {
        "set": SET,
        "split": "test",
        "threshold": thr,
        "positives": len(pos),
        "negatives": len(neg),
        "true_positives": sum(s >= thr for s in sp),
        "false_positives": sum(s >= thr for s in sn),
        "audited_safety": sum(1 for _, x in chosen if x),
        "audited_not_safety": sum(1 for _, x in chosen if not x),
        "audit_seed": AUDIT_SEED,
        "decisions": {},
    }
    with (out_dir / "audit_items.jsonl").open("w", encoding="utf-8") as fh:
        for i, (d, is_safe) in enumerate(chosen, 1):
            ident = f"v{i:03d}"
            title, abstract = abstract_of(d)
            fh.write(json.dumps({"id": ident, "title": title, "abstract": abstract}) + "\n")
            key["decisions"][ident] = SAFE if is_safe else NOT_SAFE
    (out_dir / "audit_key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {len(chosen)} items to {out_dir / 'audit_items.jsonl'} and the key beside it "
        f"({time.process_time() - t0:.0f} CPU s); decisions not shown",
        flush=True,
    )


def analyse(out_dir: Path, out: Path | None) -> None:
    key = json.loads((out_dir / "audit_key.json").read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    for line in (out_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line) if line.strip() else {}
        if "id" in rec:
            labels[rec["id"]] = rec["label"]
    decisions: dict[str, str] = key["decisions"]
    missing = sorted(set(decisions) - set(labels))
    if missing:
        raise SystemExit(f"unlabelled items: {missing}")
    result: dict[str, Any] = {"set": key["set"], "threshold": key["threshold"], "groups": {}}
    for side in (SAFE, NOT_SAFE):
        ids = [i for i, dec in decisions.items() if dec == side]
        counts = {lab: sum(labels[i] == lab for i in ids) for lab in ("yes", "unclear", "no")}
        n = len(ids)
        lo, hi = wilson(counts["yes"], n)
        lo2, hi2 = wilson(counts["yes"] + counts["unclear"], n)
        result["groups"][side] = {
            "n": n,
            **counts,
            "yes_share": counts["yes"] / n if n else 0.0,
            "yes_ci95": [lo, hi],
            "yes_or_unclear_share": (counts["yes"] + counts["unclear"]) / n if n else 0.0,
            "yes_or_unclear_ci95": [lo2, hi2],
        }
        print(
            f"model {side:10s}: {n} audited; yes {counts['yes']}, unclear {counts['unclear']}, "
            f"no {counts['no']}; yes share {counts['yes'] / n:.3f} [{lo:.3f}-{hi:.3f}]; "
            f"yes or unclear {(counts['yes'] + counts['unclear']) / n:.3f} [{lo2:.3f}-{hi2:.3f}]"
        )
    tp, fp, npos = key["true_positives"], key["false_positives"], key["positives"]
    g = result["groups"][SAFE]
    # Every model-safety negative is audited when there are at most PER_SIDE of them; otherwise
    # the audited share is extrapolated to all of them.
    scale = fp / g["n"] if g["n"] else 0.0
    rows = {
        "as_recorded": fp,
        "yes_excluded": fp - g["yes"] * scale,
        "yes_and_unclear_excluded": fp - (g["yes"] + g["unclear"]) * scale,
    }
    result["diagnostic_precision_f1"] = {}
    print(f"\n{key['set']} (test split, {npos} positives; TP {tp}, FP {fp}); DIAGNOSTIC ONLY:")
    for name, fp_x in rows.items():
        p, r, f = prf(tp, fp_x, npos)
        result["diagnostic_precision_f1"][name] = {
            "false_positives": fp_x,
            "precision": p,
            "recall": r,
            "f1": f,
        }
        print(f"  {name:26s} FP {fp_x:5.1f}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    if out:
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description="Blind label audit of the AI-venue negatives")
    ap.add_argument("step", choices=("build", "analyse"))
    ap.add_argument("--dir", type=Path, default=Path("/tmp/audit14"))
    ap.add_argument("--out", type=Path, help="analyse: write the figures as JSON here too")
    args = ap.parse_args()
    if args.step == "build":
        build(args.dir)
    else:
        analyse(args.dir, args.out)


if __name__ == "__main__":
    main()
