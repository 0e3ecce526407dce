"""Reading a match in free text the way a person would: stated, denied, conditional or unclear.

One matcher serves every part of Détente that reads proposal text (facts read from the
description, area placement, the controlled-technology flags), so "no access to model weights"
is read as a denial everywhere, not as a mention of weights.

For a regex match, :func:`polarity` looks at the *clause* the match starts in (a sentence, cut
at "but", "however", "whereas", "although", "while", "yet", and at "and" when a new subject
follows, e.g. "…, and the teams exchange …"):

* **hypothetical** — a conditional or possibility cue before the match in the clause
  ("if we later decide to share …", "may", "might", "could", "in a later phase"), a condition on
  a phase or the plan anywhere before it in the sentence ("subject to approval", "pending",
  "a second phase", "phase 2": it scopes every clause after it), or "if" / "unless" right after it;
* **negated** — a negation or exclusion cue in the clause, at most seven words before the match
  or inside it ("no access to weights", "will not share elicitation methods", "neither … nor",
  "excluding CBRN", "weights are not shared"), or an exclusion right after the match ("CBRN
  tasks are excluded", "… is out of scope");
* **ambiguous** — the match is named as an analogy or precedent ("inspired by nuclear arms
  control", "like the PAL precedent"): it is not a statement about the work;
* **affirmed** — none of these.

The cues are regular expressions compiled once at import.  They are deliberately simple and
documented, with table-driven tests (tests/core/test_text_facts.py); they do not parse syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as _C  # type: ignore[attr-defined]
from re import _parser as _P  # type: ignore[attr-defined]
from typing import Any

from detente.model.textfacts import Polarity as Polarity

_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT}


def _first_of(items: Any) -> set[str] | None:
    """Characters a match of the parsed sequence ``items`` can start with; None when unknown or
    when the sequence can match the empty string (then no look-ahead is added)."""
    for i, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue  # look-arounds and anchors consume nothing: the first character comes later
        if op in _REPEATS:
            lo, _hi, sub = av
            head = _first_of(sub)
            if lo >= 1 or head is None:
                return head
            rest = _first_of(items[i + 1 :])  # optional: the match may start after it
            return None if rest is None else head | rest
        return _first_one(op, av)
    return None


def _first_one(op: Any, av: Any) -> set[str] | None:
    if op is _C.LITERAL:
        return {chr(av)}
    if op is _C.IN:
        out: set[str] = set()
        for iop, iav in av:
            if iop is _C.LITERAL:
                out.add(chr(iav))
            elif iop is _C.RANGE and iav[1] - iav[0] < 64:
                out.update(chr(x) for x in range(iav[0], iav[1] + 1))
            else:
                return None  # negated sets, categories (\w, \s) and wide ranges: not expanded
        return out
    if op is _C.BRANCH:
        out = set()
        for alt in av[1]:
            f = _first_of(alt)
            if f is None:
                return None
            out |= f
        return out
    if op is _C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _first_of(sub)
    return None


def compile_scan(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` with a look-ahead for the characters a match can start with,
    when they can be read from the pattern (e.g. ``(?=[acfinoprs])`` before an alternation of
    words).  The matches are the same; the engine tries the pattern only where one can start,
    which makes scanning a text for a long alternation several times faster."""
    try:
        first = _first_of(_P.parse(pattern, flags))
    except re.error:
        first = None
    if not first:
        return re.compile(pattern, flags)
    chars = "".join(re.escape(ch) for ch in sorted(first))
    try:
        return re.compile(f"(?=[{chars}])(?:{pattern})", flags)
    except re.error:  # e.g. inline global flags, which must stay at the start
        return re.compile(pattern, flags)


# Non-ASCII characters that re.IGNORECASE matches with an ASCII letter, or whose lower case is ASCII
# or longer than one character (tests/core/test_compile_scan.py checks every code point).
_ASCII_FOLDING = frozenset("\u0130\u0131\u017f\u212a")
_SAFE_OPS = {_C.ANY, _C.AT, _C.CATEGORY}


def fold(text: str) -> str | None:
    """``text`` lower-cased, position for position, when a case-sensitive scan of it with a
    :func:`compile_folded` pattern finds what the case-insensitive pattern finds in ``text``;
    None when that does not hold (a character that lower-cases to ASCII or to two characters)."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text) or not _ASCII_FOLDING.isdisjoint(text):
        return None
    return low


def _foldable(items: Any) -> bool:
    """No upper-case or non-ASCII literal, no back-reference, no inline flag in the parsed pattern:
    case-sensitive on lower-cased text, it matches what it matches case-insensitively."""
    for op, av in items:
        if op is _C.LITERAL or op is _C.NOT_LITERAL:
            if av > 127 or 65 <= av <= 90:
                return False
        elif op is _C.IN:
            for iop, iav in av:
                if iop is _C.LITERAL:
                    if iav > 127 or 65 <= iav <= 90:
                        return False
                elif iop is _C.RANGE:
                    if iav[1] > 127 or (iav[0] <= 90 and iav[1] >= 65):
                        return False
                elif iop is not _C.NEGATE and iop is not _C.CATEGORY:
                    return False
        elif op is _C.BRANCH:
            if not all(_foldable(alt) for alt in av[1]):
                return False
        elif op is _C.SUBPATTERN:
            if av[1] or av[2] or not _foldable(av[3]):
                return False
        elif op in _REPEATS:
            if not _foldable(av[2]):
                return False
        elif op is _C.ASSERT or op is _C.ASSERT_NOT:
            if not _foldable(av[1]):
                return False
        elif op not in _SAFE_OPS:
            return False  # back-references, conditionals, atomic groups: not shown equivalent
    return True


def compile_folded(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """The case-insensitive ``pattern`` compiled case-sensitive (with :func:`compile_scan`'s
    look-ahead), to scan the :func:`fold` of a text: the same matches at the same positions, and
    CPython's ``re`` runs it 1.3–3× faster.  None unless ``flags`` has re.IGNORECASE and the
    pattern's letters are all lower-case ASCII."""
    if not flags & re.IGNORECASE:
        return None
    rest = flags & ~re.IGNORECASE
    try:
        parsed = _P.parse(pattern, rest)
    except re.error:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.ASCII | re.LOCALE) or not _foldable(parsed):
        return None
    return compile_scan(pattern, rest)


# The abbreviations are checked after the punctuation mark (the mark then is the last character
# of each look-behind): the same matches as checking them before it, but the engine scans for the
# mark instead of trying ten look-behinds at every position (~9× faster).
_SENTENCE_END = re.compile(
    r"(?:[.!?](?=\s|$)|;)"
    r"(?<!\be\.g.)(?<!\bi\.e.)(?<!\bDr.)(?<!\bProf.)(?<!\bvs.)(?<!\bMr.)(?<!\bMs.)(?<!\bSt.)"
    r"(?<!\bU\.S.)(?<!\bNo.)(?<!\bCo.)(?<!\bInc.)(?<!\bLtd.)(?<!\bCorp.)"
    r"|\n\s*\n|\n\s*[-*•]\s"
)
_CLAUSE_BREAK = re.compile(
    r"\b(?:but|however|whereas|although|though|while|yet|except that)\b"
    r"|(?:,\s*|\s)and\s+(?=(?:the|each|both|all|we|they|our|their|its|it|this|these|those|"
    r"partners?|teams?|researchers?|parties|either|neither|one|every)\b)",
    re.IGNORECASE,
)
# (?=[…]) before an alternation of words: the first letters of its words, so the engine tries the
# alternation only where one could start (the same matches, about twice as fast).
_NEGATION = re.compile(
    r"\b(?=[abcdefimnoprsw])(?:no|not(?!\s+only)|never|without|neither|nor|none|nobody|nothing|"
    r"cannot|can't|won't|don't|doesn't|"
    r"isn't|aren't|wouldn't|shouldn't|mustn't|shan't|excluding|excluded|excludes?|except|"
    r"rather than|instead of|free of|out of scope|outside the scope|prohibit\w*|forbid\w*|"
    r"barred|refrain\w*|avoid\w*|withh[eo]ld\w*|off-limits|ruled out|rules out)\b",
    re.IGNORECASE,
)
_POST_EXCLUSION = re.compile(
    r"^[^.;]{0,50}?\b(?:are|is|will be|would be|remains?|stays?|being|be)\s+"
    r"(?:(?:strictly|explicitly|entirely|also)\s+)?"
    r"(?:excluded|out of scope|outside the scope|off-limits|prohibited|ruled out|not\b|never\b|"
    r"kept (?:private|internal|in-house|secret|separate))",
    re.IGNORECASE,
)
_HYPOTHETICAL_PRE = re.compile(
    r"\b(?=[acdeilmnopstuw])(?:if|unless|whether|may|might|could|should (?:we|they|the)|would consider|"
    r"consider(?:s|ing)? (?:whether|sharing|giving|handing|exchanging)|possibly|potentially|"
    r"perhaps|optionally|in (?:the )?future|later decide\w*|decide later|eventually|at a later (?:stage|date|point)|"
    r"in a (?:later|second|future) phase|to be decided|tbd|not yet decided|undecided|"
    r"explore whether|option to)\b",
    re.IGNORECASE,
)
# A condition on a whole phase or plan scopes the whole sentence, past clause breaks ("Subject to
# approval, a second phase would give access … and both teams would exchange …").
_HYPOTHETICAL_SENTENCE = re.compile(
    r"\b(?=[acfiopsnt])(?:subject to|pending|conditional (?:on|upon)|contingent (?:on|upon)|"
    r"once (?:approved|funded|authori[sz]ed)|if (?:approved|funded|authori[sz]ed)|"
    r"(?:a|the|an?) (?:second|later|future|next|follow-on|subsequent) (?:phase|stage)|"
    r"phase (?:2|two|ii)|stage (?:2|two|ii))\b",
    re.IGNORECASE,
)
_HYPOTHETICAL_POST = re.compile(
    r"^[^.;]{0,40}?(?<!even )\b(?:if|unless|should the|provided that|in case)\b", re.IGNORECASE
)
_ANALOGY = re.compile(
    r"\b(?:like|as in|analog\w*|inspired by|lessons? (?:from|of)|precedents?|akin to|"
    r"model(?:l)?ed on|by analogy|similar to|borrow\w* from|history of)\b[^.;]{0,40}$",
    re.IGNORECASE,
)


def _folded(rx: re.Pattern[str]) -> re.Pattern[str]:
    folded = compile_folded(rx.pattern, rx.flags)
    return rx if folded is None else folded


# The cue patterns case-sensitive, for the lower-cased text (see fold): the same matches.
_CLAUSE_BREAK_F = _folded(_CLAUSE_BREAK)
_NEGATION_F = _folded(_NEGATION)
_POST_EXCLUSION_F = _folded(_POST_EXCLUSION)
_HYPOTHETICAL_PRE_F = _folded(_HYPOTHETICAL_PRE)
_HYPOTHETICAL_POST_F = _folded(_HYPOTHETICAL_POST)
_HYPOTHETICAL_SENTENCE_F = _folded(_HYPOTHETICAL_SENTENCE)
_ANALOGY_F = _folded(_ANALOGY)


@dataclass(frozen=True, slots=True)
class Span:
    """A match with its polarity and the sentence it was read in."""

    start: int
    end: int
    matched: str
    polarity: Polarity
    quote: str
    cue: str | None


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence containing ``pos``."""
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    nxt = _SENTENCE_END.search(text, pos)
    end = nxt.end() if nxt else len(text)
    return start, end


def _clause_start(text: str, s_start: int, pos: int) -> int:
    start = s_start
    for m in _CLAUSE_BREAK.finditer(text, s_start, pos):
        start = m.end()
    return start


def _clause_end(text: str, pos: int, s_end: int) -> int:
    m = _CLAUSE_BREAK.search(text, pos, s_end)
    return m.start() if m else s_end


NEGATION_SCOPE = 7
"""A negation cue counts only this many words before the match (or inside it): "humans, not AI,
should control decisions on the use of nuclear weapons" does not deny the nuclear topic."""


def _words_before(text: str, lo: int, pos: int, n: int) -> int:
    """Start of the ``n`` words before ``pos`` (not before ``lo``): the ``n``-th last run of
    ``\\S+`` in ``text[lo:pos]``, else ``lo``.  ``str.rsplit`` splits at the same whitespace
    (``str.isspace``, which ``\\s`` matches): the first part ends with that word."""
    parts = text[lo:pos].rsplit(None, n - 1)
    if len(parts) < n:
        return lo  # fewer than n words
    head = parts[0]
    return lo + len(head) - len(head.rsplit(None, 1)[-1])


def polarity(
    text: str, start: int, end: int, low: str | None = None
) -> tuple[Polarity, str | None, str]:
    """Polarity of ``text[start:end]``, the cue that decided it, and the sentence (the quote).

    ``low``: the :func:`fold` of ``text``, when it applies (the cues are then read on it, with
    the same matches, and quoted from ``text``)."""
    if low is not None:
        return _polarity_folded(text, low, start, end)
    s_start, s_end = sentence_bounds(text, start)
    c_start = _clause_start(text, s_start, start)
    c_end = _clause_end(text, end, s_end)
    quote = " ".join(text[s_start:s_end].split())
    m = _HYPOTHETICAL_PRE.search(text, c_start, start) or _HYPOTHETICAL_SENTENCE.search(
        text, s_start, start
    )
    if m:
        return Polarity.hypothetical, m.group(0), quote
    m = _ANALOGY.search(text[c_start:start])
    if m:
        return Polarity.ambiguous, m.group(0).split()[0], quote
    m = _NEGATION.search(text, _words_before(text, c_start, start, NEGATION_SCOPE), end)
    if m:
        return Polarity.negated, m.group(0), quote
    after = text[end:c_end]
    m = _POST_EXCLUSION.search(after)
    if m:
        return Polarity.negated, m.group(0).strip(), quote
    m = _HYPOTHETICAL_POST.search(after)
    if m:
        return Polarity.hypothetical, m.group(0).strip(), quote
    return Polarity.affirmed, None, quote


def _polarity_folded(text: str, low: str, start: int, end: int) -> tuple[Polarity, str | None, str]:
    """:func:`polarity` with the cue patterns read case-sensitive on ``low``, ``text`` lower-cased
    by :func:`fold` (position for position): the same result."""
    s_start, s_end = sentence_bounds(text, start)  # case-sensitive: on the text itself
    c_start = s_start
    for br in _CLAUSE_BREAK_F.finditer(low, s_start, start):
        c_start = br.end()
    nxt = _CLAUSE_BREAK_F.search(low, end, s_end)
    c_end = nxt.start() if nxt else s_end
    quote = " ".join(text[s_start:s_end].split())
    m = _HYPOTHETICAL_PRE_F.search(low, c_start, start) or _HYPOTHETICAL_SENTENCE_F.search(
        low, s_start, start
    )
    if m:
        return Polarity.hypothetical, text[m.start() : m.end()], quote
    m = _ANALOGY_F.search(low[c_start:start])
    if m:
        return Polarity.ambiguous, text[c_start + m.start() : c_start + m.end()].split()[0], quote
    m = _NEGATION_F.search(low, _words_before(text, c_start, start, NEGATION_SCOPE), end)
    if m:
        return Polarity.negated, text[m.start() : m.end()], quote
    after = low[end:c_end]
    m = _POST_EXCLUSION_F.search(after)
    if m:
        return Polarity.negated, text[end + m.start() : end + m.end()].strip(), quote
    m = _HYPOTHETICAL_POST_F.search(after)
    if m:
        return Polarity.hypothetical, text[end + m.start() : end + m.end()].strip(), quote
    return Polarity.affirmed, None, quote


def span_at(text: str, start: int, end: int, low: str | None = None) -> Span:
    """The match ``text[start:end]`` with its polarity (``low`` as for :func:`polarity`)."""
    pol, cue, quote = polarity(text, start, end, low)
    return Span(start, end, text[start:end], pol, quote, cue)


def find(
    pattern: re.Pattern[str],
    text: str,
    pos: int = 0,
    endpos: int | None = None,
    *,
    folded: re.Pattern[str] | None = None,
    low: str | None = None,
) -> list[Span]:
    """Every match of ``pattern`` in ``text`` (optionally within ``pos:endpos``) with its polarity.

    With ``folded`` (:func:`compile_folded` of the same pattern) and ``low`` (:func:`fold` of
    ``text``, None when it does not apply), the scan runs on ``low``: the same matches."""
    out = []
    end = len(text) if endpos is None else endpos
    if folded is not None and low is not None:
        for m in folded.finditer(low, pos, end):
            a, b = m.span()
            pol, cue, quote = polarity(text, a, b, low)
            out.append(Span(a, b, text[a:b], pol, quote, cue))
        return out
    for m in pattern.finditer(text, pos, end):
        pol, cue, quote = polarity(text, m.start(), m.end())
        out.append(Span(m.start(), m.end(), m.group(0), pol, quote, cue))
    return out


def first_affirmed(pattern: re.Pattern[str], text: str) -> Span | None:
    """The first match that the text states (not denies, conditions or uses as an analogy)."""
    for m in pattern.finditer(text):
        pol, cue, quote = polarity(text, m.start(), m.end())
        if pol is Polarity.affirmed:
            return Span(m.start(), m.end(), m.group(0), pol, quote, cue)
    return None
