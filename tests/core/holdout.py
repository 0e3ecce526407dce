"""The harness for the held-out verdict case tables (tests/cases/verdict_cases_holdout*.yaml).

Not a test module (pytest collects only ``test_*.py``): test_verdict_holdout.py parametrizes its
tests over :data:`TABLES` with the helpers here. Each table is a YAML document with ``cases`` (20
proposals whose expected verdict range and reason were committed before the tool was run on them),
``probes`` (written after a run to isolate a defect; not part of the out-of-sample count) and, from
round 5, ``twins``.

A case or probe has ``id``, ``expect: [best, worst]`` (verdict range, both ends inclusive),
``reason`` and either ``proposal`` or ``base`` (the id of a case of the same table) with ``patch``
(top-level fields replacing the base's). ``xfail: "<why the tool is wrong>"`` marks the case
xfail(strict=True): when the tool is fixed it XPASSes and the mark must be removed. Besides the
verdict range a case may check (each key means the same in every table):

- ``placement_status``, ``areas``: the placement's status and its areas (in any order);
- ``residual`` ({risk: level}) and ``side_residual`` ({side: {risk: level}});
- ``sides``: the sides assessed, in order;
- ``credited`` / ``not_credited``: planned safeguards credited / planned and not credited;
- ``benefits_counted`` (round 1: ``benefits``) / ``benefits_not_counted`` (round 1:
  ``no_benefits``) / ``benefits_considered`` (listed as "considered, not counted");
- ``text_facts_applied`` / ``text_facts_not_applied``; ``no_question_for``: text facts that raise
  no question;
- ``conditions_include`` / ``conditions_exclude``: verdict-condition rule ids present / absent;
  ``conditions_include_words`` / ``conditions_exclude_words``: phrases the conditions contain / do
  not contain;
- ``statement_excludes``: phrases the benefit–risk statement must not contain;
- ``expect_error``: the plan is rejected, with a message naming each given string (then nothing
  else is checked; docs/proposals.md "Safeguards that contradict the plan").

``expect_not_credited`` (round 3) is the expectation written before the run and is not checked; the
checks taken from it after the run are ``not_credited``.

``known_defects`` (from round 3) lists checks the tool gets wrong without changing the verdict, each
``{why, check}`` with ``check`` made of the keys above or ``error_mentions`` (words the rejection
must name). Each is tested on its own as xfail(strict=True), so the verdict check of the same case
keeps running; with ``fixed: <date>`` it is a plain regression check. ``twins`` are pairs of case ids
(or ``{pair, xfail}``) describing one cooperation, whose verdict and residual levels must agree.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.assessment.engine import assess
from detente.assessment.proposal import Proposal
from detente.assessment.result import Assessment
from detente.errors import ProposalError
from detente.framework.model import VERDICTS, Framework

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"


@dataclass(frozen=True, eq=False)
class Table:
    """One held-out table: ``name`` is the file's stem without ``verdict_cases_``."""

    name: str
    cites: tuple[str, ...]  # every reason contains one of these (none: any reason)
    cases: list[dict[str, Any]]
    probes: list[dict[str, Any]]
    twins: list[dict[str, Any]]

    @classmethod
    def load(cls, name: str, cites: tuple[str, ...] = ()) -> Table:
        path = CASES_DIR / f"verdict_cases_{name}.yaml"
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        twins = [
            {"pair": pair, "xfail": None} if isinstance(pair, list) else pair
            for pair in doc.get("twins") or []
        ]
        return cls(name, cites, doc["cases"], doc.get("probes") or [], twins)

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.cases + self.probes}

    def proposal(self, case: dict[str, Any]) -> dict[str, Any]:
        """The case's proposal data: its own, or its base's with the patch applied."""
        if "proposal" in case:
            return dict(case["proposal"])
        data = copy.deepcopy(self.by_id[case["base"]]["proposal"])
        data.update(copy.deepcopy(case.get("patch") or {}))
        return dict(data)

    def assess(self, fw: Framework, case: dict[str, Any] | str) -> Assessment:
        """Assess a case (or the case with that id)."""
        if isinstance(case, str):
            case = self.by_id[case]
        return assess(Proposal.model_validate(self.proposal(case)), fw)

    def rejection(self, fw: Framework, case: dict[str, Any]) -> str | None:
        """The rejection message when the proposal is rejected, else None."""
        try:
            self.assess(fw, case)
        except ProposalError as e:
            return str(e)
        return None


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table.load("holdout"),
        Table.load("holdout2", cites=("§", "proposals.md")),
        Table.load("holdout3", cites=("§",)),
        Table.load("holdout4", cites=("§",)),
        Table.load("holdout5", cites=("§",)),
        Table.load("holdout6", cites=("§",)),
        Table.load("holdout7", cites=("§",)),
        Table.load("holdout8", cites=("§", "proposals.md", "README")),
        Table.load("holdout9", cites=("§", "proposals.md", "README")),
    )
}


def _xfail(why: str | None) -> list[Any]:
    return [pytest.mark.xfail(strict=True, reason=why)] if why else []


def table_params() -> list[Any]:
    return [pytest.param(t, id=t.name) for t in TABLES.values()]


def case_params(kind: str) -> list[Any]:
    """(table, case) for every case (``kind="cases"``) or probe (``"probes"``) of every table."""
    return [
        pytest.param(t, case, id=f"{t.name}-{case['id']}", marks=_xfail(case.get("xfail")))
        for t in TABLES.values()
        for case in getattr(t, kind)
    ]


def defect_params() -> list[Any]:
    """(table, case, check) for every known defect; strict xfail unless ``fixed``."""
    return [
        pytest.param(
            t,
            case,
            d["check"],
            id=f"{t.name}-{case['id']}-{n}",
            # a fixed defect stays as a regression check
            marks=[] if d.get("fixed") else _xfail(" ".join(d["why"].split())),
        )
        for t in TABLES.values()
        for case in t.cases + t.probes
        for n, d in enumerate(case.get("known_defects") or [])
    ]


def twin_params() -> list[Any]:
    return [
        pytest.param(
            t,
            twin["pair"],
            id=f"{t.name}-{'-'.join(twin['pair'])}",
            marks=_xfail(twin.get("xfail")),
        )
        for t in TABLES.values()
        for twin in t.twins
    ]


def well_formed_problems(table: Table) -> list[str]:
    """What is wrong with the table's shape, in words."""
    bad: list[str] = []
    if len(table.cases) != 20:
        bad.append(f"{len(table.cases)} cases, expected 20")
    ids = [c["id"] for c in table.cases + table.probes]
    if len(set(ids)) != len(ids):
        bad.append(f"duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for twin in table.twins:
        if not all(cid in table.by_id for cid in twin["pair"]):
            bad.append(f"twin {twin} names an unknown case")
    for c in table.cases + table.probes:
        lo, hi = c["expect"]
        if VERDICTS.index(lo) > VERDICTS.index(hi):
            bad.append(f"{c['id']}: expect {c['expect']} is not [best, worst]")
        if not c["reason"].strip():
            bad.append(f"{c['id']}: no reason")
        elif table.cites and not any(cite in c["reason"] for cite in table.cites):
            bad.append(f"{c['id']}: the reason cites none of {table.cites}")
        if ("proposal" in c) == ("base" in c):
            bad.append(f"{c['id']}: needs either a proposal or a base")
        for d in c.get("known_defects") or []:
            if not (d["why"].strip() and d["check"]):
                bad.append(f"{c['id']}: a known defect without why or check")
    return bad


def failures(a: Assessment, cid: str, spec: dict[str, Any]) -> list[str]:
    """Every check of ``spec`` (a case or a known defect's check) that ``a`` fails, in words."""
    bad: list[str] = []
    p = a.placement
    if "placement_status" in spec and (p is None or p.status != spec["placement_status"]):
        bad.append(f"placement {p.status if p else None}, expected {spec['placement_status']}")
    if "areas" in spec and (p is None or sorted(p.areas) != sorted(spec["areas"])):
        bad.append(f"areas {p.areas if p else None}, expected {spec['areas']}")
    residual = {r.risk: r.residual for r in a.risks}
    for risk, level in (spec.get("residual") or {}).items():
        if residual.get(risk) != level:
            bad.append(f"residual {risk} {residual.get(risk)}, expected {level}")
    if "sides" in spec and [s.side for s in a.sides] != spec["sides"]:
        bad.append(f"sides {[s.side for s in a.sides]}, expected {spec['sides']}")
    sides = {s.side: s.residual for s in a.sides}
    for side, levels in (spec.get("side_residual") or {}).items():
        for risk, level in levels.items():
            got = sides.get(side, {}).get(risk)
            if got != level:
                bad.append(f"side {side} {risk} {got}, expected {level}")
    planned = {s.id: s.credited for s in a.safeguards if s.planned}
    counted = {b.rule for b in a.benefits}
    considered = {b.rule for b in a.benefits_considered}
    applied = {t.id for t in a.text_facts if t.applied}
    asked = {t.id for t in a.text_facts if t.question and not t.applied}
    conditions = " ".join(a.verdict.conditions)
    # key: (what each item the key lists must satisfy, the message when it does not)
    wants: dict[str, tuple[Callable[[str], bool], str]] = {
        "credited": (lambda sg: planned.get(sg) is True, "{} not credited"),
        "not_credited": (lambda sg: planned.get(sg) is False, "{} credited or not planned"),
        "benefits_counted": (lambda r: r in counted, f"benefit {{}} not counted {sorted(counted)}"),
        "benefits": (lambda r: r in counted, f"benefit {{}} not counted {sorted(counted)}"),
        "benefits_not_counted": (lambda r: r not in counted, "benefit {} counted"),
        "no_benefits": (lambda r: r not in counted, "benefit {} counted"),
        "benefits_considered": (
            lambda r: r in considered,
            f"benefit {{}} not 'considered, not counted' {sorted(considered)}",
        ),
        "text_facts_applied": (lambda f: f in applied, "text fact {} not applied"),
        "text_facts_not_applied": (lambda f: f not in applied, "text fact {} applied"),
        "no_question_for": (lambda f: f not in asked, "text fact {} raises a question"),
        "conditions_include": (lambda r: f"[{r};" in conditions, "no condition {}"),
        "conditions_exclude": (lambda r: f"[{r};" not in conditions, "condition {}"),
        "conditions_include_words": (lambda w: w in conditions, "no condition mentions {!r}"),
        "conditions_exclude_words": (lambda w: w not in conditions, "condition mentions {!r}"),
        "statement_excludes": (lambda t: t not in a.statement, "statement says {!r}"),
    }
    for key, (ok, message) in wants.items():
        bad += [message.format(item) for item in spec.get(key) or [] if not ok(item)]
    return [f"{cid}: {b}" for b in bad]


def error_failures(
    table: Table, fw: Framework, case: dict[str, Any], words: list[str]
) -> list[str]:
    """What is missing from the case's rejection: each word it must name, or the rejection."""
    message = table.rejection(fw, case)
    if message is None:
        return [f"{case['id']}: not rejected, expected a rejection naming {words}"]
    return [f"{case['id']}: rejection does not name {w!r}" for w in words if w not in message]


def check_case(table: Table, fw: Framework, case: dict[str, Any]) -> None:
    """Assert the case's verdict range (or rejection) and every other check it lists."""
    if case.get("expect_error"):
        errors = error_failures(table, fw, case, case["expect_error"])
        assert not errors, errors
        return
    a = table.assess(fw, case)
    lo, hi = (VERDICTS.index(x) for x in case["expect"])
    got = VERDICTS.index(a.verdict.level)
    residual = {r.risk: r.residual for r in a.risks}
    assert lo <= got <= hi, (
        f"{case['id']}: got {a.verdict.level} (residual {residual}); "
        f"expected {case['expect']} because {case['reason']}"
    )
    assert a.statement, "every assessment opens with a benefit–risk statement"
    bad = failures(a, case["id"], case)
    assert not bad, bad


def check_defect(table: Table, fw: Framework, case: dict[str, Any], check: dict[str, Any]) -> None:
    """Assert one known defect's check (what framework.md asks for)."""
    if "error_mentions" in check:
        bad = error_failures(table, fw, case, check["error_mentions"])
    else:
        bad = failures(table.assess(fw, case), case["id"], check)
    assert not bad, bad


def check_twins(table: Table, fw: Framework, pair: list[str]) -> None:
    """Both write-ups of one cooperation: same verdict, residual and per-side levels."""
    a, b = (table.assess(fw, cid) for cid in pair)
    assert a.verdict.level == b.verdict.level, (pair, a.verdict.level, b.verdict.level)
    assert {r.risk: r.residual for r in a.risks} == {r.risk: r.residual for r in b.risks}
    sides_a = {s.side: dict(s.residual) for s in a.sides}
    sides_b = {s.side: dict(s.residual) for s in b.sides}
    assert sides_a == sides_b, (pair, sides_a, sides_b)
