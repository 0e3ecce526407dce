"""Facts read from a proposal's text that its fields miss, applied to the features the rules read.

The facts (``data/text_facts.yaml``) are the "moves it up" conditions of framework.md §6 that
proposals often state only in prose: elicitation techniques shared, model weights handed over,
administrative access to infrastructure, a CBRN or nuclear focus, jointly written code, personnel
exchange.  Each mention is read with :mod:`detente.assessment.polarity` (stated, denied,
conditional, analogy).  Per fact:

* **affirmed** and not declared → *applied*: mapped onto the proposal field the rules already
  read (``Asset.elicitation_techniques``, ``Form.joint_software``, ``StrategicTech.nuclear`` …),
  shown as "stated in the text, not declared" with the quote;
* **hypothetical** or **ambiguous** (an analogy, or the text both states and denies it) → a
  *question* for the reviewer, not applied.  A statement and a denial are weighed per sentence
  (:func:`_rules_out`): the statement stands when the denial is in another sentence and narrower
  ("we will not share base-model weights"); in the same sentence, or when the denial is general
  ("no weights are shared at all"), the fact is asked;
* **negated** → shown as ruled out by the text, not applied; if the fields declare what the text
  denies, the declaration is used and a question is raised.

Who gives what: for elicitation techniques and weights the party named in the sentence is the
giver ("from X", "X's weights", "X hands …") and a party after "to"/"with" the receiver.  When no
party is named, elicitation techniques are read as shared among all sides (the proposal's R2
level is the same whichever side gives) and weights set only ``model_access: weights``, with a
question about whose weights.  Administrative access is applied only to a named party.  Every
giver the standing statements name is applied, each read in its own clause and recorded with its
own sentence ("X hands over … to Y, and Y hands over … to X", or the same in two sentences); a
denial applies only to the givers it names ("X shares its prompts; Y will not": X only).

A planned safeguard that the applied facts contradict (its ``incompatible_when`` holds on the
effective features, e.g. ``no-elicitation-exchange`` while the text says scaffolds are handed
over) is not credited: it is dropped from the plan for this assessment and flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from detente._construct import construct
from detente.assessment.features import SideFeatures, side_features
from detente.assessment.polarity import (
    Polarity,
    Span,
    compile_folded,
    compile_scan,
    find,
    fold,
    sentence_bounds,
    span_at,
)
from detente.framework.conditions import fired_flags
from detente.framework.model import Framework
from detente.model.proposal import (
    AccessOf,
    Asset,
    Form,
    ModelAccess,
    Party,
    Proposal,
    StrategicTech,
)
from detente.model.textfacts import ContradictedSafeguard as ContradictedSafeguard
from detente.model.textfacts import Mention as Mention
from detente.model.textfacts import TextFact as TextFact

TEXT_FIELDS = ("title", "summary", "description")


class _PublicDef(BaseModel):
    """A release to everyone of what the fact is about: read as its own fact (``public`` in the
    data file), never applied, a question unless the fields declare the target."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    target: dict[str, str]
    cue: str
    question: str


class _FactDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    target: dict[str, str]
    also: dict[str, str] | None = None
    direction: Literal["directed", "party", "none"]
    trigger: list[str]
    object: str
    patterns: list[str]
    question: str
    public: _PublicDef | None = None
    # objects inside the fact whose denial denies only a part of it: a declared fact is not
    # contradicted by such a denial (``narrower`` in the data file)
    narrower: str | None = None


class _PartyReferences(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    demonyms: dict[str, list[str]]
    nouns: dict[str, dict[Literal["role", "type"], str]]
    sides: list[str] = []
    every: list[str] = []  # quantifiers that name every party the noun fits ("both labs")
    destination: str = ""  # before a party's name: it is the receiver ("back to his lab at X")


class _FactsDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["text_facts"]
    id: str
    version: str
    provenance: dict[str, str]
    party_references: _PartyReferences
    definitions: dict[str, str]
    facts: list[_FactDef]


@dataclass(frozen=True, slots=True)
class _References:
    """``party_references`` compiled: one pattern, and what each demonym and noun selects."""

    pattern: re.Pattern[str]
    countries: dict[str, frozenset[str]]  # demonym (lower case) → country codes
    nouns: dict[str, dict[str, str]]  # noun → {"role" | "type": value}
    sides: re.Pattern[str]  # "neither team", "none of the partners": the parties on the sides
    destination: re.Pattern[str] | None  # before a name: the party is the receiver


@dataclass(frozen=True, slots=True)
class _Compiled:
    fact: _FactDef
    trigger: tuple[str, ...]
    pattern: re.Pattern[str]
    receiving: re.Pattern[str]
    object: re.Pattern[str] | None  # set when every pattern contains the object: search near it
    # the same two compiled case-sensitive, for the lower-cased text (None: not equivalent)
    folded: re.Pattern[str] | None
    object_folded: re.Pattern[str] | None
    public: re.Pattern[str] | None = None  # the cue of a release to everyone (``public``)
    narrower: re.Pattern[str] | None = None  # a part of the fact, not the fact (``narrower``)


_RECEIVING = re.compile(r"^(?:access|receiv|obtain|download|cop|get|inspect|load)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _facts_doc() -> _FactsDoc:
    import yaml

    text = resources.files("detente.assessment").joinpath("data/text_facts.yaml").read_text("utf-8")
    return _FactsDoc.model_validate(yaml.safe_load(text))


@lru_cache(maxsize=1)
def _references() -> _References:
    refs = _facts_doc().party_references
    countries: dict[str, set[str]] = {}
    for code, words in refs.demonyms.items():
        for w in words:
            countries.setdefault(w.lower(), set()).add(code.upper())
    for w in refs.every:
        countries.setdefault(w.lower(), set())  # "both labs": no country, every party it fits
    pattern = re.compile(
        rf"\b(?P<dem>{_alternation(countries)})\s+(?P<noun>{_alternation(refs.nouns)})\b"
    )
    sides = re.compile(
        r"\b(?:neither|either|none\s+of|no|both|each|any)\s+(?:of\s+)?(?:the\s+)?"
        rf"(?:two\s+|other\s+)?(?:{_alternation(refs.sides) or '(?!)'})\b"
    )
    return _References(
        pattern,
        {k: frozenset(v) for k, v in countries.items()},
        {k.lower(): {str(f): v for f, v in c.items()} for k, c in refs.nouns.items()},
        sides,
        re.compile(refs.destination, re.IGNORECASE) if refs.destination else None,
    )


def _alternation(words: Iterable[str]) -> str:
    """Literal words as one alternation, longest first (so "south korean" wins over "korean")."""
    return "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def fact_definitions() -> tuple[str, tuple[_Compiled, ...]]:
    """The fact rules, compiled once: (version, compiled facts)."""
    doc = _facts_doc()
    out = []
    for f in doc.facts:
        subs = {**doc.definitions, "OBJECT": f.object}
        alts = []
        for p in f.patterns:
            for k, v in subs.items():
                p = p.replace("{" + k + "}", v)
            alts.append(p)
        # compile_scan: the same matches, tried only where one can start (see polarity)
        source = "|".join(f"(?:{a})" for a in alts)
        pattern = compile_scan(source, re.IGNORECASE)
        windowed = len(f.patterns) > 1 and all("{OBJECT}" in p for p in f.patterns)
        object_folded = compile_folded(f.object) if windowed else None
        out.append(
            _Compiled(
                f,
                tuple(t.lower() for t in f.trigger),
                pattern,
                _RECEIVING,
                compile_scan(f.object, re.IGNORECASE) if windowed else None,
                # both or neither: the windows come from one scan, the matches from the other
                compile_folded(source) if object_folded or not windowed else None,
                object_folded,
                re.compile(f.public.cue, re.IGNORECASE) if f.public else None,
                re.compile(f.narrower, re.IGNORECASE) if f.narrower else None,
            )
        )
    return doc.version, tuple(out)


def _target(t: dict[str, str]) -> str:
    return f"{t['field']}:{t['value']}"


def _flag_key(target: str) -> str:
    field, value = target.split(":", 1)
    return "administers" if field == "administers" else value


_PEOPLE_MOVE = frozenset({Form.personnel_exchange, Form.visiting_researchers})


def _declared(p: Proposal, f: _FactDef) -> bool:
    field, value = f.target["field"], f.target["value"]
    if field == "asset":
        asset = Asset(value)
        if any(asset in x.contributes or asset in x.receives for x in p.parties):
            return True
        # an access grant to a model at that level states the same fact, with its direction
        if (
            f.also is not None
            and f.also["field"] == "model_access"
            and any(g.of is AccessOf.model and g.level.value == f.also["value"] for g in p.access)
        ):
            return True
        return f.also is not None and p.model_access.value == f.also["value"]
    if field == "form":
        # personnel exchange and visiting researchers are one fact (people move between parties)
        same = _PEOPLE_MOVE if Form(value) in _PEOPLE_MOVE else {Form(value)}
        return not same.isdisjoint(p.forms)
    if field == "strategic":
        return StrategicTech(value) in p.strategic_intersections
    if field == "administers":
        return any(x.administers_infrastructure for x in p.parties)
    return False


@dataclass(frozen=True, slots=True)
class _Seen:
    """A mention with where it was read (the text field and the match's position)."""

    mention: Mention
    text: str
    start: int
    end: int


def _aggregate(
    p: Proposal, c: _Compiled, seen: list[_Seen]
) -> tuple[Polarity, Mention, list[_Seen]]:
    """The fact's polarity over its mentions, the mention that decides it, and the affirmed
    mentions that stand (each may name its own giver: :func:`_givers`).

    Affirmed over hypothetical over ambiguous over negated, except when the text both affirms and
    denies the fact: an affirmed mention then stands only if no negated mention rules it out
    (:func:`_rules_out`: the same sentence, or a negation that denies the fact generally); the
    negated mentions stay in ``mentions`` as evidence against.  When no affirmed mention stands,
    the fact is ambiguous (a question).  Of several standing affirmed mentions of a fact that
    concerns parties, the first whose sentence names one decides (a title such as "Sharing model
    weights for joint evaluations" names nobody; the description's sentence says who gives)."""
    affirmed = [s for s in seen if s.mention.polarity is Polarity.affirmed]
    if affirmed:
        negated = [s for s in seen if s.mention.polarity is Polarity.negated]
        standing = [a for a in affirmed if not any(_rules_out(p, c, n, a) for n in negated)]
        if not standing:
            return Polarity.ambiguous, affirmed[0].mention, []
        if len(standing) > 1 and c.fact.direction != "none":
            for a in standing:
                if any(_party_roles(p, a.mention.quote)):
                    return Polarity.affirmed, a.mention, standing
        return Polarity.affirmed, standing[0].mention, standing
    by = {s.mention.polarity: s.mention for s in reversed(seen)}  # first of each polarity
    for pol in (Polarity.hypothetical, Polarity.ambiguous, Polarity.negated):
        if pol in by:
            return pol, by[pol], []
    raise AssertionError("no mentions")  # pragma: no cover


# Words before a negated object that do not narrow it: articles, quantifiers, possessive pronouns,
# negations, prepositions, auxiliaries and the words that end a verb phrase ("hand over", "make
# available", "access to"), and the object's own generic modifiers ("frontier model weights").  Any
# other word right before the object is read as a modifier that narrows it.
_NOT_NARROWING_WORDS = """
    the a an its their our his her your my this that these those other's others' other’s
    no any all some none nothing nobody not never nor neither without either
    of about for on to with from in into at by regarding concerning over available
    has have had having hold holds held get gets got is are was were be been being
    will would shall should can could may might must do does did there
    model network frontier trained internal full
"""
_NOT_NARROWING = frozenset(_NOT_NARROWING_WORDS.split())
_LIST_WORDS = frozenset({"and", "or", "and/or"})
_ITEM_MARK = re.compile(r"\(?[a-z0-9]{1,3}\)", re.IGNORECASE)  # "b)", "(ii)"
_NARROWED_AFTER = re.compile(  # "weights of the base model", not "weights of any kind"
    r"\s+(?:of|from)\s+(?!(?:any|all|either|every)\b)\w", re.IGNORECASE
)


def _rules_out(p: Proposal, c: _Compiled, neg: _Seen, aff: _Seen) -> bool:
    """Whether the negated mention ``neg`` rules out the affirmed mention ``aff`` (then the fact
    is asked, not applied).

    Yes when both are in the same sentence ("fine-tuned weights are shared, but base-model
    weights are not").  In another sentence, only when the negation denies the fact generally,
    i.e. nothing narrows its object: "no weights are shared at all", "there is no access to model
    weights", "we will not share any weights", "weights are not shared".  A narrowed object
    leaves the affirmed statement standing: a modifier ("base-model weights", "base model
    weights"), a possessor ("SJTU's weights") or "of"/"from" after it ("weights of the base model",
    "the jailbreak prompts of the cyber suite"); so does, for a fact held by a party
    (administrative access), a negation that names only other parties than the affirmed sentence
    ("X has root access. Y has no administrative access.")."""
    text = neg.text
    s_start, s_end = sentence_bounds(text, neg.start)
    if c.fact.direction == "directed":
        # a denial by other givers leaves the statement standing: "X hands its prompts to Y,
        # but Y will not share its scaffolds" (each mention read in its own clause)
        ng, _ = _mention_roles(p, c, neg, (neg, aff))
        ag, _ = _mention_roles(p, c, aff, (neg, aff))
        if ng and ag and not set(ng) & set(ag):
            return False
    if neg.mention.field == aff.mention.field and s_start <= aff.start < s_end:
        return True
    if c.fact.direction == "party":
        ng, _ = _party_roles(p, neg.mention.quote)
        ag, _ = _party_roles(p, aff.mention.quote)
        if ng and ag and not set(ng) & set(ag):
            return False
    return _denies_generally(c, neg)


def _denies_generally(c: _Compiled, neg: _Seen) -> bool:
    """Whether nothing narrows the object of the negated mention ``neg`` (:func:`_rules_out`):
    no modifier or possessor before it, no "of"/"from" after it."""
    text = neg.text
    s_start, s_end = sentence_bounds(text, neg.start)
    obj = (c.object or c.pattern).search(text, neg.start, neg.end)
    o_start, o_end = obj.span() if obj else (neg.start, neg.end)
    word = o_start  # the start of the word the object starts in ("base-" of "base-model weights")
    while word > s_start and not text[word - 1].isspace():
        word -= 1
    if any(ch.isalnum() for ch in text[word:o_start]):
        return False
    if _NARROWED_AFTER.match(text, o_end, s_end):
        return False
    head = text[s_start:word].rstrip()
    if not head:
        return True  # the object opens the sentence: "Weights are not shared."
    token = head.split()[-1]
    if token[-1] in ",;:" or _ITEM_MARK.fullmatch(token) or token.lower() in _LIST_WORDS:
        # the word before belongs to something else: "share: a) …, b) weights", "no toxins,
        # pathogens or CBRN content" (text facts 1.7.0: "and"/"or" join list items like a comma)
        return True
    if s_start + len(head) - len(token) == neg.start < o_start:
        return True  # the match's own verb: "will not share weights"
    prev = token.strip("\"'“”‘’()[]").lower()
    return not prev or prev in _NOT_NARROWING or prev in (neg.mention.cue or "").lower().split()


def _denies_a_part(c: _Compiled, neg: _Seen) -> bool:
    """Whether the negated mention ``neg`` denies only a part of the fact: its object is one the
    fact lists as ``narrower`` (for a CBRN focus the material handled or the lab work done:
    "it does not involve any pathogen sequences, lab work …"), or one a modifier, possessor or
    "of"/"from" qualifies (:func:`_denies_generally`: "no national biodefence programme
    information"), not the fact itself ("no CBRN tasks", "no biological or chemical topics").
    Read only for a fact that lists ``narrower`` parts.  Such a denial does not contradict the declared
    fact (docs/proposals.md "Facts read from the text": a narrower denial does not negate it)."""
    if c.narrower is None:
        return False
    obj = (c.object or c.pattern).search(neg.text, neg.start, neg.end)
    if obj is not None and c.narrower.fullmatch(neg.text, *obj.span()) is not None:
        return True
    # or an object the sentence qualifies, read as for a statement and a denial (_rules_out):
    # "no national biodefence programme information is discussed"
    return not _denies_generally(c, neg)


_PARTY_BEFORE = re.compile(r"\b(to|with|for|from|by)\s+(?:the\s+)?$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"^['’]s?\b")


def _whole(text: str, word: str) -> tuple[int, int] | None:
    """First occurrence of ``word`` in ``text`` as a whole word (plain search: no regex per name)."""
    i = text.find(word)
    while i >= 0:
        j = i + len(word)
        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_-")) and (
            j == len(text) or not (text[j].isalnum() or text[j] in "_-")
        ):
            return i, j
        i = text.find(word, i + 1)
    return None


def _party_roles(p: Proposal, quote: str, receiving: bool = False) -> tuple[list[str], list[str]]:
    """Parties named in ``quote``: (givers, receivers) by the words around each mention.

    "from X", "by X" and "X's" name a giver, "to X" / "with X" / "for X" a receiver, and so does a
    destination a little further before the name (``party_references.destination``: "back to his
    home lab at X"); a party named without such a word is the subject: the giver, or the receiver when the verb is one of
    receiving ("X gets access to …", "X downloads …").
    """
    givers: list[str] = []
    receivers: list[str] = []
    low = quote.lower()
    refs = _references()

    def role(key: str, start: int, end: int) -> None:
        before = _PARTY_BEFORE.search(low[max(0, start - 12) : start])
        if _POSSESSIVE.match(low[end:]) or (before and before.group(1) in ("from", "by")):
            givers.append(key)
        elif (
            before
            or receiving
            or (
                refs.destination is not None
                and refs.destination.search(low, max(0, start - 50), start)
            )
        ):
            receivers.append(key)
        else:
            givers.append(key)

    for party in p.parties:
        if party.neutral:
            continue
        names = [party.name, *party.aliases, party.key]
        for name in sorted({n for n in names if len(n) >= 3}, key=len, reverse=True):
            found = _whole(low, name.lower())
            if found is not None:
                role(party.key, *found)
                break
    # parties named by description ("the Chinese partner", "the US lab"): the text's reference
    # resolved to the parties it fits (country, then role or type), never used as a risk signal
    named = set(givers) | set(receivers)
    for m in refs.pattern.finditer(low):
        if m.group("dem") == "us" and (
            len(quote) != len(low) or quote[m.start() : m.start() + 2] != "US"
        ):
            continue  # "let us team up": the pronoun, not the country (the country is written US)
        codes = refs.countries[m.group("dem")]
        want = refs.nouns[m.group("noun")]
        for party in p.parties:
            if party.neutral or party.key in named or (codes and party.country not in codes):
                continue
            if "role" in want and party.role.value != want["role"]:
                continue
            if "type" in want and party.type.value != want["type"]:
                continue
            named.add(party.key)
            role(party.key, m.start(), m.end())
    return givers, receivers


@dataclass(frozen=True, slots=True)
class TextReading:
    """What the text says, and the proposal with the applied facts (the rules read this one)."""

    version: str
    facts: tuple[TextFact, ...]
    effective: Proposal
    planned: tuple[str, ...]
    contradicted: tuple[ContradictedSafeguard, ...]
    sides: tuple[SideFeatures, ...] | None = None
    """The effective proposal's side features with the declared safeguards (None when no fact
    was applied): the engine reuses them when no safeguard was dropped."""


WINDOW = 120  # characters around an object mention that a verb-first or passive match can span
LIST_REACH = 330  # … and before it, when a colon precedes: a verb, a colon and a list (LIST + GAP)


def _find(c: _Compiled, text: str, low: str | None) -> list[Span]:
    """Matches of the fact's patterns; for verb…object patterns, only near an object mention
    (the slow alternations then scan a few windows instead of the whole text).  ``low`` is the
    :func:`fold` of ``text``: scanned with the case-sensitive patterns when it applies."""
    if c.folded is None:
        low = None
    if c.object is None:
        return find(c.pattern, text, folded=c.folded, low=low)
    spans: dict[tuple[int, int], Span] = {}
    objects = (
        c.object_folded.finditer(low)
        if low is not None and c.object_folded is not None
        else c.object.finditer(text)
    )
    for m in objects:
        lo, hi = max(0, m.start() - WINDOW), min(len(text), m.end() + WINDOW)
        colon = text.rfind(":", max(0, m.start() - LIST_REACH), m.start())
        if colon >= 0:  # "we will share the following: a) …, b) … <object>": verb before colon
            lo = min(lo, max(0, colon - 80))
        # as polarity.find, but the polarity of a match that overlapping windows both find is
        # read once (it depends on the match's position only, not on the window)
        found = (
            c.folded.finditer(low, lo, hi)
            if c.folded is not None and low is not None
            else c.pattern.finditer(text, lo, hi)
        )
        for f in found:
            key = f.span()
            if key not in spans:
                spans[key] = span_at(text, key[0], key[1], low)
    return sorted(spans.values(), key=lambda s: s.start)


@lru_cache(maxsize=1)
def _triggers() -> tuple[tuple[str, frozenset[str]], ...]:
    """Every trigger substring once, with the facts it can start."""
    by: dict[str, set[str]] = {}
    for c in fact_definitions()[1]:
        for t in c.trigger:
            by.setdefault(t, set()).add(c.fact.id)
    return tuple((t, frozenset(ids)) for t, ids in by.items())


def _triggered(lowered: dict[str, str]) -> dict[str, set[str]]:
    """Per text field, the facts whose cheap pre-check holds (one pass over the trigger list)."""
    out: dict[str, set[str]] = {}
    # first over the fields joined (no trigger contains NUL), then per field only what was found
    joined = "\0".join(lowered.values())
    found = [(t, ids) for t, ids in _triggers() if t in joined]
    if not found:
        return out
    for field, low in lowered.items():
        hit: set[str] = set()
        for t, ids in found:
            if t in low:
                hit |= ids
        if hit:
            out[field] = hit
    return out


def _mentions(
    p: Proposal, c: _Compiled, triggered: dict[str, set[str]], folded: dict[str, str | None]
) -> list[_Seen]:
    out: list[_Seen] = []
    for field, facts in triggered.items():
        if c.fact.id not in facts:
            continue  # the cheap pre-check: no pattern of this fact can match
        text: str = getattr(p, field)
        spans: list[Span] = _find(c, text, folded[field])
        out.extend(
            _Seen(
                construct(
                    Mention,
                    field=field,
                    quote=s.quote,
                    matched=" ".join(s.matched.split()),
                    polarity=s.polarity,
                    cue=s.cue,
                ),
                text,
                s.start,
                s.end,
            )
            for s in spans
        )
    return out


def read_text(p: Proposal, fw: Framework) -> TextReading:
    """Read the facts of ``p``'s text, apply the stated ones, and check the planned safeguards."""
    version, compiled = fact_definitions()
    facts: list[TextFact] = []
    add_assets: dict[str, tuple[set[Asset], set[Asset]]] = {}  # party → (contributes, receives)
    administers: set[str] = set()
    forms: list[Form] = []
    strategic: list[StrategicTech] = []
    model_access: ModelAccess | None = None
    partisan = [x.key for x in p.parties if not x.neutral] or [x.key for x in p.parties]
    texts = {f: t for f in TEXT_FIELDS if (t := getattr(p, f))}
    # fold: the text lower-cased when case-sensitive scans of it are equivalent (else None)
    folded = {f: fold(t) for f, t in texts.items()}
    triggered = _triggered(
        {f: low if low is not None else texts[f].lower() for f, low in folded.items()}
    )
    any_field = set().union(*triggered.values())  # the facts triggered in some field
    public_facts: list[tuple[str, TextFact]] = []  # (the fact it was split from, the fact)
    for c in compiled:
        if c.fact.id not in any_field:
            continue  # the cheap pre-check: no pattern of this fact can match
        seen = _mentions(p, c, triggered, folded)
        if c.public is not None and c.fact.public is not None and seen:
            public = [s for s in seen if _is_public(p, c.public, s)]
            if public:
                seen = [s for s in seen if s not in public]
                pf = _public_fact(p, c, c.fact.public, public)
                if pf is not None:
                    public_facts.append((c.fact.id, pf))
        if not seen:
            continue
        mentions = [s.mention for s in seen]
        f = c.fact
        pol, decisive, standing = _aggregate(p, c, seen)
        declared = _declared(p, f)
        question: str | None = None
        applied_as: list[str] = []
        extra: list[TextFact] = []  # a further giver's handover, stated in another sentence
        quote = decisive.quote
        if declared and pol is not Polarity.negated:
            continue  # the fields already say it
        if declared and pol is Polarity.negated and c.narrower is not None:
            general = [s.mention for s in seen if not _denies_a_part(c, s)]
            if not general:
                continue  # only a part is denied ("no pathogen sequences"): the fields say the rest
            decisive = general[0]  # the denial of the fact itself is the one asked about
            quote = decisive.quote
        if pol is Polarity.negated:
            if declared and (f.direction != "party" or _denial_covers(p, decisive.quote)):
                question = (
                    f"The text rules out {f.label} ('{decisive.quote}') but the proposal's fields "
                    f"declare it ({_target(f.target)}); the declaration is used. Which is right?"
                )
        elif pol in (Polarity.hypothetical, Polarity.ambiguous):
            question = " ".join(f.question.split())
        elif (otherwise := _declared_otherwise(p, f)) is not None:
            question = (
                f"The text states {f.label} ('{decisive.quote}') but the proposal's fields "
                f"declare {otherwise}; the declaration is used. Which is right?"
            )
        elif f.direction == "none":
            value = f.target["value"]
            if f.target["field"] == "form":
                forms.append(Form(value))
                applied_as.append(f"forms: {value}")
            else:
                strategic.append(StrategicTech(value))
                applied_as.append(f"strategic_intersections: {value}")
        elif f.direction == "party":
            givers, _ = _party_roles(p, decisive.quote)
            if givers:
                administers.update(givers)
                applied_as.extend(f"{g}: administers_infrastructure" for g in givers)
            else:
                question = " ".join(f.question.split())
        else:
            asset = Asset(f.target["value"])
            # every giver the standing statements name, each from its own sentence (the decisive
            # one first); a later sentence adds only givers not already applied
            groups = _handovers(p, c, decisive, standing, partisan)
            givers = [g for _, handovers in groups for g, _ in handovers]
            if groups:
                quote = groups[0][0]
            for n, (said, handovers) in enumerate(groups):
                lines = applied_as if n == 0 else []
                for g, receivers in handovers:
                    add_assets.setdefault(g, (set(), set()))[0].add(asset)
                    lines.append(f"{g} contributes {asset.value}")
                    for r in receivers:
                        add_assets.setdefault(r, (set(), set()))[1].add(asset)
                        lines.append(f"{r} receives {asset.value}")
                if n:
                    extra.append(
                        construct(
                            TextFact,
                            id=f.id,
                            label=f.label,
                            target=_target(f.target),
                            quote=said,
                            polarity=pol,
                            declared=declared,
                            applied=True,
                            applied_as=list(dict.fromkeys(lines)),
                            question=None,
                            mentions=[m for m in mentions if m.quote == said][:5],
                        )
                    )
            if givers:
                applied_as[:] = list(dict.fromkeys(applied_as))
            elif f.also is None:
                for k in partisan:
                    add_assets.setdefault(k, (set(), set()))[0].add(asset)
                    add_assets[k][1].add(asset)
                applied_as.append(
                    f"every party contributes and receives {asset.value} "
                    "(the text names no giver: read as shared among all sides)"
                )
            if f.also is not None and f.also["field"] == "model_access":
                access = ModelAccess(f.also["value"])
                if _ACCESS_ORDER.index(p.model_access) < _ACCESS_ORDER.index(access):
                    model_access = access
                    applied_as.append(f"model_access: {access.value}")
                if not givers:
                    question = " ".join(f.question.split())
        facts.append(
            construct(
                TextFact,
                id=f.id,
                label=f.label,
                target=_target(f.target),
                quote=quote,
                polarity=pol,
                declared=declared,
                applied=bool(applied_as),
                applied_as=applied_as,
                question=question,
                mentions=mentions[:5],
            )
        )
        facts.extend(extra)
    for parent, pf in public_facts:  # each right after the fact it was split from
        at = next((i + 1 for i, x in enumerate(facts) if x.id == parent), len(facts))
        facts.insert(at, pf)
    effective = _apply(p, add_assets, administers, forms, strategic, model_access)
    if effective is p:
        return TextReading(version, tuple(facts), p, tuple(dict.fromkeys(p.safeguards)), ())
    sides = tuple(side_features(effective, rivalry=fw.rivalry))
    planned, contradicted = _check_safeguards(p, sides, facts, fw)
    return TextReading(version, tuple(facts), effective, planned, contradicted, sides)


# Where a clause ends for reading who gives: a contrast ("but", "whereas", "while"), ", and" / ", so"
# / ", then", or "and" before a denial ("X shares its prompts and Y will not").
_GIVER_BREAK = re.compile(
    r"\b(?:but|however|whereas|although|though|while|whilst|yet|except\s+that)\b"
    r"|,\s*(?:and|so|then)\b"
    r"|\s+and\s+(?=(?:[\w'’.-]+\s+){0,4}?(?:(?:will|would|shall|does|do|did|can|could|is|are)"
    r"\s+not\b|won't|wont|doesn't|don't|never|cannot|can't))",
    re.IGNORECASE,
)
_AND = re.compile(r"\band\b", re.IGNORECASE)


def _clause(s: _Seen, seen: Iterable[_Seen] = ()) -> str:
    """The clause of its sentence that the mention ``s`` was read in: from the last break before
    it to the first after it (:data:`_GIVER_BREAK`); another mention of ``seen`` in the same
    sentence bounds it too, at the last break or "and" between the two ("X hands over its
    jailbreak prompts to Y, and Y hands over its scaffolds to X": two clauses, two givers)."""
    text = s.text
    s_start, s_end = sentence_bounds(text, s.start)
    lo, hi = s_start, s_end
    for m in _GIVER_BREAK.finditer(text, s_start, s.start):
        lo = m.end()
    nxt = _GIVER_BREAK.search(text, s.end, s_end)
    if nxt:
        hi = nxt.start()
    for o in seen:
        if o.mention.field != s.mention.field or not s_start <= o.start < s_end:
            continue
        if o.end <= s.start:  # an earlier mention: the clause starts after the last cut
            cut = _last_cut(text, o.end, s.start)
            lo = max(lo, cut.end() if cut else o.end)
        elif o.start >= s.end:  # a later one: it ends before the last cut
            cut = _last_cut(text, s.end, o.start)
            hi = min(hi, cut.start() if cut else o.start)
    return text[lo:hi]


def _last_cut(text: str, lo: int, hi: int) -> re.Match[str] | None:
    """The last clause break or "and" between two mentions of one sentence, if any."""
    found = [*_GIVER_BREAK.finditer(text, lo, hi), *_AND.finditer(text, lo, hi)]
    return max(found, key=lambda m: m.start(), default=None)


def _mention_roles(
    p: Proposal, c: _Compiled, s: _Seen, seen: Iterable[_Seen] = ()
) -> tuple[list[str], list[str]]:
    """(givers, receivers) of one mention: read in its clause when the clause names a giver
    (:func:`_clause`), else in its whole sentence."""
    receiving = bool(c.receiving.match(s.mention.matched))
    givers, receivers = _party_roles(p, _clause(s, seen), receiving)
    if givers:
        return givers, receivers
    return _party_roles(p, s.mention.quote, receiving)


def _handovers(
    p: Proposal, c: _Compiled, decisive: Mention, standing: list[_Seen], partisan: list[str]
) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Who gives to whom, per sentence: ``[(quote, [(giver, receivers)])]``, the decisive
    mention's sentence first; empty when no standing mention names a party.

    Each standing affirmed mention is read in its own clause (:func:`_mention_roles`), so every
    giver the text states is applied ("X hands over its prompts to Y, and Y hands over its
    scaffolds to X"; or the same in two sentences), while a giver of a denied clause is not (its
    mention is negated, and :func:`_rules_out` keeps an affirmed mention naming other givers).  A
    mention naming only receivers has every other partisan party as its giver; a giver with no
    named receiver gives to the partisan parties of the other sides."""
    ordered = sorted(standing, key=lambda s: s.mention is not decisive)
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    done: set[str] = set()
    for s in ordered:
        givers, receivers = _mention_roles(p, c, s, standing)
        if receivers and not givers:
            givers = [k for k in partisan if k not in receivers]
        for g in givers:
            if g in done:
                continue
            done.add(g)
            side = p.party(g).side_key  # type: ignore[union-attr]
            to = [r for r in receivers if r != g] or [
                k
                for k in partisan
                if k != g and p.party(k).side_key != side  # type: ignore[union-attr]
            ]
            groups.setdefault(s.mention.quote, []).append((g, to))
    return list(groups.items())


_ACCESS_ORDER = tuple(ModelAccess)  # none < api < supervised_on_site < internals < weights


def _declared_otherwise(p: Proposal, f: _FactDef) -> str | None:
    """The explicit declaration a stated fact contradicts, as ``field: value``, else None.

    Only a field the proposal gives (it is in ``model_fields_set``) declares anything: a default is
    "not stated", and the text's fact is applied.  ``model_access`` is one value for the whole
    proposal, so a declared level below the text's (``none`` or ``api`` while the text hands
    weights over) is a contradiction: the declaration is used and the reviewer is asked."""
    also = f.also
    if also is None or also["field"] != "model_access" or "model_access" not in p.model_fields_set:
        return None
    if _ACCESS_ORDER.index(p.model_access) < _ACCESS_ORDER.index(ModelAccess(also["value"])):
        return f"model_access: {p.model_access.value}"
    return None


def _named(p: Proposal, quote: str) -> set[str]:
    """Every party ``quote`` names, neutral ones included (by name, alias or key, or by
    description)."""
    low = quote.lower()
    keys = {
        x.key
        for x in p.parties
        if any(
            _whole(low, n.lower()) is not None for n in {x.name, *x.aliases, x.key} if len(n) >= 3
        )
    }
    givers, receivers = _party_roles(p, quote)
    return keys | set(givers) | set(receivers)


def _denial_covers(p: Proposal, quote: str) -> bool:
    """Whether a denial of a party-held fact (administrative access) covers a party the fields
    declare as holding it: it names that party; or it names none and speaks of the sides ("neither
    team", "none of the partners") while a declared holder is on a side; or it names none and is
    general ("nobody has administrative access")."""
    holders = [x for x in p.parties if x.administers_infrastructure]
    named = _named(p, quote)
    if named:
        return any(x.key in named for x in holders)
    if _references().sides.search(quote.lower()):
        return any(not x.neutral for x in holders)
    return True


_CLAUSE_END = re.compile(r"[,;:]")
PUBLIC_BEFORE = (
    25  # characters before a mention that its public cue can stand in ("publicly release")
)


def _is_public(p: Proposal, cue: re.Pattern[str], s: _Seen) -> bool:
    """Whether the mention ``s`` is a release to everyone: the cue stands in its clause (from a
    few words before it to the next comma, semicolon or sentence end) and the clause names no
    party as the receiver ("released publicly", not "handed to X")."""
    text = s.text
    s_start, s_end = sentence_bounds(text, s.start)
    lo = max(s_start, s.start - PUBLIC_BEFORE)
    end = _CLAUSE_END.search(text, s.end, s_end)
    hi = end.start() if end else s_end
    if cue.search(text, lo, hi) is None:
        return False
    _, receivers = _party_roles(p, text[s.start : hi])
    return not receivers


def _public_fact(p: Proposal, c: _Compiled, pub: _PublicDef, seen: list[_Seen]) -> TextFact | None:
    """The release to everyone read from ``seen``: never applied; a question unless the fields
    declare its target (``publication: open``), in which case there is nothing to say (None),
    except a denial, kept as ruled out."""
    pol, decisive, _ = _aggregate(p, c, seen)
    field, value = pub.target["field"], pub.target["value"]
    declared = field == "publication" and p.publication.value == value
    if declared and pol is not Polarity.negated:
        return None
    return construct(
        TextFact,
        id=pub.id,
        label=pub.label,
        target=_target(pub.target),
        quote=decisive.quote,
        polarity=pol,
        declared=declared,
        applied=False,
        applied_as=[],
        question=None if pol is Polarity.negated else " ".join(pub.question.split()),
        mentions=[s.mention for s in seen][:5],
    )


def _apply(
    p: Proposal,
    assets: dict[str, tuple[set[Asset], set[Asset]]],
    administers: set[str],
    forms: list[Form],
    strategic: list[StrategicTech],
    model_access: ModelAccess | None,
) -> Proposal:
    if not (assets or administers or forms or strategic or model_access):
        return p
    parties: list[Party] = []
    for x in p.parties:
        gives, gets = assets.get(x.key, (set(), set()))
        update: dict[str, Any] = {}
        if gives - set(x.contributes):
            update["contributes"] = [*x.contributes, *sorted(gives - set(x.contributes))]
        if gets - set(x.receives):
            update["receives"] = [*x.receives, *sorted(gets - set(x.receives))]
        if x.key in administers and not x.administers_infrastructure:
            update["administers_infrastructure"] = True
        parties.append(x.model_copy(update=update) if update else x)
    update_p: dict[str, Any] = {"parties": parties}
    if forms:
        update_p["forms"] = [*p.forms, *(f for f in dict.fromkeys(forms) if f not in p.forms)]
    if strategic:
        update_p["strategic_intersections"] = [
            *p.strategic_intersections,
            *(s for s in dict.fromkeys(strategic) if s not in p.strategic_intersections),
        ]
    if model_access is not None:
        update_p["model_access"] = model_access
    return p.model_copy(update=update_p)


def _check_safeguards(
    p: Proposal, sides: tuple[SideFeatures, ...], facts: list[TextFact], fw: Framework
) -> tuple[tuple[str, ...], tuple[ContradictedSafeguard, ...]]:
    planned = list(dict.fromkeys(p.safeguards))
    if not planned:
        return tuple(planned), ()
    applied = [f for f in facts if f.applied]
    kept: list[str] = []
    out: list[ContradictedSafeguard] = []
    for sid in planned:
        sg = fw.safeguard_index.get(sid)
        hit = [s for s in sides if sg is not None and sg.contradicted_by(s.flags)]
        if sg is None or not hit:
            kept.append(sid)
            continue
        why = sorted({fl for s in hit for fl in fired_flags(sg.incompatible_when, s.flags)})
        related = [
            f
            for f in applied
            if any(_flag_key(f.target) in fl for fl in why)
            or (f.id == "weights_shared" and "model_access.weights" in why)
        ] or applied
        out.append(
            construct(
                ContradictedSafeguard,
                safeguard=sid,
                name=sg.name,
                contradicted_by=why,
                facts=[f.id for f in related],
                quotes=list(dict.fromkeys(f.quote for f in related)),
            )
        )
    return tuple(kept), tuple(out)
