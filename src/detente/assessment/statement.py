"""The benefit–risk statement: one paragraph in plain language that opens every report.

Written for a dean or a board member who will not read the trace: what the cooperation is, which
of the paper's reasons for rivals to cooperate it serves (framework.md §2), which risks remain
after the planned safeguards and how high, what the verdict is and why, and what is not yet
checked. Every sentence is built from the assessment's own data; nothing is added here that the
trace does not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from detente.assessment.features import SENSITIVE_ASSETS, SideFeatures
from detente.assessment.result import AreaPlacement
from detente.framework.model import Framework
from detente.model.proposal import TALK_FORMS, Form, OrgType, Proposal, Track

#: The four risks in a dean's words (framework.md §5).
PLAIN_RISK = {
    "R1_frontier": "pushing the global frontier of AI capabilities",
    "R2_differential": "giving the rival a relative gain in strategic AI capability",
    "R3_sensitive_info": "exposing sensitive information about other strategic technologies",
    "R4_harm_opportunity": "opening ways for a motivated actor to cause harm",
}
_TRACK = {
    Track.track_1: "a government-to-government (track 1)",
    Track.track_1_5: "a mixed officials-and-experts (track 1.5)",
    Track.track_2: "a non-governmental (track 2)",
}


#: The flag of a side giving each sensitive asset, with the asset in words (catalogue order).
_GIVES_SENSITIVE = tuple(
    (f"self.gives.{a.value}", a.value.replace("_", " "))
    for a in sorted(SENSITIVE_ASSETS, key=lambda a: a.value)
)

#: Each form in words, built once.
_FORM_WORDS = {f: f.value.replace("_", " ") for f in Form}


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _form_phrase(p: Proposal, dialogue_only: bool) -> str:
    if dialogue_only:
        kinds = [_FORM_WORDS[f] for f in p.forms if f in TALK_FORMS]
        head = _TRACK.get(p.track, "a") if p.track else "a"
        return f"{head} cooperation that only talks and writes ({_join(kinds)})"
    if p.forms:
        head = _TRACK.get(p.track, "a") if p.track else "a"
        return f"{head} cooperation by {_join([_FORM_WORDS[f] for f in p.forms])}"
    return "a cooperation whose form is not stated"


def benefit_risk_statement(
    p: Proposal,
    fw: Framework,
    placements: Sequence[AreaPlacement],
    sides: Sequence[SideFeatures],
    risks: Sequence[dict[str, Any]],
    benefits: Sequence[dict[str, Any]],
    verdict: dict[str, Any],
    safeguards: Sequence[dict[str, Any]],
    dd_flags: Sequence[str],
    outside: bool = False,
    questions: int = 0,
    contradicted: Sequence[str] = (),
) -> str:
    """``contradicted``: the planned safeguards the text contradicts (not credited for that
    reason, not for a failed precondition)."""
    dialogue_only = any("form.dialogue_only" in s.flags for s in sides)
    names = {x.key: x.name for x in p.parties}
    # the side's id names the side, not each party's country (the UK institute is on the US side)
    side_txt = [f"{_join([names[k] for k in s.parties])} ({s.side} side)" for s in sides]
    inferred = any(a.inferred for a in placements)
    areas = _join([a.name.lower() for a in placements])
    out: list[str] = []
    who = (
        f"between {_join(side_txt)}"
        if len(sides) > 1
        else f"with parties on one side only ({side_txt[0] if side_txt else 'none'})"
    )
    if placements:
        where = (
            f"in the paper's area{'s' if len(placements) > 1 else ''} of {areas}"
            f"{' (inferred from the text)' if inferred else ''}"
        )
    elif outside:
        where = "outside the paper's four areas (a reviewer must classify it)"
    else:
        where = "in no area the text lets the tool determine (a reviewer must classify it)"
    out.append(f"“{p.title}” is {_form_phrase(p, dialogue_only)} {who}, {where}.")
    military = [x.name for x in p.parties if x.type is OrgType.military_affiliated]
    if military:
        out.append(
            f"{_join(military)} {'is' if len(military) == 1 else 'are'} declared "
            "military-affiliated."
        )
    # what changes hands that the framework counts as sensitive (declared or stated in the text)
    handed = []
    for s in sides:
        given = [words for flag, words in _GIVES_SENSITIVE if flag in s.flags]
        if given:
            handed.append(f"the {s.side} side hands over {_join(given)}")
    if handed and len(sides) > 1:
        text = "; ".join(handed)
        out.append(f"In it, {text}.")
    if benefits:
        motives: dict[str, list[str]] = {}
        for b in benefits:
            motives.setdefault(b["name"].lower(), []).append(b["case"]["name"])
        parts = [f"{m} (as in {_join(list(dict.fromkeys(c)))})" for m, c in motives.items()]
        out.append(
            f"It serves {len(motives)} of the paper's reasons for rivals to cooperate: "
            f"{_join(parts)}."
        )
    else:
        all_low = bool(risks) and all(r["residual"] == "low" for r in risks)
        out.append(
            "It serves none of the paper's four reasons for rivals to cooperate (with the "
            "precedent's conditions met)"
            + (
                "; with every risk low, it needs none."
                if all_low
                else "; the applicants should state what it is for."
            )
        )
    if len(sides) < 2 and risks:
        out.append(
            "No rival side takes part, so nothing in it raises the risks toward a rival (R2–R4): "
            "they are shown at the area's baseline."
        )
    by_level: dict[str, list[str]] = {"high": [], "moderate": [], "low": []}
    for r in risks:
        by_level[r["residual"]].append(PLAIN_RISK.get(r["risk"], r["name"].lower()))
    credited = [s for s in safeguards if s.get("planned") and s.get("credited", True)]
    with_sg = " with the planned safeguards" if credited else ""
    if by_level["high"] or by_level["moderate"]:
        bits = []
        if by_level["high"]:
            many = len(by_level["high"]) > 1
            bits.append(
                f"the risk{'s' if many else ''} of {_join(by_level['high'])} "
                f"{'stay' if many else 'stays'} high"
            )
        if by_level["moderate"]:
            many = len(by_level["moderate"]) > 1
            bits.append(
                f"the risk{'s' if many else ''} of {_join(by_level['moderate'])} "
                f"{'are' if many else 'is'} moderate"
            )
        out.append(f"{with_sg.strip().capitalize() + ', ' if with_sg else ''}{'; '.join(bits)}.")
        if not with_sg:
            out[-1] = out[-1][0].upper() + out[-1][1:]
    elif not risks:
        # the framework gives levels per area only: with no area assessed, no level is known
        out.append("No risk level is known until the areas are classified.")
    else:
        out.append(f"Every risk is low{with_sg}.")
    decisive = verdict["decisive"][0].reason if verdict["decisive"] else ""
    out.append(f"On balance: {verdict['label'].lower()}. {decisive}")
    best = verdict.get("safeguards_to_reach_best") or []
    if best:
        by_id = {s["id"]: s for s in safeguards}
        change = any(by_id.get(b, {}).get("requires_dropping") for b in best)
        names_ = _join([by_id[b]["name"].lower() if b in by_id else b for b in best])
        lead_in = "Changing the plan to" if change else "Adding"
        out.append(
            f"{lead_in} {names_} would make it {verdict['best_reachable'].replace('_', ' ')}."
        )
    not_credited = [
        s["name"].lower()
        for s in safeguards
        if s.get("planned") and not s.get("credited", True) and s["id"] not in contradicted
    ]
    if not_credited:
        out.append(
            f"Planned but not credited (its precondition does not hold): {_join(not_credited)}."
        )
    against = [s["name"].lower() for s in safeguards if s["id"] in contradicted]
    if against:
        out.append(f"Planned but not credited (the text contradicts it): {_join(against)}.")
    if questions:
        out.append(
            f"The text raises {'a question' if questions == 1 else f'{questions} questions'} "
            "the proposal does not answer; the verdict assumes no answer (see the conditions)."
        )
    if "dd.not_checked" in dd_flags:
        out.append(
            "Restricted-party screening was not run or is incomplete, so this is not yet a clearance."
        )
    return " ".join(x.strip() for x in out if x.strip())
