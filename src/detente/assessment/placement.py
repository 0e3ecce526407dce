"""Placing a proposal in the framework's areas, saying what is known and what is not.

Declared areas are always used as declared.  Otherwise four signals are combined per area:

* **keywords** — the area's keywords (framework file) and phrases (``data/placement.yaml``) found
  in the title, summary and description, read with the negation-aware matcher (a negated or
  hypothetical mention is not evidence).  A phrase weighs more than a single word; a *generic*
  word ("compute", "GPUs", "standard") weighs little and can never place an area on its own;
* **declared signals** — the proposal's activities, forms and purposes that belong to the area
  (``activity.design_benchmarks`` → evaluations; the framework file's ``signals``);
* **declared fields** — assets and maturity that framework.md §6 names for one area only
  (``asset.evaluation_data`` → evaluations, ``maturity.codifying_existing`` → protocols;
  ``field_signals`` in ``data/placement.yaml``).  They weigh like a word of the text, but an area
  whose only evidence is declared fields and generic words is never placed: a field says what is
  exchanged or how mature the work is, not what the work is;
* **the trained text classifier** where one is available (``--infer-areas classifier``).

They are combined into a confidence with a logistic calibration fitted on the tuning half of a
labelled set of proposal texts (tests/core/data/placement_cases.yaml; docs/placement.md reports
tune and held-out figures).  The result (:class:`Placement`) is one of

* ``declared`` — the proposal names its areas;
* ``placed`` — areas at or above the threshold, each with confidence and evidence (quotes);
* ``not_placed`` — nothing reaches the threshold: the candidate areas are named, the engine
  assesses no area by inference and the report says "areas not determined — a reviewer must
  classify";
* ``outside`` — the text is about a topic outside the paper's four areas (interpretability,
  alignment research, governance dialogue) and no area is placed: the nearest area is named with
  the reason it was not applied.

Topics outside the four areas are also reported when areas *are* placed (e.g. interpretability
tooling placed in infrastructure), with the reason the nearest area was or was not applied.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from detente._construct import construct
from detente.assessment.polarity import (
    Polarity,
    compile_folded,
    compile_scan,
    fold,
    polarity,
    sentence_bounds,
)
from detente.framework.model import Framework
from detente.model.placement import AreaCandidate as AreaCandidate
from detente.model.placement import Evidence as Evidence
from detente.model.placement import OutsideTopic as OutsideTopic
from detente.model.placement import Placement as Placement
from detente.model.proposal import Asset, Maturity, Proposal

PLACEMENT_FIELDS = ("title", "summary", "description")
UNDETERMINED = "areas not determined — a reviewer must classify"


class AreaGuessLike(Protocol):
    area: str
    score: float
    evidence: list[str]


AreaClassifier = Callable[[str], Sequence[AreaGuessLike]]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    class _Outside(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        id: str
        name: str
        keywords: list[str]
        forms: list[str] = []
        activities: list[str] = []
        nearest: str
        why: str

    class _Vocabulary(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        work: str
        max_words: int
        nothing_assessed: list[str]
        nothing_assessed_text: str
        counts_for: list[str]

    kind: Literal["placement"]
    id: str
    version: str
    provenance: dict[str, str]
    threshold: float
    candidate_floor: float
    generic_cap: float
    count_cap: int
    signal_cap: int
    calibration: dict[
        Literal["intercept", "phrase", "word", "generic", "signals", "fields", "classifier"], float
    ]
    generic: list[str]
    extra_keywords: dict[str, list[str]]
    field_signals: dict[str, list[str]]
    vocabulary: _Vocabulary | None = None
    outside: list[_Outside]


@lru_cache(maxsize=1)
def config() -> _Config:
    import yaml

    text = resources.files("detente.assessment").joinpath("data/placement.yaml").read_text("utf-8")
    return _Config.model_validate(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class _Target:
    kind: Literal["area", "outside"]
    id: str
    weight_kind: Literal["phrase", "keyword", "generic"]


@dataclass(frozen=True, slots=True)
class _Vocab:
    """``vocabulary`` compiled: when a quoted term is mentioned as vocabulary, not used."""

    work: re.Pattern[str]
    nothing_text: re.Pattern[str]
    nothing_flags: frozenset[str]
    counts_for: frozenset[str]
    max_words: int


_QUOTED = re.compile(r"[\"“”„«»「『]([^\"“”„«»「」『』\n]{1,80})[\"“”»」』]")


@lru_cache(maxsize=1)
def _vocab() -> _Vocab | None:
    v = config().vocabulary
    if v is None:
        return None
    return _Vocab(
        re.compile(v.work, re.IGNORECASE),
        re.compile(v.nothing_assessed_text, re.IGNORECASE),
        frozenset(v.nothing_assessed),
        frozenset(v.counts_for),
        v.max_words,
    )


def _nothing_assessed(p: Proposal, v: _Vocab, flags: frozenset[str]) -> bool:
    """Whether the proposal says it assesses nothing (a declared activity, or the text)."""
    return bool(v.nothing_flags & flags) or any(
        v.nothing_text.search(getattr(p, f) or "") for f in PLACEMENT_FIELDS
    )


def _quoted_vocabulary(v: _Vocab, text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a quoted term in a sentence naming a terminology work."""
    s_start, s_end = sentence_bounds(text, start)
    if not v.work.search(text, s_start, s_end):
        return False
    for q in _QUOTED.finditer(text, s_start, s_end):
        if q.start(1) <= start and end <= q.end(1):
            return len(q.group(1).split()) <= v.max_words
    return False


@dataclass(frozen=True, slots=True)
class _Compiled:
    pattern: re.Pattern[str] | None
    folded: re.Pattern[str] | None  # the same, case-sensitive, for the lower-cased text
    targets: dict[str, tuple[_Target, ...]]
    signals: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[str, ...]]
    names: dict[str, str]
    order: tuple[str, ...]


_BY_FW: dict[int, tuple[Framework, _Compiled]] = {}


def _kind(keyword: str, generic: frozenset[str]) -> Literal["phrase", "keyword", "generic"]:
    if keyword in generic:
        return "generic"
    return "phrase" if (" " in keyword or "-" in keyword) else "keyword"


def _compiled(fw: Framework) -> _Compiled:
    """One regex per framework for every keyword of every area and outside topic."""
    hit = _BY_FW.get(id(fw))
    if hit is not None and hit[0] is fw:
        return hit[1]
    cfg = config()
    generic = frozenset(g.lower() for g in cfg.generic)
    targets: dict[str, list[_Target]] = {}
    for area in fw.doc.areas:
        for k in [*area.keywords, *cfg.extra_keywords.get(area.id, [])]:
            key = k.lower()
            t = _Target("area", area.id, _kind(key, generic))
            if t not in targets.setdefault(key, []):
                targets[key].append(t)
    for topic in cfg.outside:
        for k in topic.keywords:
            key = k.lower()
            t = _Target("outside", topic.id, _kind(key, generic))
            if t not in targets.setdefault(key, []):
                targets[key].append(t)
    words = sorted(targets, key=lambda k: (-len(k), k))
    source = r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])"
    pattern = compile_scan(source, re.IGNORECASE) if words else None
    compiled = _Compiled(
        pattern,
        compile_folded(source) if words else None,
        {k: tuple(v) for k, v in targets.items()},
        {a.id: tuple(a.signals) for a in fw.doc.areas},
        {a.id: tuple(cfg.field_signals.get(a.id, ())) for a in fw.doc.areas},
        {a.id: a.name for a in fw.doc.areas},
        tuple(a.id for a in fw.doc.areas),
    )
    if len(_BY_FW) > 16:
        _BY_FW.clear()
    _BY_FW[id(fw)] = (fw, compiled)
    return compiled


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Counts:
    """The evidence of one area, as the calibration reads it."""

    phrase: int = 0
    word: int = 0
    generic: int = 0
    signals: int = 0
    fields: int = 0

    def vector(self) -> tuple[float, ...]:
        cfg = config()
        cap = cfg.count_cap
        return (
            1.0,
            float(min(self.phrase, cap)),
            float(min(self.word, cap)),
            float(min(self.generic, cap)),
            float(min(self.signals, cfg.signal_cap)),
            float(min(self.fields, cfg.signal_cap)),
        )


_COEFS = ("intercept", "phrase", "word", "generic", "signals", "fields")


def confidence(counts: Counts, classifier: float | None = None) -> float:
    """The calibrated confidence of one area from its evidence (see data/placement.yaml)."""
    c: dict[str, float] = {str(k): v for k, v in config().calibration.items()}
    z = 0.0
    for k, x in zip(_COEFS, counts.vector(), strict=True):
        z += c[k] * x
    if classifier is not None:
        z += c["classifier"] * _logit(classifier)
    return _sigmoid(z)


@dataclass
class _Found:
    evidence: list[Evidence]
    seen: set[str]
    counts: dict[str, int]
    strong: bool = False


def _scan(
    p: Proposal, c: _Compiled, flags: frozenset[str] = frozenset()
) -> tuple[dict[str, _Found], dict[str, _Found]]:
    cfg = config()
    areas: dict[str, _Found] = {}
    outside: dict[str, _Found] = {}
    if c.pattern is None:
        return areas, outside
    # quoted vocabulary of a terminology work that assesses nothing: mentioned, not used (the
    # targets it may still count for: the `counts_for` areas and those with a declared signal)
    v = _vocab()
    vocab = v if v is not None and _nothing_assessed(p, v, flags) else None
    for field in PLACEMENT_FIELDS:
        text: str = getattr(p, field)
        if not text:
            continue
        low = fold(text) if c.folded is not None else None
        # the same matches: case-sensitive on the lower-cased text when that is equivalent
        matches = (
            c.folded.finditer(low) if c.folded and low is not None else c.pattern.finditer(text)
        )
        for m in matches:
            key = text[m.start() : m.end()].lower()
            pol, _cue, quote = polarity(text, m.start(), m.end(), low)
            if pol is not Polarity.affirmed:
                continue
            mentioned = vocab is not None and _quoted_vocabulary(vocab, text, m.start(), m.end())
            for t in c.targets.get(key, ()):
                if mentioned and vocab is not None and not _counts_anyway(vocab, c, t, flags):
                    continue
                bucket = areas if t.kind == "area" else outside
                found = bucket.setdefault(t.id, _Found([], set(), {}))
                if key in found.seen:
                    continue
                found.seen.add(key)
                wk = "word" if t.weight_kind == "keyword" else t.weight_kind
                w = cfg.calibration[wk]
                found.counts[wk] = found.counts.get(wk, 0) + 1
                found.strong = found.strong or wk != "generic"
                kind: Literal["phrase", "keyword", "generic"] = t.weight_kind
                found.evidence.append(
                    construct(Evidence, kind=kind, text=key, quote=quote, weight=w)
                )
    return areas, outside


def _counts_anyway(v: _Vocab, c: _Compiled, t: _Target, flags: frozenset[str]) -> bool:
    """Whether a quoted vocabulary term still counts for ``t``: an area of ``counts_for``, or an
    area or outside topic with a declared signal (the proposal declares that work)."""
    if t.kind == "area":
        return t.id in v.counts_for or any(s in flags for s in c.signals.get(t.id, ()))
    topic = next((o for o in config().outside if o.id == t.id), None)
    return topic is not None and any(f"activity.{a}" in flags for a in topic.activities)


# names built once (an enum's .value is a slow descriptor in a hot loop)
_ASSET_NAME = {a: f"asset.{a.value}" for a in Asset}
_MATURITY_NAME = {m: f"maturity.{m.value}" for m in Maturity}


def declared_fields(p: Proposal) -> set[str]:
    """The proposal's assets (contributed or received by any party) and maturity, as the names
    ``field_signals`` uses: ``asset.evaluation_data``, ``maturity.codifying_existing``."""
    out: set[str] = set()
    for x in p.parties:
        out.update(map(_ASSET_NAME.__getitem__, x.contributes))
        out.update(map(_ASSET_NAME.__getitem__, x.receives))
    if p.maturity is not None:
        out.add(_MATURITY_NAME[p.maturity])
    return out


def declared_placement(p: Proposal, fw: Framework) -> Placement:
    return _declared(tuple(ref.id for ref in p.areas))


@lru_cache(maxsize=256)
def _declared(areas: tuple[str, ...]) -> Placement:
    # frozen, so one object per set of declared areas is shared by every assessment
    return Placement(
        status="declared",
        method="declared in the proposal",
        areas=list(areas),
        threshold=config().threshold,
        message="Areas as declared in the proposal.",
    )


def place(
    p: Proposal,
    fw: Framework,
    flags: frozenset[str],
    classifier: AreaClassifier | None = None,
) -> Placement:
    """Place ``p`` (see the module docstring); ``flags`` are its declared features."""
    if p.areas:
        return declared_placement(p, fw)
    cfg = config()
    c = _compiled(fw)
    kw, out = _scan(p, c, flags)
    clf: dict[str, tuple[float, list[str]]] = {}
    method = "keywords, phrases and declared fields"
    if classifier is not None:
        text = p.text()
        for g in classifier(text) if text.strip() else ():
            if g.area in c.names:
                clf[g.area] = (float(g.score), list(g.evidence))
        method += " with the trained text classifier"
    candidates: list[AreaCandidate] = []
    given = declared_fields(p)
    for area in c.order:
        found = kw.get(area) or _Found([], set(), {})
        signals = [s for s in c.signals[area] if s in flags]
        fields = [s for s in c.fields[area] if s in given]
        ev = list(found.evidence)
        ev += [
            Evidence.model_construct(kind="signal", text=s, weight=cfg.calibration["signals"])
            for s in signals
        ]
        ev += [
            Evidence.model_construct(kind="signal", text=s, weight=cfg.calibration["fields"])
            for s in fields
        ]
        score = clf.get(area)
        if score is not None:
            ev.append(
                Evidence.model_construct(
                    kind="classifier",
                    text=f"score {score[0]:.2f}: " + ", ".join(score[1][:6]),
                    weight=score[0],
                )
            )
        if not ev:
            continue
        conf = confidence(_counts(found, len(signals), len(fields)), score[0] if score else None)
        why_not: str | None = None
        # a specific word or phrase of the text, or a declared activity/form/purpose of the area:
        # generic words and declared fields (assets, maturity) never place an area on their own
        strong = found.strong or bool(signals)
        if not strong:
            conf = min(conf, cfg.generic_cap)
            words = "generic words (" + ", ".join(e.text for e in found.evidence) + ")"
            why_not = "only " + words
            if fields:
                why_not = (
                    f"only declared fields ({', '.join(fields)})"
                    + (f" and {words}" if found.evidence else "")
                    + ": a declared field says what is exchanged or how mature the work is, not "
                    "what the work is, and no specific word of the text or declared activity "
                    "names the area"
                )
        placed = conf >= cfg.threshold
        if not placed and why_not is None:
            why_not = f"confidence {conf:.2f} is below the threshold {cfg.threshold:.2f}"
        if placed or conf >= cfg.candidate_floor or ev:
            candidates.append(
                construct(
                    AreaCandidate,
                    area=area,
                    name=c.names[area],
                    confidence=round(conf, 3),
                    placed=placed,
                    evidence=ev,
                    why_not=why_not,
                )
            )
    candidates.sort(key=lambda x: (-x.confidence, c.order.index(x.area)))
    placed_ids = [x.area for x in candidates if x.placed]
    by_area = {x.area: x for x in candidates}
    topics: list[OutsideTopic] = []
    declared_forms = [f for f in flags if f.startswith("form.")]
    for topic in cfg.outside:
        topic_found = out.get(topic.id)
        ev = list(topic_found.evidence) if topic_found else []
        acts = [a for a in topic.activities if f"activity.{a}" in flags]
        ev += [
            Evidence.model_construct(
                kind="signal", text=f"activity.{a}", weight=cfg.calibration["signals"]
            )
            for a in acts
        ]
        form_ev = [f"form.{f}" for f in topic.forms]
        if form_ev and declared_forms and set(declared_forms) <= set(form_ev):
            ev.append(
                Evidence.model_construct(
                    kind="signal",
                    text="forms only " + ", ".join(sorted(f[5:] for f in declared_forms)),
                    weight=cfg.calibration["signals"],
                )
            )
        if not (topic_found or acts):
            continue  # declared forms alone (a dialogue) name no topic
        near = by_area.get(topic.nearest)
        applied = topic.nearest in placed_ids
        if applied:
            why = (
                f"{c.names.get(topic.nearest, topic.nearest)} was applied on its own evidence "
                f"(confidence {near.confidence:.2f})."
                if near
                else ""
            )
        else:
            conf_txt = f" (confidence {near.confidence:.2f})" if near else " (no evidence)"
            why = (
                f"{c.names.get(topic.nearest, topic.nearest)} was not applied{conf_txt}: "
                + " ".join(topic.why.split())
            )
        topics.append(
            construct(
                OutsideTopic,
                topic=topic.id,
                name=topic.name,
                evidence=ev,
                nearest_area=topic.nearest,
                nearest_applied=applied,
                why=why,
            )
        )
    if placed_ids:
        status: Literal["placed", "not_placed", "outside"] = "placed"
        message = "Placed by inference: " + ", ".join(
            f"{by_area[a].name} ({by_area[a].confidence:.2f})" for a in placed_ids
        )
        if topics:
            message += "; also concerns " + ", ".join(t.name.lower() for t in topics)
        message += "."
    elif topics:
        status = "outside"
        message = (
            "The text concerns "
            + ", ".join(
                f"{t.name.lower()} (nearest area: {c.names.get(t.nearest_area, t.nearest_area)}, "
                "not applied)"
                for t in topics
            )
            + ", outside the paper's four areas."
        )
    else:
        status = "not_placed"
        cands = [x for x in candidates if x.confidence >= cfg.candidate_floor] or candidates
        message = (
            "Candidate areas: " + ", ".join(f"{x.name} ({x.confidence:.2f})" for x in cands) + "."
            if cands
            else "No area has any evidence in the text or the declared fields."
        )
    return Placement(
        status=status,
        method=method,
        areas=placed_ids,
        candidates=candidates,
        outside=topics,
        threshold=cfg.threshold,
        message=message,
    )


def _counts(found: _Found, signals: int, fields: int = 0) -> Counts:
    return Counts(
        phrase=found.counts.get("phrase", 0),
        word=found.counts.get("word", 0),
        generic=found.counts.get("generic", 0),
        signals=signals,
        fields=fields,
    )


def area_counts(p: Proposal, fw: Framework, flags: frozenset[str]) -> dict[str, Counts]:
    """Per area, the evidence counts that :func:`confidence` reads (for fitting and reports)."""
    c = _compiled(fw)
    kw, _ = _scan(p, c, flags)
    given = declared_fields(p)
    return {
        area: _counts(
            kw.get(area) or _Found([], set(), {}),
            sum(1 for s in c.signals[area] if s in flags),
            sum(1 for s in c.fields[area] if s in given),
        )
        for area in c.order
    }


def fit_calibration(
    rows: Sequence[tuple[Counts, int]],
    *,
    signals: float | None = None,
    steps: int = 6000,
    l2: float = 0.01,
) -> dict[str, float]:
    """Fit the calibration by logistic regression (gradient descent, small L2 on the slopes).

    ``rows`` are (evidence counts, label 0/1) per (proposal, area); used on the tuning split of
    the labelled set to produce the numbers in ``data/placement.yaml``.  With ``signals`` the
    signal coefficient is fixed (not fitted) to that value.
    """
    n = len(_COEFS)
    b = [0.0] * n
    fitted = list(range(n))
    if signals is not None:
        i = _COEFS.index("signals")
        b[i] = signals
        fitted.remove(i)
    xs = [counts.vector() for counts, _ in rows]
    ys = [y for _, y in rows]
    for _ in range(steps):
        g = [0.0] * n
        for x, y in zip(xs, ys, strict=True):
            err = _sigmoid(sum(bi * xi for bi, xi in zip(b, x, strict=True))) - y
            for i in fitted:
                g[i] += err * x[i]
        for i in fitted:
            b[i] -= 0.5 * (g[i] / len(xs) + (l2 * b[i] if i else 0.0))
    return {k: round(v, 2) for k, v in zip(_COEFS, b, strict=True)}
