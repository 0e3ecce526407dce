"""Candidate blocking and explainable scoring of names against the list index.

Blocking finds list names sharing a (rare) token, a typo neighbour of a token (one-deletion
neighbourhood), a phonetic key, the same letters ignoring spaces, the same pinyin, or an
acronym.  Scoring then combines explicit features with the weights in ``data/match_rules.yaml``;
every score carries its feature values, weights and contributions.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from detente._gcpause import without_gc
from detente.screening.entries import ListEntry, entry_from_json, entry_to_json
from detente.screening.normalize import (
    acronym_key,
    compact,
    countries_equivalent,
    derived_acronyms,
    discount,
    has_cjk,
    is_cjk_name,
    looks_like_acronym,
    person_tokens,
    phonetic,
    pinyin_key,
    rules,
    tokens,
)

_T = TypeVar("_T")

KIND_PRIMARY = "primary"
KIND_ALIAS = "alias"
KIND_NATIVE = "native"
KIND_PARENT = "parent"


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    value: float
    weight: float
    contribution: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    features: tuple[Feature, ...]
    via: str = ""  # which feature decided: weighted, acronym, compact, native


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name prepared for matching."""

    text: str
    toks: tuple[str, ...]
    core_sorted: str
    compact: str
    pinyin: str
    phon: frozenset[str]
    crossed: bool  # converted from a non-Latin script


def prepare(text: str, person: bool = False) -> NameForm:
    toks = tuple(dict.fromkeys(person_tokens(text) if person else tokens(text)))
    return NameForm(
        text=text,
        toks=toks,
        core_sorted=" ".join(sorted(toks)),
        compact=compact(toks),
        pinyin=pinyin_key(text) if has_cjk(text) else "",
        phon=frozenset(phonetic(t) for t in toks),
        crossed=not text.isascii(),
    )


@dataclass(frozen=True, slots=True)
class NameRec:
    entry: int
    kind: str
    form: NameForm


class Weights:
    """Token weights: inverse document frequency over the index, times the data-file discount."""

    __slots__ = ("_cache", "df", "n")

    def __init__(self, df: Mapping[str, int] | None = None, n: int = 0) -> None:
        self.df = df or {}
        self.n = n
        self._cache: dict[str, float] = {}

    def __call__(self, tok: str) -> float:
        w = self._cache.get(tok)
        if w is None:
            if self.n > 0:
                d = self.df.get(tok, 0)
                idf = math.log((self.n + 1) / (d + 1)) / math.log(self.n + 1)
                w = max(idf, 0.05) * discount(tok)
            else:
                w = discount(tok)
            self._cache[tok] = w
        return w


_RF: list[Any] = []


def _rf() -> tuple[Any, Any]:
    if not _RF:
        from rapidfuzz.distance import Indel, JaroWinkler

        _RF.extend([JaroWinkler.similarity, Indel.normalized_similarity])
    return _RF[0], _RF[1]


_OSA: list[Any] = []


def _osa(a: str, b: str) -> int:
    if not _OSA:
        from rapidfuzz.distance import OSA

        _OSA.append(OSA.distance)
    return int(_OSA[0](a, b, score_cutoff=2))


def _jw(a: str, b: str) -> float:
    return float(_rf()[0](a, b))


def _indel(a: str, b: str) -> float:
    return float(_rf()[1](a, b))


def _pair_similarity(t: str, u: str, r: Any) -> float | None:
    """Fuzzy similarity of two different tokens as :func:`_token_credit` counts it (None: the
    pair may not be credited at all)."""
    lt, lu = len(t), len(u)
    min_len = r.fuzzy_min_len
    if lt < min_len or lu < min_len or abs(lu - lt) > 2:
        return None
    locs = r.locations
    # a place matches only a misspelling of itself, never another place
    # (Hunan / Henan, Shanxi / Shaanxi)
    t_loc = t in locs
    u_loc = u in locs
    if (u_loc or t_loc) and ((t_loc and u_loc) or min(lt, lu) < 6 or _osa(t, u) > 1):
        return None
    jw, indel = _rf()
    s = float(jw(t, u))
    if s < r.fuzzy_min:
        s = max(s, float(indel(t, u)))
    if r.fuzzy_min > s >= 0.8 and lt >= 5 and lu >= 5 and _osa(t, u) <= 1:
        s = r.fuzzy_min  # one typo (insertion, deletion, substitution, transposition)
    if r.fuzzy_min > s >= 0.8 and phonetic(t) == phonetic(u):
        s = r.fuzzy_min
    return s


def _token_credit(q: tuple[str, ...], n: tuple[str, ...]) -> tuple[list[float], list[float]]:
    r = rules()
    jw, indel = _rf()
    cq = [0.0] * len(q)
    cn = [0.0] * len(n)
    pos = {t: j for j, t in enumerate(n)}
    for i, t in enumerate(q):
        j = pos.get(t)
        if j is not None and cn[j] == 0.0:
            cq[i] = cn[j] = 1.0
    locs = r.locations
    min_len = r.fuzzy_min_len
    for i, t in enumerate(q):
        if cq[i] or len(t) < min_len:
            continue
        best, bj = 0.0, -1
        lt = len(t)
        t_loc = t in locs
        for j, u in enumerate(n):
            lu = len(u)
            if cn[j] or lu < min_len or abs(lu - lt) > 2:
                continue
            # a place matches only a misspelling of itself, never another place
            # (Hunan / Henan, Shanxi / Shaanxi)
            u_loc = u in locs
            if (u_loc or t_loc) and ((t_loc and u_loc) or min(lt, lu) < 6 or _osa(t, u) > 1):
                continue
            s = jw(t, u)
            if s < r.fuzzy_min:
                s = max(s, indel(t, u))
            if r.fuzzy_min > s >= 0.8 and lt >= 5 and len(u) >= 5 and _osa(t, u) <= 1:
                s = r.fuzzy_min  # one typo (insertion, deletion, substitution, transposition)
            if r.fuzzy_min > s >= 0.8 and phonetic(t) == phonetic(u):
                s = r.fuzzy_min
            if s > best:
                best, bj = s, j
        if bj >= 0 and best >= r.fuzzy_min:
            credit = max(r.fuzzy_floor, best) if best < 1.0 else 1.0
            cq[i] = cn[bj] = credit
    return cq, cn


def _may_reach(
    q: NameForm,
    n: NameForm,
    schema: str,
    weights: Weights,
    floor: float,
    wq: list[float] | None = None,
    ctx: _QueryPairs | None = None,
) -> bool:
    """Cheap upper bound: can this pair reach *floor*?  (the token alignment decides most of
    the score; Jaro-Winkler, phonetic and the core-name rule are counted at their best).
    *wq* are the query's token weights when the caller has them already; *ctx* the query's
    token-pair similarities over the candidate names (:class:`_QueryPairs`), which give the
    same credits as :func:`_token_credit` without comparing each pair of tokens again."""
    if (q.pinyin and q.pinyin == n.pinyin) or (len(q.compact) >= 6 and q.compact == n.compact):
        return True
    if not q.toks or not n.toks:
        return False
    if ctx is not None:
        return _reach(q, n, schema, weights, floor, ctx.credit(n.toks), wq)
    if schema == "person":
        cq, cn, _iq, _in = _person_credit(q.toks, n.toks)
    else:
        cq, cn = _token_credit(q.toks, n.toks)
    return _bound(q, n, cq, cn, schema, weights, wq) >= floor


# A cheap bound is only trusted when it is this far below the floor (it is computed in another
# order than the exact one, so it may differ from it in the last bits): a pair it cannot rule out
# gets the exact bound, so the decisions are those of _bound.
_CHEAP_MARGIN = 1e-9


def _reach(
    q: NameForm,
    n: NameForm,
    schema: str,
    weights: Weights,
    floor: float,
    credits: tuple[list[float], list[float]],
    wq: list[float] | None = None,
) -> bool:
    """``_bound(...) >= floor`` for the token credits *credits* of the pair, answering first
    from the query side alone when that suffices: the list side's credited share is at most 1,
    so the query side bounds the score from above (organisations: the harmonic mean of the two
    shares is at most ``2p / (p + 1)``; persons: ``p_weight * share + (1 - p_weight)``).  Only
    the pairs that bound does not rule out need the list name's token weights; for those the
    exact bound is computed here with the same expressions as :func:`_bound`."""
    r = rules()
    cq, cn = credits
    if schema == "person":
        cq, cn, _iq, _in = _person_credit(q.toks, n.toks, (cq, cn))
        if not any(cq):
            return floor <= 0.0
        if wq is None:
            wq = [weights(t) for t in q.toks]
        pn = r.person_name
        pw = pn["p_weight"]
        extra = pn["extra_part_weight"] if sum([1 for c in cq if c > 0]) >= 2 else 1.0
        got = sum([c * w for c, w in zip(cq, wq, strict=True)])
        den_q = sum([w if c > 0 else w * extra for c, w in zip(cq, wq, strict=True)])
        if pw * got / (den_q or 1.0) + (1 - pw) < floor - _CHEAP_MARGIN:
            return False
        known = weights._cache.get
        wn = [known(t) or weights(t) for t in n.toks]
        got_n = sum([c * w for c, w in zip(cn, wn, strict=True)])
        den_n = sum([w if c > 0 else w * extra for c, w in zip(cn, wn, strict=True)])
        return pw * got / (den_q or 1.0) + (1 - pw) * got_n / (den_n or 1.0) >= floor
    fw = r.weights["org"]
    rest = fw["jaro_winkler"] + fw["phonetic"] + r.country_agree
    if not any(cq):
        # _bound with tok = 0.0 (and no exact token, so no core-name rule)
        return (
            0.0 * fw["token_overlap"] + fw["jaro_winkler"] + fw["phonetic"] + r.country_agree
            >= floor
        )
    if wq is None:
        wq = [weights(t) for t in q.toks]
    p = sum([c * w for c, w in zip(cq, wq, strict=True)]) / (sum(wq) or 1.0)
    if (2 * p / (p + 1) if p > 0 else 0.0) * fw["token_overlap"] + rest >= floor - _CHEAP_MARGIN:
        known = weights._cache.get
        wn = [known(t) or weights(t) for t in n.toks]
        rc = sum([c * w for c, w in zip(cn, wn, strict=True)]) / (sum(wn) or 1.0)
        tok = 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)
        if (
            tok * fw["token_overlap"] + fw["jaro_winkler"] + fw["phonetic"] + r.country_agree
            >= floor
        ):
            return True
    # only the core-name rule can lift this pair (as in _bound)
    if r.org_name["core_score"] < floor or 1.0 not in cq:
        return False
    legal = r.discount
    return all(c > 0 or legal.get(t, 1.0) <= 0.1 for c, t in zip(cq, q.toks, strict=True)) or all(
        c > 0 or legal.get(u, 1.0) <= 0.1 for c, u in zip(cn, n.toks, strict=True)
    )


class _QueryPairs:
    """One query's fuzzy token similarities, computed once over the tokens of all its candidate
    names (not once per candidate): for each query token, the list tokens that
    :func:`_token_credit` would credit it against (similarity at least ``fuzzy_min``), with that
    similarity.  :meth:`credit` then reproduces :func:`_token_credit` exactly: the same exact
    matches, and for each remaining query token the first best-scoring unmatched list token.
    Lives for one query only (nothing is kept across screens)."""

    __slots__ = ("fuzzy", "q", "qpos")

    DIRECT = 0  # up to this many list tokens of a near length, each pair is scored directly

    def __init__(self, q: tuple[str, ...], forms: Iterable[NameForm]) -> None:
        r = rules()
        self.q = q
        self.qpos = {t: i for i, t in enumerate(q)}
        min_len = r.fuzzy_min_len
        self.fuzzy: list[dict[str, float] | None] = [None] * len(q)
        if not any(len(t) >= min_len for t in q):
            return
        by_len: dict[int, list[str]] = {}
        for u in {u for f in forms for u in f.toks if len(u) >= min_len}:
            by_len.setdefault(len(u), []).append(u)
        if not by_len:
            return
        from rapidfuzz import process
        from rapidfuzz.distance import Indel, JaroWinkler

        # Only a pair whose Jaro-Winkler or Indel similarity reaches 0.8 can end at fuzzy_min
        # (the typo and phonetic lifts start at 0.8); rapidfuzz finds those in one call per
        # query token, with a margin, and each is then scored exactly as _token_credit does.
        # _pair_similarity credits no pair whose lengths differ by more than 2, nor one below
        # that margin: a few list tokens are scored directly, without the rapidfuzz search.
        cut = min(0.8, r.fuzzy_min) - 0.01
        for i, t in enumerate(q):
            lt = len(t)
            if lt < min_len:
                continue
            pool = [u for k in range(lt - 2, lt + 3) for u in by_len.get(k, ()) if u != t]
            if len(pool) <= self.DIRECT:
                near: Iterable[str] = pool
            else:
                near = {
                    c
                    for scorer in (JaroWinkler.similarity, Indel.normalized_similarity)
                    for c, _s, _k in process.extract(
                        t, pool, scorer=scorer, score_cutoff=cut, limit=None
                    )
                }
            got = {}
            for u in near:
                s = _pair_similarity(t, u, r)
                if s is not None and s >= r.fuzzy_min:
                    got[u] = s
            if got:
                self.fuzzy[i] = got

    def credit(self, n: tuple[str, ...]) -> tuple[list[float], list[float]]:
        """:func:`_token_credit` of the query against list tokens *n* (all in the pool)."""
        r = rules()
        q = self.q
        cq = [0.0] * len(q)
        cn = [0.0] * len(n)
        qpos = self.qpos
        # from the end: a token repeated in *n* pairs with its last occurrence, as there
        for j in range(len(n) - 1, -1, -1):
            i = qpos.get(n[j])
            if i is not None and cq[i] == 0.0:
                cq[i] = cn[j] = 1.0
        for i, fz in enumerate(self.fuzzy):
            if fz is None or cq[i]:
                continue
            best, bj = 0.0, -1
            for j, u in enumerate(n):
                if cn[j]:
                    continue
                s = fz.get(u)
                if s is not None and s > best:
                    best, bj = s, j
            if bj >= 0 and best >= r.fuzzy_min:
                credit = max(r.fuzzy_floor, best) if best < 1.0 else 1.0
                cq[i] = cn[bj] = credit
        return cq, cn


def _bound(
    q: NameForm,
    n: NameForm,
    cq: list[float],
    cn: list[float],
    schema: str,
    weights: Weights,
    wq: list[float] | None = None,
) -> float:
    r = rules()
    if wq is None:
        wq = [weights(t) for t in q.toks]
    # (sums over lists, in the same order as the scorer's: the same floating-point values)
    credited = any(cq)  # credits come in pairs: none on the query side, none on the list side
    if schema == "person":
        if not credited:
            return 0.0
        known = weights._cache.get  # a weight is computed once, then read from its memo
        wn = [known(t) or weights(t) for t in n.toks]
        # optimistic credits make the person score an upper bound (see _score_person)
        pn = r.person_name
        matched = sum([1 for c in cq if c > 0])
        extra = pn["extra_part_weight"] if matched >= 2 else 1.0
        got = sum([c * w for c, w in zip(cq, wq, strict=True)])
        got_n = sum([c * w for c, w in zip(cn, wn, strict=True)])
        den_q = sum([w if c > 0 else w * extra for c, w in zip(cq, wq, strict=True)])
        den_n = sum([w if c > 0 else w * extra for c, w in zip(cn, wn, strict=True)])
        return pn["p_weight"] * got / (den_q or 1.0) + (1 - pn["p_weight"]) * got_n / (den_n or 1.0)
    fw = r.weights["org"]
    if credited:
        known = weights._cache.get  # a weight is computed once, then read from its memo
        wn = [known(t) or weights(t) for t in n.toks]
        p = sum([c * w for c, w in zip(cq, wq, strict=True)]) / (sum(wq) or 1.0)
        rc = sum([c * w for c, w in zip(cn, wn, strict=True)]) / (sum(wn) or 1.0)
        tok = 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)
    else:
        tok = 0.0  # p = rc = 0
    bound = tok * fw["token_overlap"] + fw["jaro_winkler"] + fw["phonetic"] + r.country_agree
    legal = r.discount
    if 1.0 in cq and (
        all(c > 0 or legal.get(t, 1.0) <= 0.1 for c, t in zip(cq, q.toks, strict=True))
        or all(c > 0 or legal.get(u, 1.0) <= 0.1 for c, u in zip(cn, n.toks, strict=True))
    ):
        bound = max(bound, r.org_name["core_score"])  # the core-name rule may apply
    return bound


def score_forms(
    q: NameForm,
    n: NameForm,
    *,
    schema: str,
    weights: Weights,
    country_q: str | None = None,
    countries_n: Sequence[str] = (),
) -> PairScore:
    """Score one prepared query name against one prepared list name."""
    r = rules()
    feats: list[Feature] = []
    special = 0.0
    via = "weighted"
    if q.pinyin and n.pinyin and len(q.pinyin) >= 4 and q.pinyin == n.pinyin:
        special, via = r.special["native_exact"], "native"
    elif len(q.compact) >= 6 and q.compact == n.compact:
        special, via = r.special["compact_exact"], "compact"

    if schema == "person":
        return _score_person(q, n, weights, special, via)
    fw = r.weights["org"]
    if q.toks and n.toks:
        cq, cn = _token_credit(q.toks, n.toks)
        wq = [weights(t) for t in q.toks]
        known = weights._cache.get  # a weight is computed once, then read from its memo
        wn = [known(t) or weights(t) for t in n.toks]
        p = sum(c * w for c, w in zip(cq, wq, strict=True)) / (sum(wq) or 1.0)
        rc = sum(c * w for c, w in zip(cn, wn, strict=True)) / (sum(wn) or 1.0)
        if schema == "person":
            tok = 0.65 * p + 0.35 * rc
        else:
            tok = 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)
        a, b = q.core_sorted, n.core_sorted
        jw = _jw(a, b) if a and b else 0.0
        ratio = min(len(a), len(b)) / max(len(a), len(b), 1)
        if ratio < 0.6:
            jw *= ratio / 0.6
        if q.phon and n.phon:
            inter = len(q.phon & n.phon)
            ph = (inter / len(q.phon) + inter / len(n.phon)) / 2
        else:
            ph = 0.0
        feats += [
            Feature(
                "token_overlap",
                round(tok, 4),
                fw["token_overlap"],
                round(tok * fw["token_overlap"], 4),
                f"rare-token weighted: query covered {p:.2f}, list name covered {rc:.2f}",
            ),
            Feature(
                "jaro_winkler",
                round(jw, 4),
                fw["jaro_winkler"],
                round(jw * fw["jaro_winkler"], 4),
                f"{a!r} ~ {b!r}",
            ),
            Feature(
                "phonetic",
                round(ph, 4),
                fw["phonetic"],
                round(ph * fw["phonetic"], 4),
                "Metaphone keys",
            ),
        ]
        base = tok * fw["token_overlap"] + jw * fw["jaro_winkler"] + ph * fw["phonetic"]
        base = _org_structure(q, n, cq, cn, base, feats)
    else:
        base = 0.0
    score = base
    if special > base:
        feats.append(
            Feature(
                f"{via}_exact",
                1.0,
                special,
                round(special - base, 4),
                "same pinyin" if via == "native" else "same letters ignoring spaces",
            )
        )
        score = special
    else:
        via = "weighted"
    if q.crossed or n.crossed:
        feats.append(
            Feature(
                "script_crossing",
                1.0,
                0.0,
                0.0,
                "compared through transliteration (pinyin / glossary / anyascii)",
            )
        )
    score = _country(score, feats, schema, country_q, countries_n)
    return PairScore(round(max(0.0, min(1.0, score)), 4), tuple(feats), via)


def _person_credit(
    q: tuple[str, ...],
    n: tuple[str, ...],
    credits: tuple[list[float], list[float]] | None = None,
) -> tuple[list[float], list[float], list[bool], list[bool]]:
    """Credits of aligned person-name parts (any order): equal or variant spelling (as for
    organisations), initials ("j" ~ "john"), and two parts written as one ("xiao ming" ~
    "xiaoming").  Also returns which query / list parts are bare initials.  *credits*: the
    :func:`_token_credit` of the pair when the caller has it (modified in place)."""
    pn = rules().person_name
    cq, cn = credits if credits is not None else _token_credit(q, n)
    iq = [len(t) == 1 for t in q]
    inn = [len(u) == 1 for u in n]
    for i, t in enumerate(q):
        if cq[i]:
            continue
        for j, u in enumerate(n):
            if cn[j]:
                continue
            if (iq[i] and u.startswith(t)) or (inn[j] and t.startswith(u)):
                cq[i] = cn[j] = pn["initial_credit"]
                break
    # two adjacent parts of one side written as one part on the other
    for a, b, ca, cb in ((q, n, cq, cn), (n, q, cn, cq)):
        for j, u in enumerate(b):
            if cb[j] or len(u) < 4:
                continue
            for i in range(len(a) - 1):
                if not ca[i] and not ca[i + 1] and a[i] + a[i + 1] == u:
                    ca[i] = ca[i + 1] = cb[j] = 1.0
                    break
    return cq, cn, iq, inn


def _listed_surname(text: str) -> frozenset[str]:
    """The surname tokens of a listed name written "SURNAME, Given Names" (else empty)."""
    head, sep, tail = text.partition(",")
    if not sep or not tail.strip() or "," in tail:
        return frozenset()
    return frozenset(person_tokens(head))


def _score_person(
    q: NameForm, n: NameForm, weights: Weights, special: float, via: str
) -> PairScore:
    r = rules()
    pn = r.person_name
    feats: list[Feature] = []
    score = 0.0
    if q.toks and n.toks:
        cq, cn, iq, inn = _person_credit(q.toks, n.toks)
        wq = [weights(t) * (pn["initial_weight"] if iq[i] else 1.0) for i, t in enumerate(q.toks)]
        wn = [weights(u) * (pn["initial_weight"] if inn[j] else 1.0) for j, u in enumerate(n.toks)]
        matched = sum(1 for c in cq if c > 0)
        full = sum(1 for i, c in enumerate(cq) if c > 0 and not iq[i])
        extra = pn["extra_part_weight"] if matched >= 2 else 1.0
        got = sum(c * w for c, w in zip(cq, wq, strict=True))
        got_n = sum(c * w for c, w in zip(cn, wn, strict=True))
        den_q = sum(w if c > 0 else w * extra for c, w in zip(cq, wq, strict=True))
        den_n = sum(w if c > 0 else w * extra for c, w in zip(cn, wn, strict=True))
        p = got / (den_q or 1.0)
        rc = got_n / (den_n or 1.0)
        score = pn["p_weight"] * p + (1 - pn["p_weight"]) * rc
        feats.append(
            Feature(
                "name_parts",
                round(score, 4),
                1.0,
                round(score, 4),
                f"{matched} of {len(q.toks)} parts of the screened name found ({p:.2f}); "
                f"listed name covered {rc:.2f}",
            )
        )
        sur = _listed_surname(n.text)
        if (
            sur
            and matched >= 2
            and not any(c > 0 for u, c in zip(n.toks, cn, strict=True) if u in sur)
        ):
            matched = 1  # "SURNAME, Given": the listed surname is not in the screened name
        if (matched < 2 or full < 1) and (len(q.toks) > 1 or len(n.toks) > 1):
            cap = pn["single_part_cap"]
            if score > cap:
                feats.append(
                    Feature(
                        "single_part",
                        1.0,
                        -(score - cap),
                        round(cap - score, 4),
                        "only one name part in common (a shared surname is not a match)",
                    )
                )
                score = cap
    if special > score:
        feats.append(
            Feature(
                f"{via}_exact",
                1.0,
                special,
                round(special - score, 4),
                "same pinyin" if via == "native" else "same letters ignoring spaces",
            )
        )
        score = special
    else:
        via = "weighted"
    if is_cjk_name(q.text) and is_cjk_name(n.text):
        qc = "".join(q.text.split())
        nc = "".join(n.text.split())
        cap = pn["native_differs_cap"]
        if qc != nc and score > cap:
            feats.append(
                Feature(
                    "native_differs",
                    1.0,
                    -(score - cap),
                    round(cap - score, 4),
                    f"{qc} and {nc} are different characters with the same sound (another name, "
                    "or a traditional / simplified form: needs review)",
                )
            )
            score = cap
    if q.crossed or n.crossed:
        feats.append(
            Feature(
                "script_crossing",
                1.0,
                0.0,
                0.0,
                "compared through transliteration (pinyin / anyascii)",
            )
        )
    return PairScore(round(max(0.0, min(1.0, score)), 4), tuple(feats), via)


_LEGAL: list[tuple[Any, frozenset[str]]] = []


def _legal_words(r: Any) -> frozenset[str]:
    """Legal-form words (discount at most 0.1) of these rules, computed once per rules object."""
    if not _LEGAL or _LEGAL[0][0] is not r:
        _LEGAL[:] = [(r, frozenset(t for t, d in r.discount.items() if d <= 0.1))]
    return _LEGAL[0][1]


def _org_structure(
    q: NameForm, n: NameForm, cq: list[float], cn: list[float], base: float, feats: list[Feature]
) -> float:
    """Distinguishing words of organisation names: conflicts, qualifiers, descriptors added."""
    r = rules()
    on = r.org_name
    legal = _legal_words(r)

    def cls(t: str) -> str:
        if t in legal:
            return "legal"
        if any(c.isdigit() for c in t):
            return "number"
        if t in r.locations:
            return "location"
        if t in r.institutions:
            return "institution"
        if t in r.descriptors or t in r.discount:
            return "descriptor"
        return "distinctive"

    uq = [t for t, c in zip(q.toks, cq, strict=True) if c == 0 and cls(t) != "legal"]
    un = [t for t, c in zip(n.toks, cn, strict=True) if c == 0 and cls(t) != "legal"]
    shared = [t for t, c in zip(q.toks, cq, strict=True) if c > 0]
    shared_dist = [t for t in shared if cls(t) in {"distinctive", "number"}]
    nq = [t for t in uq if cls(t) == "number"]
    nn = [t for t in un if cls(t) == "number"]
    if nq and nn:
        pen = on["number_conflict_penalty"]
        feats.append(
            Feature(
                "number_conflict",
                1.0,
                -pen,
                -pen,
                f"different numbers: {' '.join(nq)} vs {' '.join(nn)}",
            )
        )
        return base - pen
    if uq and un:
        if shared_dist and all(cls(t) not in {"distinctive", "location"} for t in uq + un):
            return base  # the same distinctive name with different descriptors
        pen = on["conflict_penalty"]
        feats.append(
            Feature(
                "distinguishing_conflict",
                1.0,
                -pen,
                -pen,
                f"conflicting words: {' '.join(uq)} vs {' '.join(un)}",
            )
        )
        return base - pen
    extra = uq or un
    if not extra:
        return base
    if not shared_dist and sum(1 for t in shared if cls(t) == "descriptor") < 2:
        pen = on["qualifier_penalty"]
        feats.append(
            Feature(
                "distinguishing_conflict",
                1.0,
                -pen,
                -pen,
                f"'{' '.join(extra)}' distinguishes names that otherwise share only place and "
                "institution words",
            )
        )
        return base - pen
    exact_dist = [t for t, c in zip(q.toks, cq, strict=True) if c >= 1.0 and t in shared_dist]
    if exact_dist and all(cls(t) in {"descriptor", "location", "institution"} for t in extra):
        short = q.toks if uq == [] else n.toks
        qt = q.text.strip()
        if (
            un
            and looks_like_acronym(qt)
            and len(q.toks) == 1
            and n.toks
            and n.toks[0] == q.toks[0]
            and len(extra) >= 1
        ):
            cap = on["acronym_word_cap"]
            feats.append(
                Feature(
                    "acronym_word",
                    1.0,
                    -(base - cap),
                    round(min(0.0, cap - base), 4),
                    f"'{qt}' in capitals is an acronym, not the first word of '{n.text}'",
                )
            )
            return min(base, cap)
        core = on["core_score"]
        if base < core and short:
            feats.append(
                Feature(
                    "core_name",
                    1.0,
                    core,
                    round(core - base, 4),
                    f"the distinctive name '{' '.join(shared_dist)}' with only descriptors "
                    f"added ({' '.join(extra)})",
                )
            )
            return core
    return base


def _country(
    score: float, feats: list[Feature], schema: str, cq: str | None, cn: Sequence[str]
) -> float:
    r = rules()
    if schema == "person" or not cq or not cn:
        return score
    if any(countries_equivalent(cq, c) for c in cn):
        feats.append(
            Feature(
                "country",
                1.0,
                r.country_agree,
                r.country_agree,
                f"{cq} agrees with list ({', '.join(cn)})",
            )
        )
        return score + r.country_agree
    feats.append(
        Feature(
            "country",
            0.0,
            -r.country_disagree,
            -r.country_disagree,
            f"{cq} differs from list ({', '.join(cn)})",
        )
    )
    return score - r.country_disagree


def acronym_score(
    explicit: bool, country_q: str | None, countries_n: Sequence[str], schema: str
) -> PairScore:
    r = rules()
    s = r.special["acronym_explicit" if explicit else "acronym_derived"]
    feats = [
        Feature(
            "acronym",
            1.0,
            s,
            s,
            "acronym given by the list" if explicit else "initials of the listed name",
        )
    ]
    s = _country(s, feats, schema, country_q, countries_n)
    if (
        not explicit
        and r.special.get("acronym_derived_drop_on_country_disagreement", 0)
        and feats[-1].name == "country"
        and feats[-1].contribution < 0
    ):
        # Initials shared with a listed entity of another country are coincidence, not evidence
        # ("MIT" is also Mujahidin Indonesia Timur): drop the candidate.
        feats.append(
            Feature(
                "acronym_country_conflict", 1.0, -s, -s, "initials only, and the countries differ"
            )
        )
        s = 0.0
    return PairScore(round(max(0.0, min(1.0, s)), 4), tuple(feats), "acronym")


# ---- the in-memory index ---------------------------------------------------------------------


def _deletes(t: str) -> list[str]:
    return [t[:i] + t[i + 1 :] for i in range(len(t))]


def _h64(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


class DeleteIndex:
    """One-deletion neighbourhood: deletion key -> the index tokens (5+ letters) that produce it.

    Held as three flat arrays (sorted 64-bit key hashes, offsets, token ids) so that it loads
    from the persisted matcher tables without building 200k+ dictionary entries.  A hash
    collision is filtered by checking the deletion itself, so :meth:`get` returns exactly what a
    ``dict[key, list[token]]`` built in token order would (same tokens, order and repeats).
    """

    __slots__ = ("_small", "ids", "keys", "starts", "tokens")

    # up to this many tokens (a small index, such as the formerly-listed entries), the
    # neighbourhood is also held as a plain dict on first use: no hashing per lookup
    SMALL = 5000

    def __init__(self, keys: array[int], starts: array[int], ids: array[int], tokens: list[str]):
        self.keys = keys
        self.starts = starts
        self.ids = ids
        self.tokens = tokens
        self._small: dict[str, list[str]] | None = None

    @classmethod
    def build(cls, toks: Iterable[str]) -> DeleteIndex:
        tokens = [t for t in toks if len(t) >= 5]
        buckets: dict[int, list[int]] = {}
        for j, t in enumerate(tokens):
            for d in (t, *_deletes(t)):
                buckets.setdefault(_h64(d), []).append(j)
        keys = array("Q", sorted(buckets))
        starts = array("I", [0])
        ids = array("I")
        for k in keys:
            ids.extend(buckets[k])
            starts.append(len(ids))
        return cls(keys, starts, ids, tokens)

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, d: str) -> list[str]:
        if len(self.tokens) <= self.SMALL:
            small = self._small
            if small is None:
                # the same lists as below: each token in token order, once per way it gives d
                small = {}
                for u in self.tokens:
                    for x in (u, *_deletes(u)):
                        small.setdefault(x, []).append(u)
                self._small = small
            return list(small.get(d, ()))
        h = _h64(d)
        i = bisect_left(self.keys, h)
        if i == len(self.keys) or self.keys[i] != h:
            return []
        out: list[str] = []
        last = -1
        for j in self.ids[self.starts[i] : self.starts[i + 1]]:
            if j == last:
                continue
            last = j
            u = self.tokens[j]
            if len(u) == len(d):
                n = int(u == d)
            elif len(u) == len(d) + 1:
                n = sum(1 for x in _deletes(u) if x == d)
            else:
                n = 0
            out.extend([u] * n)
        return out


class PackedStrings(Sequence[str]):
    """Many strings as one UTF-8 blob plus offsets (one object to load instead of thousands)."""

    __slots__ = ("blob", "offsets")

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, items: Iterable[str]) -> PackedStrings:
        parts = [s.encode() for s in items]
        offsets = array("Q", [0])
        pos = 0
        for b in parts:
            pos += len(b)
            offsets.append(pos)
        return cls(b"".join(parts), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.blob[self.offsets[i] : self.offsets[i + 1]].decode()


class _DocFreq(Mapping[str, int]):
    """Document frequency of a token read off the postings (no separate table to load)."""

    __slots__ = ("_p",)

    def __init__(self, postings: StrMultiMap) -> None:
        self._p = postings

    def __getitem__(self, key: str) -> int:
        i = self._p._find(key)
        if i < 0:
            raise KeyError(key)
        return self._p.starts[i + 1] - self._p.starts[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._p.skeys)

    def __len__(self) -> int:
        return len(self._p.skeys)


class StrMultiMap(Mapping[str, Sequence[int]]):
    """A read-only ``str -> ints`` map held as sorted keys plus two flat arrays (loads fast)."""

    __slots__ = ("ids", "skeys", "starts")

    def __init__(self, skeys: list[str], starts: array[int], ids: array[int]) -> None:
        self.skeys = skeys
        self.starts = starts
        self.ids = ids

    @classmethod
    def of(cls, d: Mapping[str, Sequence[int]]) -> StrMultiMap:
        skeys = sorted(d)
        starts = array("I", [0])
        ids = array("i")
        for k in skeys:
            ids.extend(d[k])
            starts.append(len(ids))
        return cls(skeys, starts, ids)

    def _find(self, key: str) -> int:
        i = bisect_left(self.skeys, key)
        return i if i < len(self.skeys) and self.skeys[i] == key else -1

    def __getitem__(self, key: str) -> Sequence[int]:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self.ids[self.starts[i] : self.starts[i + 1]]

    @overload
    def get(self, key: str, /) -> Sequence[int] | None: ...
    @overload
    def get(self, key: str, default: Sequence[int], /) -> Sequence[int]: ...
    @overload
    def get(self, key: str, default: _T, /) -> Sequence[int] | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        """As ``Mapping.get``, without its ``KeyError`` round trip (blocking calls it a lot)."""
        i = self._find(key)
        return default if i < 0 else self.ids[self.starts[i] : self.starts[i + 1]]

    def span(self, key: str) -> tuple[int, int]:
        """Where *key*'s ids lie in :attr:`ids` (``(-1, -1)`` when absent), without copying."""
        i = self._find(key)
        return (-1, -1) if i < 0 else (self.starts[i], self.starts[i + 1])

    def count(self, key: str) -> int:
        """How many ids *key* maps to (0 when absent), without copying them."""
        i = self._find(key)
        return 0 if i < 0 else self.starts[i + 1] - self.starts[i]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.skeys)

    def __len__(self) -> int:
        return len(self.skeys)


_KINDS = (KIND_PRIMARY, KIND_ALIAS, KIND_NATIVE, KIND_PARENT)
_KIND_CODE = {k: i for i, k in enumerate(_KINDS)}


class LazyEntries(Sequence[ListEntry]):
    """List entries kept as JSON and decoded on first use (an index holds 25k+; a query needs few)."""

    __slots__ = ("_data", "_memo")

    def __init__(self, data: Sequence[str]) -> None:
        self._data = data
        self._memo: dict[int, ListEntry] = {}

    def __len__(self) -> int:
        return len(self._data)

    @overload
    def __getitem__(self, i: int) -> ListEntry: ...
    @overload
    def __getitem__(self, i: slice) -> list[ListEntry]: ...
    def __getitem__(self, i: int | slice) -> ListEntry | list[ListEntry]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._data)
        e = self._memo.get(i)
        if e is None:
            e = entry_from_json(self._data[i])
            self._memo[i] = e
        return e


class LazyNames(Sequence[NameRec]):
    """Prepared list names kept as flat columns and turned into :class:`NameRec` on first use."""

    __slots__ = ("_entry", "_kind", "_memo", "_pinyin", "_text", "_toks")

    def __init__(
        self,
        entry: array[int],
        kind: bytes,
        text: Sequence[str],
        toks: Sequence[str],
        pinyin: Sequence[str],
    ) -> None:
        self._entry = entry
        self._kind = kind
        self._text = text
        self._toks = toks
        self._pinyin = pinyin
        self._memo: dict[int, NameRec] = {}

    def __len__(self) -> int:
        return len(self._text)

    def entry_of(self, i: int) -> int:
        """The entry a name belongs to (without preparing the name)."""
        return self._entry[i]

    @overload
    def __getitem__(self, i: int) -> NameRec: ...
    @overload
    def __getitem__(self, i: slice) -> list[NameRec]: ...
    def __getitem__(self, i: int | slice) -> NameRec | list[NameRec]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._text)
        r = self._memo.get(i)
        if r is None:
            text = self._text[i]
            tt = tuple(self._toks[i].split())
            r = NameRec(
                self._entry[i],
                _KINDS[self._kind[i]],
                NameForm(
                    text,
                    tt,
                    " ".join(sorted(tt)),
                    "".join(tt),
                    self._pinyin[i],
                    frozenset(phonetic(t) for t in tt),
                    not text.isascii(),
                ),
            )
            self._memo[i] = r
        return r


@dataclass(slots=True)
class Candidate:
    entry: int
    score: PairScore
    name: str
    kind: str


def _packed(items: Iterable[str]) -> tuple[bytes, array[int]]:
    p = PackedStrings.of(items)
    return (p.blob, p.offsets)


def _smm(m: Mapping[str, Sequence[int]]) -> tuple[list[str], array[int], array[int]]:
    s = m if isinstance(m, StrMultiMap) else StrMultiMap.of(m)
    return (s.skeys, s.starts, s.ids)


_SCHEMA_CODE = {"person": 112, "org": 111, "unknown": 117}  # p, o, u (other: x)
_SCHEMA_NAME = {v: k for k, v in _SCHEMA_CODE.items()}
_PERSON, _UNKNOWN = _SCHEMA_CODE["person"], _SCHEMA_CODE["unknown"]
TABLES_FORMAT = 3  # bump when the layout of Matcher.tables() changes


@dataclass
class Matcher:
    """Blocking structures over prepared list names; built once, queried many times.

    :meth:`tables` gives the structures as plain data (flat columns, dicts, arrays) that
    :meth:`from_tables` turns back into an equal matcher quickly; the store persists them next
    to the SQLite index so that opening the index does not rebuild them.
    """

    entries: Sequence[ListEntry]
    names: Sequence[NameRec]
    weights: Weights
    postings: Mapping[str, Sequence[int]] = field(default_factory=dict)
    deletes: DeleteIndex = field(
        default_factory=lambda: DeleteIndex(array("Q"), array("I", [0]), array("I"), [])
    )
    phon_tokens: dict[str, list[str]] = field(default_factory=dict)
    by_compact: Mapping[str, Sequence[int]] = field(default_factory=dict)
    by_pinyin: dict[str, list[int]] = field(default_factory=dict)
    acr_explicit: dict[str, list[int]] = field(default_factory=dict)
    acr_derived: dict[str, list[int]] = field(default_factory=dict)
    entry_schema: bytes = b""  # per entry: p(erson), o(rg), u(nknown), x (other)
    max_block_df: int = 3000
    top_k: int = 20
    pool_max: int = 200  # issue 8: names tied with the top_k-th are kept too, up to this many
    name_schema: bytes = b""  # per name: its entry's schema code (filled in by __post_init__)

    def __post_init__(self) -> None:
        es = self.entry_schema
        if not self.name_schema and es and len(es) == len(self.entries):
            names = self.names
            if isinstance(names, LazyNames):
                self.name_schema = bytes([es[e] for e in names._entry])
            else:
                self.name_schema = bytes([es[r.entry] for r in names])

    @classmethod
    @without_gc
    def build(
        cls,
        entries: Sequence[ListEntry],
        names: Sequence[NameRec] | None = None,
        derived: dict[str, list[int]] | None = None,
        *,
        weights: Weights | None = None,
    ) -> Matcher:
        """Build from entries (names prepared here unless given).  *weights*: token weights to
        use instead of this matcher's own (the formerly-listed matcher scores with the current
        index's weights, so its scores mean the same)."""
        if names is None:
            names, derived = make_names(entries)
        df: dict[str, int] = {}
        for rec in names:
            for t in rec.form.toks:
                df[t] = df.get(t, 0) + 1
        m = cls(list(entries), list(names), weights or Weights(df, len(names)))
        postings: dict[str, list[int]] = {}
        by_compact: dict[str, list[int]] = {}
        for i, rec in enumerate(m.names):
            for t in rec.form.toks:
                postings.setdefault(t, []).append(i)
            if len(rec.form.compact) >= 6:
                by_compact.setdefault(rec.form.compact, []).append(i)
            if rec.form.pinyin:
                m.by_pinyin.setdefault(rec.form.pinyin, []).append(i)
        m.postings = StrMultiMap.of(postings)
        m.by_compact = StrMultiMap.of(by_compact)
        m.deletes = DeleteIndex.build(df)
        for t in df:
            if len(t) >= 4:
                m.phon_tokens.setdefault(phonetic(t), []).append(t)
        for ei, e in enumerate(m.entries):
            for a in e.acronyms:
                k = acronym_key(a)
                if k:
                    m.acr_explicit.setdefault(k, []).append(ei)
        m.acr_derived = derived or {}
        m.entry_schema = bytes(_SCHEMA_CODE.get(e.schema, 120) for e in m.entries)
        m.name_schema = b""
        m.__post_init__()
        return m

    def tables(self) -> dict[str, Any]:
        """The matcher as plain data for persisting (see :meth:`from_tables`)."""
        names = self.names
        d = self.deletes
        return {
            "format": TABLES_FORMAT,
            "entries": _packed(entry_to_json(e) for e in self.entries),
            "name_entry": array("i", [r.entry for r in names]),
            "name_kind": bytes(_KIND_CODE[r.kind] for r in names),
            "name_text": _packed(r.form.text for r in names),
            "name_toks": _packed(" ".join(r.form.toks) for r in names),
            "name_pinyin": _packed(r.form.pinyin for r in names),
            "postings": _smm(self.postings),
            "deletes": (d.keys, d.starts, d.ids, d.tokens),
            "phon_tokens": self.phon_tokens,
            "by_compact": _smm(self.by_compact),
            "by_pinyin": self.by_pinyin,
            "acr_explicit": self.acr_explicit,
            "acr_derived": self.acr_derived,
            "entry_schema": self.entry_schema,
        }

    @classmethod
    def from_tables(cls, t: dict[str, Any], *, weights: Weights | None = None) -> Matcher:
        if t.get("format") != TABLES_FORMAT:
            raise ValueError(f"matcher tables format {t.get('format')!r} != {TABLES_FORMAT}")
        names = LazyNames(
            t["name_entry"],
            t["name_kind"],
            PackedStrings(*t["name_text"]),
            PackedStrings(*t["name_toks"]),
            PackedStrings(*t["name_pinyin"]),
        )
        postings = StrMultiMap(*t["postings"])
        if weights is None:
            weights = Weights(_DocFreq(postings), len(names))
        keys, starts, ids, tokens = t["deletes"]
        return cls(
            LazyEntries(PackedStrings(*t["entries"])),
            names,
            weights,
            postings=postings,
            deletes=DeleteIndex(keys, starts, ids, tokens),
            phon_tokens=t["phon_tokens"],
            by_compact=StrMultiMap(*t["by_compact"]),
            by_pinyin=t["by_pinyin"],
            acr_explicit=t["acr_explicit"],
            acr_derived=t["acr_derived"],
            entry_schema=t["entry_schema"],
        )

    # -- querying --

    def _schema_of(self, ei: int) -> str:
        if ei < len(self.entry_schema):
            return _SCHEMA_NAME.get(self.entry_schema[ei], "other")
        return self.entries[ei].schema

    def _variants(self, t: str, known: bool | None = None) -> list[tuple[str, float]]:
        """*t* and, for a token not in the index, its typo and sound-alike index tokens.
        *known*: whether *t* is in the index, when the caller has looked it up already."""
        out: dict[str, float] = {t: 1.0}
        if known if known is not None else t in self.postings:
            return [(t, 1.0)]  # known token: typo neighbours are only sought for unknown ones
        if len(t) >= 5:
            for d in (t, *_deletes(t)):
                for u in self.deletes.get(d):
                    out.setdefault(u, 0.8)
        if len(t) >= 4:
            for u in self.phon_tokens.get(phonetic(t), ()):
                out.setdefault(u, 0.7)
        return list(out.items())

    def candidates(self, q: NameForm, schema: str) -> list[int]:
        acc: dict[int, float] = {}
        toks = q.toks
        post_of = self.postings
        # each query token looked up once (the count, the typo search and the accumulation
        # below all need it); its postings are copied out only when they are used
        own = {t: post_of.span(t) for t in toks} if isinstance(post_of, StrMultiMap) else None

        def df(t: str) -> int:
            if own is None:
                return len(post_of.get(t, ()))
            a, b = own[t]
            return b - a

        rare = [t for t in toks if df(t) <= self.max_block_df and discount(t) >= 1.0]
        use = rare or list(toks)
        for t in use:
            w = self.weights(t)
            if own is None:
                mine = post_of.get(t)
            else:
                a, b = own[t]
                mine = None if a < 0 else post_of.ids[a:b]  # type: ignore[attr-defined]
            for u, f in self._variants(t, mine is not None):
                post = mine if u == t else post_of.get(u)
                if not post or (len(post) > self.max_block_df and u != t):
                    continue
                inc = w * f
                if not acc:
                    acc = dict.fromkeys(post, inc)  # = 0.0 + inc for each (a name once per token)
                    continue
                # acc[i] = acc.get(i, 0.0) + inc for each i of post (a name once per token),
                # with the loop in Python only over the names already counted: the same values,
                # and the new names added after the others in posting order, as that loop does
                add = dict.fromkeys(post, inc)
                summed = {i: acc[i] + inc for i in acc.keys() & add.keys()}
                acc.update(add)
                acc.update(summed)
        # When the top_k names all tie with the best (siblings sharing the query's one
        # distinctive word), every tied name is kept, up to pool_max: a fixed top 20 used to
        # drop the right entry among them.
        # = heapq.nlargest(top_k, acc, key=acc.__getitem__) (documented as this very sort),
        # sorted in C rather than with a Python loop over every counted name
        ids = sorted(acc, key=acc.__getitem__, reverse=True)[: self.top_k]
        if len(ids) == self.top_k and len(acc) > self.top_k and acc[ids[-1]] >= acc[ids[0]]:
            cut = acc[ids[0]]
            ids = [i for i, v in acc.items() if v >= cut][: self.pool_max]
        for i in self.by_compact.get(q.compact, ()):
            ids.append(i)
        if q.pinyin:
            ids.extend(self.by_pinyin.get(q.pinyin, ()))
        out: list[int] = []
        seen: set[int] = set()
        names = self.names
        ns = self.name_schema
        if len(ns) == len(names):  # the same filter, on the per-name schema codes
            person = schema == "person"
            for i in ids:
                if i in seen:
                    continue
                seen.add(i)
                c = ns[i]
                if (c != _PERSON and c != _UNKNOWN) if person else c == _PERSON:
                    continue
                out.append(i)
            return out
        for i in ids:
            if i in seen:
                continue
            seen.add(i)
            es = self._schema_of(
                names.entry_of(i) if isinstance(names, LazyNames) else names[i].entry
            )
            if schema == "person" and es not in {"person", "unknown"}:
                continue
            if schema != "person" and es == "person":
                continue
            out.append(i)
        return out

    def match(
        self,
        name: str,
        *,
        schema: str = "org",
        country: str | None = None,
        aliases: Iterable[str] = (),
        floor: float | None = None,
        prepared: dict[tuple[str, bool], NameForm] | None = None,
    ) -> list[Candidate]:
        """Best candidate per (entry, direct/parent), at or above *floor* (default: possible).

        *prepared*: the query forms already prepared for this same screen (one screen matches
        against current and formerly listed entries); filled in as the names are prepared."""
        r = rules()
        floor = r.possible if floor is None else floor
        best: dict[tuple[int, bool], Candidate] = {}
        queries: list[str] = []
        for text in (name, *[a for a in aliases if a and a.strip()]):
            main, inner = split_brackets(text)
            queries += [x for x in (main, *inner) if x not in queries]
        person = schema == "person"
        forms = {} if prepared is None else prepared
        for qtext in queries:
            qf = forms.get((qtext, person))
            if qf is None:
                qf = forms[(qtext, person)] = prepare(qtext, person=person)
            wq = [self.weights(t) for t in qf.toks]
            ids = self.candidates(qf, schema)
            names = self.names
            if isinstance(names, LazyNames):
                memo = names._memo.get  # prepared list names (per index), else prepare them
                recs = [memo(i) or names[i] for i in ids]
            else:
                recs = [names[i] for i in ids]
            ctx = _QueryPairs(qf.toks, (rec.form for rec in recs))
            # the bound depends on the list name's tokens, pinyin and compact form only: one
            # answer per distinct name among this query's candidates (one name is often on
            # several lists); kept for this query only
            reach: dict[tuple[tuple[str, ...], str, str], bool] = {}
            scored: dict[tuple[NameForm, tuple[str, ...]], PairScore] = {}
            for rec in recs:
                f = rec.form
                k = (f.toks, f.pinyin, f.compact)
                ok = reach.get(k)
                if ok is None:
                    ok = reach[k] = _may_reach(qf, f, schema, self.weights, floor, wq, ctx)
                if not ok:
                    continue
                e = self.entries[rec.entry]
                sk = (f, tuple(e.countries))  # the same name and countries on another list
                ps = scored.get(sk)
                if ps is None:
                    ps = scored[sk] = score_forms(
                        qf,
                        f,
                        schema=schema,
                        weights=self.weights,
                        country_q=country,
                        countries_n=e.countries,
                    )
                if ps.score < floor:
                    continue
                key = (rec.entry, rec.kind == KIND_PARENT)
                cur = best.get(key)
                if cur is None or ps.score > cur.score.score:
                    best[key] = Candidate(rec.entry, ps, rec.form.text, rec.kind)
            if schema != "person":
                # an alias's initials must not contradict the subject's own full name
                full = prepare(name) if qtext != name and not looks_like_acronym(name) else None
                self._acronyms(qtext, country, schema, floor, best, full)
        return sorted(best.values(), key=lambda c: (-c.score.score, self.entries[c.entry].key))

    def _acronyms(
        self,
        qtext: str,
        country: str | None,
        schema: str,
        floor: float,
        best: dict[tuple[int, bool], Candidate],
        full: NameForm | None = None,
    ) -> None:
        t = qtext.strip()
        if not (looks_like_acronym(t) or (len(t) <= 8 and " " not in t and t.isalnum())):
            return
        k = acronym_key(t)
        hits = [(ei, True) for ei in self.acr_explicit.get(k, ())]
        der = self.acr_derived.get(k, [])
        if looks_like_acronym(t) and 0 < len(der) <= int(
            rules().special["acronym_derived_max_entries"]
        ):
            hits += [(ei, False) for ei in der]
        for ei, explicit in hits:
            e = self.entries[ei]
            ps = acronym_score(explicit, country, e.countries, schema)
            if ps.score < floor:
                continue
            country_differs = any(f.name == "country" and f.contribution < 0 for f in ps.features)
            if full is not None and (not explicit or country_differs):
                # The subject's alias equals initials of (or, in another country, an acronym
                # given for) a listed name, but the subject's full name does not resemble the
                # listed name ("MIT" = Massachusetts Institute of Technology, not Mujahidin
                # Indonesia Timur): coincidence, not evidence.
                whole = score_forms(
                    full,
                    prepare(e.name),
                    schema=schema,
                    weights=self.weights,
                    country_q=country,
                    countries_n=e.countries,
                )
                if whole.score < floor:
                    continue
            cur = best.get((ei, False))
            if cur is None or ps.score > cur.score.score:
                best[(ei, False)] = Candidate(ei, ps, t, "acronym")

    def score_pair(
        self,
        a: str,
        b: str,
        *,
        schema: str = "org",
        country_a: str | None = None,
        country_b: str | None = None,
    ) -> PairScore:
        return score_pair(
            a, b, schema=schema, country_a=country_a, country_b=country_b, weights=self.weights
        )


def make_names(entries: Sequence[ListEntry]) -> tuple[list[NameRec], dict[str, list[int]]]:
    """Prepare every name form of every entry, and the derived-acronym table."""
    names: list[NameRec] = []
    derived: dict[str, list[int]] = {}
    for ei, e in enumerate(entries):
        seen: set[str] = set()

        def add(
            text: str,
            kind: str,
            ei: int = ei,
            seen: set[str] = seen,
            person: bool = e.schema == "person",
        ) -> None:
            t = text.strip()
            if not t or t in seen:
                return
            seen.add(t)
            f = prepare(t, person=person)
            if f.toks or f.pinyin:
                names.append(NameRec(ei, kind, f))

        add(e.name, KIND_PRIMARY)
        for a in e.aliases:
            add(a, KIND_ALIAS)
        for a in e.acronyms:
            if " " in a.strip():
                add(a, KIND_ALIAS)
        for nn in e.native_names:
            add(nn, KIND_NATIVE)
        if e.parents:  # (the entry's own forms are prepared only when there is a parent)
            own = {prepare(x).compact for x in (e.name, *e.aliases)}
            for p in e.parents:
                if prepare(p).compact not in own:
                    add(p, KIND_PARENT)
        if e.schema != "person":
            for text in (e.name, *e.aliases):
                for acr in derived_acronyms(text):
                    lst = derived.setdefault(acr, [])
                    if not lst or lst[-1] != ei:
                        lst.append(ei)
    return names, derived


def score_pair(
    a: str,
    b: str,
    *,
    schema: str = "org",
    country_a: str | None = None,
    country_b: str | None = None,
    weights: Weights | None = None,
) -> PairScore:
    """Score two names (no index needed): what the screening would say about this pair.

    Without *weights* every token weighs 1 times its organisation-word discount; a
    :class:`Matcher` passes index-based rare-token weights.
    """
    w = weights or Weights()
    person = schema == "person"
    a_main, a_in = split_brackets(a)
    b_main, b_in = split_brackets(b)
    best: PairScore | None = None
    for x in (a_main, *a_in):
        for y in (b_main, *b_in):
            if (
                not person
                and looks_like_acronym(x.strip())
                and acronym_key(x)
                in {acronym_key(z) for z in (*derived_acronyms(y), *(b_in if y == b_main else ()))}
            ):
                ps = acronym_score(
                    y != b_main or x.strip() in b_in,
                    country_a,
                    (country_b,) if country_b else (),
                    schema,
                )
            else:
                ps = score_forms(
                    prepare(x, person=person),
                    prepare(y, person=person),
                    schema=schema,
                    weights=w,
                    country_q=country_a,
                    countries_n=(country_b,) if country_b else (),
                )
            if best is None or ps.score > best.score:
                best = ps
    assert best is not None
    return best


_BRACKETS = re.compile(r"\s*[(\[（【]([^()\[\]（）【】]{1,80})[)\]）】]\s*")


def split_brackets(text: str) -> tuple[str, tuple[str, ...]]:
    """A name and the texts in its brackets, screened on their own:
    "Beijing Academy of AI (BAAI)" -> ("Beijing Academy of AI", ("BAAI",))."""
    inner = tuple(m.strip() for m in _BRACKETS.findall(text) if m.strip())
    if not inner:
        return text, ()
    main = " ".join(_BRACKETS.sub(" ", text).split())
    return (main or text), tuple(i for i in inner if i != main)
