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


def _what(result: LandscapeResult) -> str:
    if result.area:
        return f"AI-safety ({AREA_TITLES.get(result.area, result.area)})"
    return "AI-safety" if result.subset == "safety" else "all"


def title(result: LandscapeResult) -> str:
    what = _what(result)
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
    if result.country_share:
        cs_path = out_dir / (stem(result) + f"_country_share_{result.counting}.csv")
        with cs_path.open("w", newline="", encoding="utf-8") as fh:
            w4 = csv.writer(fh)
            w4.writerow(
                [
                    "year",
                    "country",
                    "works",
                    "total",
                    "share_pct",
                    "ci95_low_pct",
                    "ci95_high_pct",
                    "below_min_n",
                    "counting",
                ]
            )
            for cs in result.country_share:
                w4.writerow(
                    [
                        cs.year,
                        cs.country,
                        cs.works,
                        cs.total,
                        round(100 * cs.share, 3),
                        round(100 * cs.ci_low, 3),
                        round(100 * cs.ci_high, 3),
                        cs.total < result.min_n,
                        cs.counting,
                    ]
                )
        written.append(cs_path)
    if result.institution is not None:
        iv = result.institution
        iv_path = out_dir / (stem(result) + "_institution.json")
        iv_path.write_text(iv.model_dump_json(indent=2), encoding="utf-8")
        written.append(iv_path)
    if result.areas:
        area_path = out_dir / (stem(result) + "_areas.json")
        area_path.write_text(
            json.dumps([a.model_dump() for a in result.areas], indent=2), encoding="utf-8"
        )
        written.append(area_path)
    return written


MAX_BAR_YEARS = 15

COUNTING_TEXT = {
    "whole": "whole counting (a paper counts once for each country with at least one author)",
    "fractional": "fractional counting (a paper is one unit split equally among its authors "
    "that have a country, and an author's part among their countries)",
}


def legend_notes(result: LandscapeResult, lines: bool) -> list[str]:
    """The legend's explanatory entries (also checked by the tests)."""
    small = f"fewer than {result.min_n} {result.focal} papers that year"
    return [
        "error bars / bands: 95% Wilson interval",
        f"omitted: {small}" if lines else f"hatched: {small} (share unreliable)",
        "marker on the axis: a share of exactly 0 (not missing data)",
    ]


def footer(result: LandscapeResult) -> str:
    return (
        f"Source: {result.source or 'unknown'}. Definition: {result.definition or result.subset}. "
        f"Counting: {COUNTING_TEXT['whole']} for co-authorship"
        + (
            f"; {COUNTING_TEXT.get(result.counting, result.counting)} for country share"
            if result.country_share
            else ""
        )
        + f". Generated {result.generated or 'n/a'} by Détente."
    )


def draw(result: LandscapeResult, out_dir: Path, *, partners: int = 5) -> list[Path]:
    """Figure 1 (share of the focal country's papers co-authored with each partner) and,
    beside it, each country's share of all papers (the Almanac view), with 95 % Wilson
    intervals, the minimum-n rule and the source, definition, counting and date.

    Up to 15 years are drawn as grouped bars, longer ranges as lines.
    """
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from detente.landscape.measures import wilson

    plt.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG (searchable, tested)

    out_dir.mkdir(parents=True, exist_ok=True)
    shown = result.top_partners[:partners]
    years = result.years
    lines = len(years) > MAX_BAR_YEARS
    two = bool(result.country_share)
    width = 7.0 if lines else min(max(6.0, 0.75 * len(years) + 2), 12.0)
    fig, axes = plt.subplots(
        1,
        2 if two else 1,
        figsize=(width + (6.0 if two else 0.0), 5.6),
        dpi=110,
        squeeze=False,
        gridspec_kw={"width_ratios": [width, 6.0] if two else [width]},
    )
    ax = axes[0][0]
    colors = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    n = max(len(shown), 1)
    bw = 0.8 / n
    peak = 1.0
    zero_marks = 0
    # Legend swatches are drawn solid: a bar of a year below min_n is hatched and pale, and
    # taking the swatch from the first bar made the partner itself look "unreliable".
    swatches: list[Patch] = []
    for i, p in enumerate(shown):
        color = colors[i % len(colors)]
        swatches.append(Patch(facecolor=color, edgecolor=color))
        xs, vals, los, his, small = [], [], [], [], []
        for k, y in enumerate(years):
            if y.focal_works == 0:
                continue
            c = y.count(p)
            lo, hi = wilson(c, y.focal_works)
            xs.append(k if lines else k + (i - (n - 1) / 2) * bw)
            vals.append(100.0 * c / y.focal_works)
            los.append(100.0 * lo)
            his.append(100.0 * hi)
            small.append(y.focal_works < result.min_n)
        if lines:
            big = [j for j, sm in enumerate(small) if not sm]
            ax.plot([xs[j] for j in big], [vals[j] for j in big], "-o", ms=3, color=color, label=p)
            ax.fill_between(
                [xs[j] for j in big],
                [los[j] for j in big],
                [his[j] for j in big],
                color=color,
                alpha=0.15,
                linewidth=0,
            )
            peak = max([peak, *(his[j] for j in big)])
            keep = big
        else:
            for j, x in enumerate(xs):
                ax.bar(
                    x,
                    vals[j],
                    width=bw,
                    color=color,
                    alpha=0.35 if small[j] else 1.0,
                    hatch="///" if small[j] else None,
                    edgecolor=color if small[j] else None,
                )
            ax.errorbar(
                xs,
                vals,
                yerr=[
                    [v - lo for v, lo in zip(vals, los, strict=True)],
                    [hi - v for v, hi in zip(vals, his, strict=True)],
                ],
                fmt="none",
                ecolor="#333",
                elinewidth=0.7,
                capsize=1.5,
            )
            peak = max([peak, *his])
            keep = list(range(len(xs)))
        for j in keep:
            if vals[j] == 0.0:
                ax.plot(
                    xs[j],
                    0,
                    marker="^",
                    ms=5,
                    color=color,
                    clip_on=False,
                    gid=f"zero-share-{p}-{j}",
                )
                zero_marks += 1
    for k, y in enumerate(years):
        if y.focal_works == 0:
            ax.text(
                k, 0.5, "no data", ha="center", va="bottom", fontsize=7, color="#777", rotation=90
            )
        elif not lines:
            top = max((100.0 * wilson(y.count(p), y.focal_works)[1] for p in shown), default=0.0)
            ax.annotate(
                f"{y.focal_works:,}",
                (k, top),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                fontweight="bold",
            )
    step = 1 if not lines else max(1, len(years) // 12)
    ax.set_xticks(range(0, len(years), step))
    ax.set_xticklabels([str(years[k].year) for k in range(0, len(years), step)], fontsize=8)
    ax.set_ylabel(f"% of {result.focal} papers co-authored with country")
    ax.set_ylim(0, min(100.0, peak * 1.15))
    ax.set_title(textwrap.fill(title(result), 70), fontsize=9)
    if lines:
        handles, labels = ax.get_legend_handles_labels()
    else:
        handles, labels = list(swatches), list(shown)
    notes = legend_notes(result, lines)
    extra = [Patch(facecolor="white", edgecolor="#555", hatch="" if lines else "///")] + [
        Patch(facecolor="none", edgecolor="none")
    ] * 2
    order = [notes[1], notes[0], notes[2]]
    ax.legend(
        handles + extra,
        labels + order,
        title="Partner" + ("" if lines else f" (label: {result.focal} papers that year)"),
        fontsize=7,
        title_fontsize=7,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=3,
    )
    ax.spines[["top", "right"]].set_visible(False)
    if two:
        ax2 = axes[0][1]
        countries = [result.focal, *shown]
        top2 = 1.0
        for ci, cc in enumerate(countries):
            rows = [r for r in result.country_share if r.country == cc]
            cys = [r.year for r in rows if r.total >= result.min_n]
            cvals = [100 * r.share for r in rows if r.total >= result.min_n]
            clo = [100 * r.ci_low for r in rows if r.total >= result.min_n]
            chi = [100 * r.ci_high for r in rows if r.total >= result.min_n]
            ccolor = "black" if ci == 0 else colors[(ci - 1) % len(colors)]
            ax2.plot(cys, cvals, "-o", ms=3, color=ccolor, label=cc)
            ax2.fill_between(cys, clo, chi, color=ccolor, alpha=0.12, linewidth=0)
            top2 = max([top2, *chi])
        ax2.set_ylim(0, min(100.0, top2 * 1.15))
        ax2.set_ylabel(
            "% of papers with an author there"
            if result.counting == "whole"
            else "% of papers (fractional credit)"
        )
        ax2.set_title(
            textwrap.fill(
                f"Each country's share of {_what(result)} papers ({result.counting} counting)",
                60,
            ),
            fontsize=9,
        )
        ax2.legend(
            title=f"Country (years with < {result.min_n} papers omitted; bands: 95% Wilson)",
            fontsize=7,
            title_fontsize=7,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.09),
            ncol=4,
        )
        ax2.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.text(0.01, -0.02, textwrap.fill(footer(result), 190), fontsize=6.5, color="#444", va="top")
    base = out_dir / stem(result)
    paths = [base.with_suffix(".svg"), base.with_suffix(".png")]
    for path in paths:
        fig.savefig(path, bbox_inches="tight")  # keeps the legends and footer below the axes
    plt.close(fig)
    return paths
