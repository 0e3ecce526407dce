"""The Figure-1-style chart and the table files (CSV/JSON)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from detente.landscape.measures import LandscapeResult
from detente.landscape.taxonomy import AREA_TITLES


def stem(result: LandscapeResult) -> str:
    parts = ["landscape", result.focal, f"{result.year_from}-{result.year_to}", result.subset]
    if result.area:
        parts.append(result.area)
    return "_".join(parts)


def title(result: LandscapeResult) -> str:
    what = "AI-safety" if result.subset == "safety" else "all"
    if result.area:
        what = f"AI-safety ({AREA_TITLES.get(result.area, result.area)})"
    return (
        f"Share of {what} papers by {result.focal} researchers co-authored with each country, "
        f"{result.year_from}–{result.year_to}"
    )


def write_tables(result: LandscapeResult, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / stem(result)
    rows = result.wide_rows()
    csv_path = base.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        fields = list(rows[0].keys()) if rows else ["year", "all_works", "focal_works"]
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    json_path = base.with_suffix(".json")
    json_path.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    written = [csv_path, json_path]
    if result.institutions:
        inst_path = out_dir / (stem(result) + "_institutions.csv")
        with inst_path.open("w", newline="", encoding="utf-8") as fh:
            w2 = csv.writer(fh)
            w2.writerow(["inst_key", "inst_name", "country", "works"])
            for r in result.institutions:
                w2.writerow([r.inst_key, r.inst_name, r.country, r.works])
        written.append(inst_path)
    if result.matrix:
        mat_path = out_dir / (stem(result) + "_matrix.csv")
        countries = sorted({m.country_a for m in result.matrix})
        cell = {(m.country_a, m.country_b): m.works for m in result.matrix}
        with mat_path.open("w", newline="", encoding="utf-8") as fh:
            w3 = csv.writer(fh)
            w3.writerow(["country", *countries])
            for a in countries:
                w3.writerow([a, *[cell.get((a, b), 0) for b in countries]])
        written.append(mat_path)
    if result.areas:
        area_path = out_dir / (stem(result) + "_areas.json")
        area_path.write_text(
            json.dumps([a.model_dump() for a in result.areas], indent=2), encoding="utf-8"
        )
        written.append(area_path)
    return written


def draw(result: LandscapeResult, out_dir: Path, *, partners: int = 5) -> list[Path]:
    """Grouped bars per year (one per top partner, share in %), focal total above each group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    shown = result.top_partners[:partners]
    years = [y for y in result.years if y.focal_works > 0]
    fig, ax = plt.subplots(figsize=(max(7.0, 0.9 * len(years) + 2), 4.8), dpi=120)
    n = max(len(shown), 1)
    width = 0.8 / n
    colors = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    top_of_group: list[float] = []
    for i, p in enumerate(shown):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(years))]
        vals = [100.0 * y.count(p) / y.focal_works for y in years]
        ax.bar(xs, vals, width=width, label=p, color=colors[i % len(colors)])
    for k, y in enumerate(years):
        peak = max((100.0 * y.count(p) / y.focal_works for p in shown), default=0.0)
        top_of_group.append(peak)
        ax.annotate(
            f"{y.focal_works:,}",
            (k, peak),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
        )
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels([str(y.year) for y in years])
    ax.set_ylabel(f"% of {result.focal} papers co-authored with country")
    ax.set_ylim(0, max([*top_of_group, 1.0]) * 1.18)
    ax.set_title(title(result), fontsize=10)
    ax.legend(title="Partner", fontsize=8, title_fontsize=8, frameon=False, ncol=min(n, 5))
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(
        0.01,
        0.01,
        f"Label on each group: {result.focal} papers that year. Definition: {result.definition or result.subset}.",
        fontsize=7,
        color="#555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    base = out_dir / stem(result)
    paths = [base.with_suffix(".svg"), base.with_suffix(".png")]
    for path in paths:
        fig.savefig(path)
    plt.close(fig)
    return paths
