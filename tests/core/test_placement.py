"""Placement: measured on a labelled set written before tuning, with a held-out half (issue 9).

The figures in docs/placement.md are computed here (the test fails when they drift); the
calibration in src/detente/assessment/data/placement.yaml is re-fitted from the tune split and
must match what is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from detente.assessment.engine import assess
from detente.assessment.features import side_features
from detente.assessment.placement import (
    Counts,
    Placement,
    area_counts,
    confidence,
    config,
    fit_calibration,
    place,
)
from detente.assessment.proposal import Proposal
from detente.framework.model import Framework
from detente.report import render

from .conftest import proposal

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "tests/core/data/placement_cases.yaml").read_text("utf-8"))["cases"]
DOC = ROOT / "docs" / "placement.md"


def _proposal(case: dict[str, Any]) -> Proposal:
    title, _, rest = case["text"].partition(". ")
    assets = case.get("assets", [])
    return Proposal.model_validate(
        {
            "title": title,
            "summary": rest,
            "parties": [
                {"name": "Example University", "country": "US", "contributes": assets},
                {"name": "Example Daxue", "country": "CN", "contributes": assets},
            ],
            "activities": case.get("activities", []),
            "forms": case.get("forms", []),
            "maturity": case.get("maturity"),
        }
    )


@dataclass
class Figures:
    n: int
    exact: int
    tp: int
    fp: int
    fn: int
    status_ok: int
    no_area: int
    no_area_placed: int
    brier: float

    def row(self, split: str) -> str:
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return (
            f"| {split} | {self.n} | {self.exact}/{self.n} ({self.exact / self.n:.0%}) | "
            f"{prec:.2f} | {rec:.2f} | {self.status_ok}/{self.n} | "
            f"{self.no_area_placed}/{self.no_area} | {self.brier:.3f} |"
        )


def legacy_place(p: Proposal, fw: Framework) -> tuple[set[str], str]:
    """The rule Détente used before issue 9 (the baseline): an area with a declared signal or two
    distinct keywords is placed; failing that, the best-scoring area with any keyword; nothing
    found meant "assessed against every area"."""
    text = p.text().lower()
    flags = side_features(p)[0].flags
    found: list[tuple[int, int, str, str]] = []
    for area in fw.doc.areas:
        for k in dict.fromkeys(area.keywords):
            pat = re.compile(r"(?<![\w-])" + re.escape(k.lower()) + r"(?![\w-])")
            found += [(m.start(), m.end(), area.id, k) for m in pat.finditer(text)]
    found.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
    taken: list[tuple[int, int]] = []
    words: dict[str, set[str]] = {a.id: set() for a in fw.doc.areas}
    for start, end, area_id, k in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        words[area_id].add(k)
    scored = []
    for area in fw.doc.areas:
        sig = [x for x in area.signals if x in flags]
        score = 2 * len(sig) + len(words[area.id])
        if score:
            scored.append((score, area.id, bool(sig) or len(words[area.id]) >= 2))
    placed = {a for _, a, ok in scored if ok}
    if not placed and scored:
        placed = {max(scored)[1]}
    if not placed:
        return set(fw.area_index), "not_placed"
    return placed, "placed"


def measure(fw: Framework, split: str, *, legacy: bool = False) -> Figures:
    f = Figures(0, 0, 0, 0, 0, 0, 0, 0, 0.0)
    sq, pairs = 0.0, 0
    for case in CASES:
        if case["split"] != split:
            continue
        p = _proposal(case)
        if legacy:
            areas, status = legacy_place(p, fw)
            pl = Placement(
                status=status, method="legacy", areas=sorted(areas), threshold=0.5, message=""
            )  # type: ignore[arg-type]
        else:
            pl = place(p, fw, side_features(p)[0].flags)
        want, got = set(case["areas"]), set(pl.areas)
        f.n += 1
        f.exact += want == got
        f.tp += len(want & got)
        f.fp += len(got - want)
        f.fn += len(want - got)
        f.status_ok += pl.status == case["status"]
        if not want:
            f.no_area += 1
            f.no_area_placed += bool(got)
        conf = {a: 1.0 for a in got} if legacy else {c.area: c.confidence for c in pl.candidates}
        for area in fw.area_index:
            sq += (conf.get(area, 0.0) - (area in want)) ** 2
            pairs += 1
    f.brier = sq / pairs
    return f


def figures_table(fw: Framework) -> str:
    head = (
        "| split | proposals | exact area set | area precision | area recall | status right | "
        "no-area texts given an area | Brier score |\n|---|---|---|---|---|---|---|---|"
    )
    return "\n".join(
        [
            head,
            measure(fw, "tune").row("tune"),
            measure(fw, "held_out").row("held-out"),
            measure(fw, "tune", legacy=True).row("tune, previous rule"),
            measure(fw, "held_out", legacy=True).row("held-out, previous rule"),
        ]
    )


def test_the_labelled_set_is_big_enough_and_split() -> None:
    assert len(CASES) >= 60
    splits = {c["split"] for c in CASES}
    assert splits == {"tune", "held_out"}
    held = [c for c in CASES if c["split"] == "held_out"]
    assert len(held) >= 20
    # every kind of label is in both splits
    for split in ("tune", "held_out"):
        kinds = {c["status"] for c in CASES if c["split"] == split}
        assert {"placed", "outside", "not_placed"} <= kinds
    assert len({c["id"] for c in CASES}) == len(CASES)


def test_held_out_figures(fw: Framework) -> None:
    held = measure(fw, "held_out")
    assert held.exact / held.n >= 0.8
    assert held.no_area_placed == 0  # never invents an area for off-topic or dialogue-only work
    assert held.fp == 0 or held.tp / (held.tp + held.fp) >= 0.9


def test_docs_report_the_figures(fw: Framework) -> None:
    text = DOC.read_text("utf-8")
    assert figures_table(fw) in text, (
        "docs/placement.md does not show the current figures; paste:\n" + figures_table(fw)
    )


def test_calibration_is_the_fit_on_the_tune_split(fw: Framework) -> None:
    rows = []
    for case in CASES:
        if case["split"] != "tune":
            continue
        p = _proposal(case)
        for area, counts in area_counts(p, fw, side_features(p)[0].flags).items():
            rows.append((counts, int(area in case["areas"])))
    cal = config().calibration
    fitted = fit_calibration(rows, signals=cal["signals"])
    for k, v in fitted.items():
        assert abs(cal[k] - v) <= 0.05, (k, cal[k], v)  # type: ignore[index]


def test_confidence_grows_with_evidence() -> None:
    none = confidence(Counts())
    one_generic = confidence(Counts(generic=1))
    one_word = confidence(Counts(word=1))
    two_words = confidence(Counts(word=2))
    signal = confidence(Counts(signals=1))
    assert none < one_generic < one_word < two_words
    t = config().threshold
    assert one_word < t <= two_words and signal >= t


@pytest.mark.parametrize(
    "text",
    [
        "Compute governance dialogue. Policy researchers discuss compute governance in Geneva.",
        "Economics of AI. Economists compare the price of GPUs across markets.",
        "A survey. We measure public attitudes and report them.",
    ],
)
def test_a_generic_word_never_places(fw: Framework, text: str) -> None:
    title, _, rest = text.partition(". ")
    p = proposal(None, title=title, summary=rest)
    pl = place(p, fw, side_features(p)[0].flags)
    assert pl.areas == [] and pl.status in ("not_placed", "outside")
    for c in pl.candidates:
        if all(e.kind == "generic" for e in c.evidence):
            assert c.confidence <= config().generic_cap and "generic" in (c.why_not or "")


def test_negated_keywords_are_not_evidence(fw: Framework) -> None:
    p = proposal(
        None,
        title="A joint statement",
        summary="No benchmark, red-teaming or evaluation work is planned.",
    )
    pl = place(p, fw, side_features(p)[0].flags)
    assert "evaluations" not in {c.area for c in pl.candidates}


def test_not_placed_assesses_no_area_and_asks(fw: Framework) -> None:
    p = proposal(
        None,
        title="A scientists' dialogue on extreme AI risks",
        summary="Senior scientists meet for two days and publish a joint statement.",
        forms=["dialogue", "joint_publication"],
        us={"administers_infrastructure": True},
    )
    a = assess(p, fw)
    assert a.areas == [] and a.cells == [] and a.risks == [] and a.trace == []
    assert a.placement is not None and a.placement.status == "outside"
    (topic,) = a.placement.outside
    assert topic.topic == "governance_dialogue" and topic.nearest_area == "protocols"
    assert not topic.nearest_applied and "not applied" in topic.why
    # placement alone never gives a verdict worse than needs senior review
    assert a.verdict.level == "needs_senior_review"
    assert {d.rule for d in a.verdict.decisive} == {"V-AREAS-UNDETERMINED", "V-OUTSIDE-AREAS"}
    for kind in ("md", "html", "text"):
        assert "reviewer must classify" in render(a, kind).replace("\n", " ").replace("│", "")


def test_not_placed_names_the_candidates(fw: Framework) -> None:
    p = proposal(None, title="Measuring things", summary="We run one benchmark.")
    a = assess(p, fw)
    assert a.placement is not None and a.placement.status == "not_placed" and a.areas == []
    assert [c.area for c in a.placement.candidates] == ["evaluations"]
    assert "Evaluation methods" in a.placement.message
    assert {d.rule for d in a.verdict.decisive} == {"V-AREAS-UNDETERMINED"}


def test_outside_topic_with_its_nearest_area_applied(fw: Framework) -> None:
    p = proposal(
        None,
        title="Interpretability tooling",
        summary="An open-source library for mechanistic interpretability and activation patching.",
        activities=["build_tooling"],
    )
    a = assess(p, fw)
    assert a.placement is not None and a.placement.status == "placed"
    assert [x.id for x in a.areas] == ["infrastructure"] and a.areas[0].confidence
    (topic,) = a.placement.outside
    assert topic.topic == "interpretability" and not topic.nearest_applied


def test_declared_areas_are_used_as_declared(fw: Framework) -> None:
    p = proposal("protocols", summary="A shared GPU cluster with compute for training runs.")
    a = assess(p, fw)
    assert a.placement is not None and a.placement.status == "declared"
    assert [x.id for x in a.areas] == ["protocols"] and not a.areas[0].inferred


def test_cli_prints_not_determined(tmp_path: Path) -> None:
    from detente.cli.main import app

    f = tmp_path / "dialogue.yaml"
    f.write_text(
        "title: A dialogue\nsummary: Two scientists talk about the weather.\n"
        "parties:\n  - {name: A Uni, country: US}\n  - {name: B Uni, country: CN}\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, ["assess", str(f), "--no-screen"], terminal_width=200)
    assert out.exit_code == 0, out.output
    text = re.sub(r"\s+", " ", out.output.replace("│", " "))
    assert "areas not determined — a reviewer must classify" in text
    assert "Needs senior review" in text


def test_cli_classifier_option_without_a_trained_model_uses_keywords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detente.cli.main import app

    monkeypatch.setenv("DETENTE_HOME", str(tmp_path / "home"))
    f = tmp_path / "bench.yaml"
    f.write_text(
        "title: A benchmark for honesty\nsummary: We design a benchmark and evaluations.\n"
        "parties:\n  - {name: A Uni, country: US}\n  - {name: B Uni, country: CN}\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        app,
        ["assess", str(f), "--no-screen", "--infer-areas", "classifier", "-q"],
        terminal_width=200,
    )
    assert out.exit_code == 0, out.output
    assert "evaluations*" in out.output


# Declared fields that point to one area (framework.md §6: maturity codifying_existing is §6.2,
# the assets evaluation_data / elicitation_techniques §6.4, compute §6.3, chip_details /
# hardware_designs §6.1): evidence with their own weight, fitted on the tune split, but never
# enough on their own.  Rows written before the change (holdout round 3, h3-04 and h3-05).
_CODIFY = {"maturity": "codifying_existing"}
_EVAL_DATA = {
    "us": {"contributes": ["evaluation_data"]},
    "cn": {"contributes": ["evaluation_data"]},
}


@pytest.mark.parametrize(
    ("fields", "text", "area", "placed"),
    [
        # a declared field alone: a candidate, not placed
        (
            _CODIFY,
            "A short list. Two groups compare what labs publish and agree a list.",
            "protocols",
            False,
        ),
        (
            _EVAL_DATA,
            "Hard questions. Two teams write questions in two languages.",
            "evaluations",
            False,
        ),
        # Revised after fitting (the rows written first expected a field and ONE word of the text
        # to place): the fitted field weight is about half a word's, so a field with one specific
        # word stays a candidate (0.45), and it places where a specific and a generic word of the
        # text are not enough on their own (0.44 -> 0.69).
        (
            _EVAL_DATA,
            "Hard questions. Two teams write a question set in two languages.",
            "evaluations",
            False,
        ),
        (
            _CODIFY,
            "Release steps. Two groups compare the procedures labs follow and who signs off.",
            "protocols",
            True,
        ),
        (
            {},
            "Release steps. Two groups compare the procedures labs follow and who signs off.",
            "protocols",
            False,
        ),
        (
            _EVAL_DATA,
            "Hard questions. Two teams write a question set and measure how models answer.",
            "evaluations",
            True,
        ),
        (
            {},
            "Hard questions. Two teams write a question set and measure how models answer.",
            "evaluations",
            False,
        ),
    ],
)
def test_declared_fields_are_evidence_but_never_alone(
    fw: Framework, fields: dict[str, Any], text: str, area: str, placed: bool
) -> None:
    title, _, rest = text.partition(". ")
    p = proposal(None, title=title, summary=rest, **fields)
    pl = place(p, fw, side_features(p)[0].flags)
    assert (area in pl.areas) is placed, (text, pl.candidates)
    cand = {c.area: c for c in pl.candidates}
    if fields:
        (ev,) = [
            e
            for e in cand[area].evidence
            if e.text in ("maturity.codifying_existing", "asset.evaluation_data")
        ]
        assert ev.kind == "signal" and ev.weight == config().calibration["fields"]
    if not placed and area in cand:
        assert cand[area].why_not


def test_a_declared_field_alone_is_capped(fw: Framework) -> None:
    """However many fields point to an area, without any word of the text or a declared activity
    the area is not placed (capped like generic words)."""
    p = proposal(
        None,
        title="A pooled partition",
        summary="Two universities pool their hours.",
        us={"contributes": ["compute", "infrastructure_details"]},
    )
    pl = place(p, fw, side_features(p)[0].flags)
    assert pl.areas == []
    (c,) = [c for c in pl.candidates if c.area == "infrastructure"]
    assert c.confidence <= config().generic_cap and "declared field" in (c.why_not or "")


def test_the_holdout3_keywordless_proposals_are_placed(fw: Framework) -> None:
    """h3-04 (a release checklist, maturity codifying_existing) and h3-05 (a shared question set
    scoring models, evaluation_data contributed) are placed in their area, with the field quoted as
    evidence alongside the text."""
    from .holdout import TABLES

    h3 = TABLES["holdout3"]
    for cid, area, field in (
        ("h3-04-release-checklist-no-keywords", "protocols", "maturity.codifying_existing"),
        (
            "h3-05-admit-uncertainty-question-set-no-keywords",
            "evaluations",
            "asset.evaluation_data",
        ),
    ):
        p = Proposal.model_validate(h3.proposal(h3.by_id[cid]))
        pl = place(p, fw, side_features(p)[0].flags)
        assert pl.areas == [area], (cid, pl.candidates)
        (c,) = [c for c in pl.candidates if c.area == area]
        kinds = {e.kind for e in c.evidence}
        assert field in {e.text for e in c.evidence} and kinds & {"keyword", "phrase"}


@pytest.mark.parametrize(
    "text",
    [
        "Corrigibility and goal stability. A seminar series on off-switch games and utility indifference.",
        "Shutdownable agents. Researchers study whether an agent can be corrigible under self-modification.",
    ],
)
def test_alignment_theory_is_outside(fw: Framework, text: str) -> None:
    title, _, rest = text.partition(". ")
    p = proposal(None, title=title, summary=rest)
    pl = place(p, fw, side_features(p)[0].flags)
    assert pl.status == "outside" and [t.topic for t in pl.outside] == ["alignment"]


# Quoted vocabulary of a terminology work that assesses nothing (placement 1.2.0, holdout4 h4-01):
# the terms are mentioned, not used. Each row: the description, declared activities, whether
# evaluations is placed, whether protocols is placed (None: not checked; with `maturity:
# codifying_existing`, as h4-01: "glossary", the quoted "safety case" and the declared maturity place
# protocols). Written from the texts' meaning before running.
_GLOSSARY = (
    'The paper compiles a shared glossary of the terms used in AI safety testing (for example "red-'
    'teaming", "capability elicitation", "uplift", "safety case", "jailbreak") with definitions and'
    " citations."
)
VOCABULARY_CASES: list[tuple[str, list[str], bool, bool | None]] = [
    # h4-01's shape: a literature review declared; the quoted terms place nothing but protocols
    (_GLOSSARY + " The work is a literature review.", ["literature_review"], False, True),
    (_GLOSSARY + " The work is a literature review.", [], False, True),
    (_GLOSSARY + " No models are trained or tested.", [], False, True),
    # nothing says that nothing is assessed: the terms count as before
    (_GLOSSARY, [], True, True),
    # evaluation work declared: the quoted terms count for evaluations
    (
        _GLOSSARY + " The work is a literature review.",
        ["literature_review", "red_teaming"],
        True,
        True,
    ),
    # unquoted use in the same sentence counts
    (
        "The paper compiles a glossary of red-teaming and jailbreak terms. The work is a literature"
        " review.",
        ["literature_review"],
        True,
        None,
    ),
    # quoted terms in a sentence that names no terminology work count
    (
        'We will run "red-teaming" and "jailbreak" exercises. The work is a literature review.',
        ["literature_review"],
        True,
        False,
    ),
]


@pytest.mark.parametrize(("text", "activities", "evaluations", "protocols"), VOCABULARY_CASES)
def test_quoted_vocabulary_of_a_terminology_work_is_not_evidence(
    fw: Framework, text: str, activities: list[str], evaluations: bool, protocols: bool | None
) -> None:
    p = proposal(
        None,
        title="A joint paper",
        description=text,
        activities=activities,
        maturity="codifying_existing",
    )
    pl = place(p, fw, side_features(p)[0].flags)
    assert ("evaluations" in pl.areas) is evaluations, pl.candidates
    if protocols is not None:
        assert ("protocols" in pl.areas) is protocols, pl.candidates
