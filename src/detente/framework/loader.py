"""Load and cross-check the framework, its rule pack and its safeguard catalogue."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from detente._yamlio import LineMap, line_for, parse_document, path_str, validate_document
from detente.errors import FrameworkError, NotFoundError, Problem
from detente.framework.conditions import ConditionSyntaxError, compile_condition, flags_used
from detente.framework.model import (
    ALL_AREAS,
    CatalogueDoc,
    Framework,
    FrameworkDoc,
    RulePackDoc,
    VersionStamp,
)
from detente.model.vocabulary import DILIGENCE_FLAGS, SAFEGUARD_PREFIX, VERDICT_FLAGS, VOCABULARY

DEFAULT_FRAMEWORK = "framework.yaml"
M = TypeVar("M", bound=BaseModel)


def default_framework_path() -> Path:
    return Path(str(resources.files("detente.framework") / "data" / DEFAULT_FRAMEWORK))


def _read(path: Path) -> tuple[str, str]:
    if not path.is_file():
        raise NotFoundError(f"{path}: framework file not found")
    raw = path.read_bytes()
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def _validate(model: type[M], data: Any, source: str, lines: LineMap) -> M:
    return validate_document(model, data, source, lines, FrameworkError)


def _load_doc(model: type[M], path: Path) -> tuple[M, VersionStamp, LineMap]:
    text, digest = _read(path)
    data, lines = parse_document(text, str(path), FrameworkError, "framework file")
    doc = _validate(model, data, str(path), lines)
    stamp = VersionStamp(id=getattr(doc, "id"), version=getattr(doc, "version"), sha256=digest)  # noqa: B009
    return doc, stamp, lines


def _cross_check(
    fw: FrameworkDoc, rules: RulePackDoc, cat: CatalogueDoc, files: dict[str, tuple[str, LineMap]]
) -> None:
    problems: list[Problem] = []

    def bad(which: str, loc: tuple[str | int, ...], msg: str) -> None:
        source, lines = files[which]
        problems.append(Problem(msg, file=source, line=line_for(lines, loc), field=path_str(loc)))

    risks = {r.id for r in fw.risks}
    areas = {a.id for a in fw.areas}
    motives = {m.id: {c.id for c in m.cases} for m in fw.motives}
    rule_ids = [r.id for r in rules.rules]
    safeguard_ids = {s.id for s in cat.safeguards}
    known = (
        set(VOCABULARY)
        | {SAFEGUARD_PREFIX + s for s in safeguard_ids}
        | {f"area.{a}" for a in areas}
    )
    known_with_verdict = known | set(DILIGENCE_FLAGS) | set(VERDICT_FLAGS)

    if rules.framework != fw.id:
        bad(
            "rules",
            ("framework",),
            f"rule pack is for framework {rules.framework!r}, not {fw.id!r}",
        )
    if cat.framework != fw.id:
        bad(
            "safeguards",
            ("framework",),
            f"catalogue is for framework {cat.framework!r}, not {fw.id!r}",
        )
    dup = {r for r in rule_ids if rule_ids.count(r) > 1}
    for r in sorted(dup):
        bad("rules", ("rules",), f"duplicate rule id {r!r}")

    def check_cond(which: str, loc: tuple[str | int, ...], cond: Any, vocab: set[str]) -> None:
        try:
            compile_condition(cond)
        except ConditionSyntaxError as exc:
            bad(which, loc, str(exc))
            return
        for flag in sorted(flags_used(cond) - vocab):
            bad(which, loc, f"unknown flag {flag!r} in condition")

    for i, area in enumerate(fw.areas):
        for flag in area.signals:
            if flag not in VOCABULARY:
                bad("framework", ("areas", i, "signals"), f"unknown flag {flag!r}")
    for i, rule in enumerate(rules.rules):
        if rule.risk not in risks:
            bad("rules", ("rules", i, "risk"), f"unknown risk {rule.risk!r}")
        for a in rule.areas:
            if a != ALL_AREAS and a not in areas:
                bad("rules", ("rules", i, "areas"), f"unknown area {a!r}")
        check_cond("rules", ("rules", i, "when"), rule.when, known)
    for i, b in enumerate(rules.benefits):
        if b.motive not in motives:
            bad("rules", ("benefits", i, "motive"), f"unknown motive {b.motive!r}")
        elif b.case not in motives[b.motive]:
            bad("rules", ("benefits", i, "case"), f"motive {b.motive!r} has no case {b.case!r}")
        check_cond("rules", ("benefits", i, "when"), b.when, known)
        if b.requires is not None:
            check_cond("rules", ("benefits", i, "requires"), b.requires, known)
    for i, v in enumerate(rules.verdicts):
        check_cond("rules", ("verdicts", i, "when"), v.when, known_with_verdict)
    if fw.rivalry is not None:
        from detente.model.proposal import Rivalry

        try:
            Rivalry.model_validate(fw.rivalry)
        except ValueError as exc:
            bad("framework", ("rivalry",), f"invalid rivalry: {str(exc).splitlines()[-1]}")
    for i, t in enumerate(cat.thresholds):
        if t.flag not in VOCABULARY:
            bad("safeguards", ("thresholds", i, "flag"), f"unknown flag {t.flag!r}")
    for i, s in enumerate(cat.safeguards):
        for j, rid in enumerate(s.counters):
            if rid not in rule_ids:
                bad("safeguards", ("safeguards", i, "counters", j), f"unknown rule {rid!r}")
        for j, low in enumerate(s.lowers):
            if low.risk not in risks:
                bad(
                    "safeguards",
                    ("safeguards", i, "lowers", j, "risk"),
                    f"unknown risk {low.risk!r}",
                )
            for a in low.areas:
                if a != ALL_AREAS and a not in areas:
                    bad(
                        "safeguards", ("safeguards", i, "lowers", j, "areas"), f"unknown area {a!r}"
                    )
            if low.when is not None:
                check_cond("safeguards", ("safeguards", i, "lowers", j, "when"), low.when, known)
            if low.effect.op not in ("lower", "at_most"):
                bad(
                    "safeguards",
                    ("safeguards", i, "lowers", j, "effect"),
                    "a safeguard may only lower a level",
                )
        if s.requires is not None:
            check_cond("safeguards", ("safeguards", i, "requires"), s.requires, known)
        by_rule = {r.id: r.risk for r in rules.rules}
        mech = {by_rule[r] for r in s.counters if r in by_rule} | {lw.risk for lw in s.lowers}
        if s.addresses and set(s.addresses) != mech:
            bad(
                "safeguards",
                ("safeguards", i, "addresses"),
                f"safeguard {s.id!r} addresses {sorted(s.addresses)} but its counters and lowerings "
                f"reach {sorted(mech)}: a safeguard lowers only the risks its mechanism addresses",
            )
        if not s.mechanism.strip():
            bad(
                "safeguards",
                ("safeguards", i, "mechanism"),
                f"safeguard {s.id!r} names no mechanism",
            )
        for j, rid in enumerate(s.counters):
            for low in s.lowers:
                if rid in by_rule and by_rule[rid] == low.risk and low.when is None:
                    rule_areas = set(next(r for r in rules.rules if r.id == rid).areas)
                    low_areas = set(low.areas)
                    if ALL_AREAS in rule_areas | low_areas or rule_areas & low_areas:
                        bad(
                            "safeguards",
                            ("safeguards", i, "counters", j),
                            f"safeguard {s.id!r} both cancels {rid} and lowers {low.risk} there "
                            "unconditionally: that is double credit for one mechanism",
                        )
        if s.incompatible_when is not None:
            check_cond(
                "safeguards", ("safeguards", i, "incompatible_when"), s.incompatible_when, known
            )
        if not s.counters and not s.lowers:
            bad(
                "safeguards",
                ("safeguards", i),
                f"safeguard {s.id!r} neither counters a rule nor lowers a risk",
            )
    if problems:
        raise FrameworkError("the framework files are inconsistent", problems=problems)


def load_framework(path: str | Path | None = None) -> Framework:
    """Load a framework file and the rule pack and catalogue it names."""
    fw_path = Path(path) if path is not None else default_framework_path()
    fw, fw_stamp, fw_lines = _load_doc(FrameworkDoc, fw_path)
    rules_path = (fw_path.parent / fw.rules).resolve()
    cat_path = (fw_path.parent / fw.safeguards).resolve()
    rules, rules_stamp, rules_lines = _load_doc(RulePackDoc, rules_path)
    cat, cat_stamp, cat_lines = _load_doc(CatalogueDoc, cat_path)
    _cross_check(
        fw,
        rules,
        cat,
        {
            "framework": (str(fw_path), fw_lines),
            "rules": (str(rules_path), rules_lines),
            "safeguards": (str(cat_path), cat_lines),
        },
    )
    return Framework(
        doc=fw,
        rules=rules,
        catalogue=cat,
        stamps={"framework": fw_stamp, "rules": rules_stamp, "safeguards": cat_stamp},
    )


@lru_cache(maxsize=8)
def _cached(path: str) -> Framework:
    return load_framework(path)


def get_framework(path: str | Path | None = None) -> Framework:
    """Load (once per process) the default framework or the one at ``path``."""
    return _cached(str(Path(path).resolve() if path is not None else default_framework_path()))
