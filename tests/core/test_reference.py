"""The four reference proposals (one per area, neutral features) give framework.md §6 exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detente.assessment.engine import assess
from detente.assessment.loader import load_proposal
from detente.framework.model import VERDICTS, Framework

REF = Path(__file__).resolve().parents[1] / "reference"

# framework.md §6, transcribed: area -> (R1, R2, R3, R4)
SECTION_6 = {
    "verification": ("low", "moderate", "moderate", "moderate"),
    "protocols": ("low", "low", "low", "low"),
    "infrastructure": ("high", "high", "moderate", "high"),
    "evaluations": ("low", "moderate", "moderate", "moderate"),
}
RISKS = ("R1_frontier", "R2_differential", "R3_sensitive_info", "R4_harm_opportunity")


@pytest.mark.parametrize("area", sorted(SECTION_6))
def test_reference_levels_equal_section_6(fw: Framework, area: str) -> None:
    a = assess(load_proposal(REF / f"{area}.yaml", fw), fw)
    assert [p.id for p in a.areas] == [area]
    for kind in ("baseline", "inherent", "residual"):
        assert tuple(getattr(r, kind) for r in a.risks) == SECTION_6[area], kind
    for side in a.sides:
        assert tuple(side.inherent[r] for r in RISKS) == SECTION_6[area]
    assert not a.trace, "neutral features must not fire any rule"


def test_verdicts_follow_the_levels_not_the_area_name(fw: Framework) -> None:
    """§7's conclusion (verification and protocols may be well suited) is carried by the §6 levels;
    the verdict does not look at the area again (no double count). Verification and evaluations
    have the same levels in Détente's reading, so the same verdict; protocols is best, infrastructure
    worst."""
    rank = {
        area: VERDICTS.index(assess(load_proposal(REF / f"{area}.yaml", fw), fw).verdict.level)
        for area in SECTION_6
    }
    assert rank["protocols"] < rank["verification"] == rank["evaluations"] < rank["infrastructure"]
    for good in ("verification", "protocols"):
        assert rank[good] < rank["infrastructure"], rank


def test_framework_file_matches_section_6(fw: Framework) -> None:
    for area, levels in SECTION_6.items():
        assert tuple(fw.area_index[area].baseline[r].level for r in RISKS) == levels


def test_section_6_transcription_matches_shared_framework_md(shared: Path) -> None:
    """The table above is checked against ../shared/mission/framework.md itself."""
    text = (shared / "mission" / "framework.md").read_text(encoding="utf-8")
    ids = {"6.1": "verification", "6.2": "protocols", "6.3": "infrastructure", "6.4": "evaluations"}
    for sec, area in ids.items():
        block = text.split(f"### {sec} ", 1)[1].split("\n### ", 1)[0]
        levels = tuple(re.findall(r"^\| R[1-4] \| (low|moderate|high) \|", block, flags=re.M))
        assert levels == SECTION_6[area], (sec, levels)
