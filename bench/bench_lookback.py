"""Researcher look-back on the shared AI-venue papers: indexed look-up vs a linear scan.

Baseline: for each author, a linear scan of every work comparing author names (what a script
without an author index does), measured in the same run on the same authors. Prints CPU time.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from detente.researcher.editions import EditionIndex
from detente.researcher.lookback import RecordsSource, lookback, person_key

AUTHORS = [
    ("Lifang He", "Lehigh University"),
    ("Philip S. Yu", "University of Illinois at Chicago"),
    ("Julian McAuley", "University of California, San Diego"),
    ("Yejin Choi", "University of Washington"),
    ("Wei Wang", "University of California, Los Angeles"),
    ("Yang Liu", "University of California, Santa Cruz"),
    ("Graham Neubig", "Carnegie Mellon University"),
    ("Sergey Levine", "University of California, Berkeley"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    records = (
        a.shared / "data" / "biblio" / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz"
    )
    t = time.process_time()
    src = RecordsSource([records])
    load = time.process_time() - t
    t = time.process_time()
    idx = EditionIndex.from_dir(a.shared / "data" / "lists")
    lists = time.process_time() - t
    best_idx = best_scan = float("inf")
    findings = 0
    for _ in range(a.repeat):
        t = time.process_time()
        findings = sum(
            len(lookback(src, idx, name=n, affiliation=f, as_of=date(2026, 6, 1), years=6).findings)
            for n, f in AUTHORS
        )
        best_idx = min(best_idx, time.process_time() - t)
        t = time.process_time()
        for n, _f in AUTHORS:
            k = person_key(n)
            _ = [w for w in src._works if any(person_key(x.name) == k for x in w.authors)]
        best_scan = min(best_scan, time.process_time() - t)
    print(
        f"records: {len(src._works):,} works loaded in {load:.1f} s CPU; list editions {len(idx.listings):,} in {lists:.2f} s"
    )
    print(
        f"look-back (author index + screening), {len(AUTHORS)} authors: {best_idx / len(AUTHORS) * 1000:.1f} ms/author "
        f"({findings} findings)"
    )
    print(
        f"baseline linear scan (find works only, no screening): {best_scan / len(AUTHORS) * 1000:.1f} ms/author"
    )


if __name__ == "__main__":
    main()
