"""Name normalisation: scripts, transliteration, tokens, acronyms, phonetic keys, countries.

Everything here is a pure function of the text and the packaged rule files; nothing looks at
who a person is.  Chinese characters are turned into English institutional words where the
glossary knows them and into toneless pinyin otherwise (pypinyin); other scripts go through
anyascii.  Heavy libraries are imported lazily.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f]+")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_APOS = re.compile(r"['\u2018\u2019\u02bc`´]")


@dataclass(frozen=True, slots=True)
class Rules:
    version: str
    hit: float
    possible: float
    weights: dict[str, dict[str, float]]
    special: dict[str, float]
    country_agree: float
    country_disagree: float
    country_equiv: frozenset[frozenset[str]]
    person_penalty: float
    fuzzy_min: float
    fuzzy_min_len: int
    fuzzy_floor: float
    stopwords: frozenset[str]
    discount: dict[str, float]
    token_syn: dict[str, str]
    pinyin_words: dict[str, tuple[str, ...]]
    phrase_syn: tuple[tuple[re.Pattern[str], str], ...]
    glossary: dict[str, str]
    glossary_max: int
    unit_heads: frozenset[str]
    parent_tails: frozenset[str]
    person_name: dict[str, float]
    compound_surnames: tuple[str, ...]
    org_name: dict[str, float]
    locations: frozenset[str]
    institutions: frozenset[str]
    descriptors: frozenset[str]


def _read_data(name: str) -> Any:
    import yaml

    text = resources.files("detente.screening").joinpath(f"data/{name}").read_text("utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def rules() -> Rules:
    raw = _read_data("match_rules.yaml")
    discount: dict[str, float] = {}
    for factor, words in raw["discounted_words"].items():
        for w in words:
            discount[str(w)] = float(factor)
    phrases = tuple(
        (re.compile(r"\b" + re.escape(str(k)) + r"\b"), str(v))
        for k, v in sorted(raw["phrase_synonyms"].items(), key=lambda kv: -len(str(kv[0])))
    )
    gloss = {str(k): str(v) for k, v in raw["cjk_glossary"].items()}
    return Rules(
        version=str(raw["version"]),
        hit=float(raw["thresholds"]["hit"]),
        possible=float(raw["thresholds"]["possible"]),
        weights={s: {k: float(v) for k, v in w.items()} for s, w in raw["features"].items()},
        special={k: float(v) for k, v in raw["special"].items()},
        country_agree=float(raw["country"]["agree_bonus"]),
        country_disagree=float(raw["country"]["disagree_penalty"]),
        country_equiv=frozenset(frozenset(p) for p in raw["country"]["equivalent"]),
        person_penalty=float(raw["person_unmatched_token_penalty"]),
        fuzzy_min=float(raw["fuzzy_token"]["min_similarity"]),
        fuzzy_min_len=int(raw["fuzzy_token"]["min_len"]),
        fuzzy_floor=float(raw["fuzzy_token"]["credit_floor"]),
        stopwords=frozenset(str(w) for w in raw["stopwords"]),
        discount=discount,
        token_syn={str(k): str(v) for k, v in raw["token_synonyms"].items()},
        pinyin_words={str(k): tuple(str(v).split()) for k, v in raw["pinyin_words"].items()},
        phrase_syn=phrases,
        glossary=gloss,
        glossary_max=max(len(k) for k in gloss),
        unit_heads=frozenset(str(w) for w in raw["unit_head_words"]),
        parent_tails=frozenset(str(w) for w in raw["parent_tail_words"]),
        person_name={
            k: float(v) for k, v in raw["person_name"].items() if k != "compound_surnames"
        },
        compound_surnames=tuple(str(x) for x in raw["person_name"]["compound_surnames"]),
        org_name={k: float(v) for k, v in raw["org_name"].items()},
        locations=frozenset(str(w) for w in raw["location_words"]),
        institutions=frozenset(str(w) for w in raw["institution_words"]),
        descriptors=frozenset(str(w) for w in raw["descriptor_words"]),
    )


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower()


def pinyin_key(text: str) -> str:
    """Toneless pinyin of the Chinese characters in *text*, joined (simplified = traditional)."""
    chars = "".join(_CJK_CHAR.findall(unicodedata.normalize("NFKC", text)))
    return _pinyin(chars) if chars else ""


def _cjk_words(run: str) -> list[str]:
    """Glossary words (longest match first) and pinyin for the rest of a run of CJK characters."""
    r = rules()
    out: list[str] = []
    pending: list[str] = []
    i = 0
    while i < len(run):
        hit = None
        for n in range(min(r.glossary_max, len(run) - i), 0, -1):
            piece = run[i : i + n]
            if piece in r.glossary:
                hit = piece
                break
        if hit is None:
            pending.append(run[i])
            i += 1
            continue
        if pending:
            out.append(_pinyin("".join(pending)))
            pending = []
        out.extend(r.glossary[hit].split())
        i += len(hit)
    if pending:
        out.append(_pinyin("".join(pending)))
    return out


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    from anyascii import anyascii

    return str(anyascii(text))


@lru_cache(maxsize=200_000)
def raw_tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens before synonyms and stopwords (CJK -> glossary/pinyin)."""
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    pos = 0
    for m in _CJK.finditer(text):
        parts.append(_ascii(text[pos : m.start()]))
        parts.append(" " + " ".join(_cjk_words(m.group())) + " ")
        pos = m.end()
    parts.append(_ascii(text[pos:]))
    s = "".join(parts).lower().replace("&", " and ")
    s = _APOS.sub("", s)
    s = _NON_ALNUM.sub(" ", s).strip()
    return tuple(s.split()) if s else ()


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Normalised tokens: synonyms folded, stopwords dropped (order kept)."""
    r = rules()
    s = " ".join(_legal_spelling(t) for t in raw_tokens(text))
    for pat, rep in r.phrase_syn:
        if pat.search(s):
            s = pat.sub(rep, s)
    s = _org_types(s)
    out: list[str] = []
    for t in s.split():
        for u in r.pinyin_words.get(t, (t,)):
            u = r.token_syn.get(u, u)
            if u in r.stopwords or not u:
                continue
            out.append(u)
    return tuple(out)


_LEGAL_WORDS = ("limited", "liability", "company", "corporation", "incorporated", "llc", "stock")


@lru_cache(maxsize=1)
def _legal_by_key() -> dict[str, str]:
    return {phonetic(w): w for w in _LEGAL_WORDS}


@lru_cache(maxsize=100_000)
def _legal_spelling(t: str) -> str:
    """A transliterated spelling of a legal-form word folded to it ("kompani" -> company,
    "liabiliti" -> liability, "llk" -> llc): same phonetic key, close spelling."""
    if t in _LEGAL_WORDS or len(t) < 3 or not t.isalpha():
        return t
    w = _legal_by_key().get(phonetic(t))
    if w is None or w[0] != t[0].replace("k", "c"):
        return t
    from rapidfuzz.distance import JaroWinkler

    limit = 0.6 if len(t) <= 3 else 0.8
    return w if JaroWinkler.similarity(t.replace("k", "c"), w) >= limit else t


def _org_types(s: str) -> str:
    """Legal forms in any language folded to one comparable form (rigour's org-type table:
    "aktiengesellschaft" -> "ag", "obshchestvo s ogranichennoy otvetstvennostyu" -> "ooo")."""
    if not s:
        return s
    from rigour.names import replace_org_types_compare

    return str(replace_org_types_compare(s))


@lru_cache(maxsize=200_000)
def person_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a person's name; a name in Chinese characters becomes (surname, given name)
    in toneless pinyin ("张伟" -> zhang wei, "欧阳明华" -> ouyang minghua)."""
    t = "".join(text.split())
    if has_cjk(t) and len(t) <= 5 and all(_CJK_CHAR.match(c) or c in "·・." for c in t):
        t = t.replace("·", "").replace("・", "").replace(".", "")
        n = next((len(c) for c in rules().compound_surnames if t.startswith(c)), 1)
        if len(t) > n:
            return (_pinyin(t[:n]), _pinyin(t[n:]))
    return tokens(text)


def is_cjk_name(text: str) -> bool:
    t = "".join(text.split())
    return bool(t) and all(_CJK_CHAR.match(c) for c in t)


def discount(token: str) -> float:
    return rules().discount.get(token, 1.0)


def core(toks: tuple[str, ...]) -> tuple[str, ...]:
    """Distinctive tokens (organisation-type words and legal forms removed); all if none left."""
    d = rules().discount
    c = tuple(t for t in toks if t not in d)
    return c or toks


_LEGAL = frozenset(
    [
        "company",
        "limited",
        "corporation",
        "incorporated",
        "llc",
        "plc",
        "gmbh",
        "jsc",
        "ojsc",
        "pjsc",
        "cjsc",
        "ooo",
        "oao",
        "zao",
        "co",
        "ltd",
        "inc",
        "corp",
        "group",
        "holding",
        "holdings",
    ]
)


def derived_acronyms(text: str) -> tuple[str, ...]:
    """Initials of a name's words (stopwords skipped), with and without trailing legal forms."""
    r = rules()
    if has_cjk(text):
        return ()
    words = [w for w in raw_tokens(text) if w not in r.stopwords]
    if len(words) < 2:
        return ()
    out = {"".join(w[0] for w in words)}
    trimmed = list(words)
    while trimmed and trimmed[-1] in _LEGAL:
        trimmed.pop()
    if len(trimmed) >= 2:
        out.add("".join(w[0] for w in trimmed))
    return tuple(sorted(a for a in out if 3 <= len(a) <= 10))


_ACRO = re.compile(r"^[A-Z][A-Z0-9\-&]{1,11}$")


def looks_like_acronym(text: str) -> bool:
    """A single upper-case token such as NUDT, BUAA, IRGC-IO, CAS."""
    t = text.strip()
    return bool(_ACRO.match(t)) and any(c.isalpha() for c in t)


def acronym_key(text: str) -> str:
    return "".join(raw_tokens(text))


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """Phonetic key of a token (Metaphone; digits kept as they are)."""
    if token.isdigit() or len(token) < 3:
        return token
    import jellyfish

    return str(jellyfish.metaphone(token)) or token


def compact(toks: tuple[str, ...]) -> str:
    return "".join(toks)


# ---- countries -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_table() -> tuple[dict[str, str], frozenset[str]]:
    raw = _read_data("countries.yaml")
    by_name: dict[str, str] = {}
    codes: set[str] = set()
    for code, names in raw.items():
        codes.add(str(code))
        for n in list(names.get("en") or []) + list(names.get("ko") or []):
            by_name[_ckey(str(n))] = str(code)
    return by_name, frozenset(codes)


def _ckey(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).casefold().strip().rstrip(".")
    return re.sub(r"\s+", " ", s)


def country_code(value: str | None) -> str | None:
    """ISO-2 code for a country name or code in English or Korean; None if unknown."""
    if not value:
        return None
    v = value.strip()
    by_name, codes = _country_table()
    if len(v) == 2 and v.upper() in codes:
        return v.upper()
    return by_name.get(_ckey(v))


def countries_equivalent(a: str, b: str) -> bool:
    if a == b:
        return True
    return frozenset((a, b)) in rules().country_equiv


# ---- structure of listed names ---------------------------------------------------------------

_SPLIT_SUB = re.compile(r"\s*(?:,|\s[\u2013\u2014\-]\s|\u2019s\s|'s\s)\s*")
_ORGISH = frozenset(
    [
        "university",
        "academy",
        "institute",
        "corporation",
        "group",
        "company",
        "ministry",
        "commission",
        "administration",
        "army",
        "college",
        "limited",
        "ltd",
        "inc",
    ]
)


def derive_parents(name: str) -> tuple[str, ...]:
    """Parent organisations implied by a listed unit's name.

    "Center for International Security and Strategy of Tsinghua University" -> Tsinghua University;
    "Harbin Institute of Technology, Shenzhen Research Institute" -> Harbin Institute of Technology;
    "Chinese Academy of Sciences – Institute of Computing Technology" -> Chinese Academy of Sciences.
    """
    r = rules()
    out: list[str] = []
    parts = _SPLIT_SUB.split(name, maxsplit=1)
    if len(parts) == 2:
        head, tail = parts[0].strip(), parts[1].strip()
        tail_words = raw_tokens(tail)
        head_words = set(raw_tokens(head))
        if (
            tail_words
            and (tail_words[0] in r.unit_heads or tail_words[-1] in r.unit_heads)
            and head_words & _ORGISH
            and not re.search(r"[\[\]()]|\baka\b|a\.k\.a|alias", head, flags=re.IGNORECASE)
        ):
            out.append(head)
    tails = r.parent_tails | {"university", "academy"}
    splits = list(re.finditer(r"\s+(?:of|at)\s+(?:the\s+)?", name, flags=re.IGNORECASE))
    for m in reversed(splits):
        xw = raw_tokens(name[: m.start()])
        ytext = name[m.end() :]
        if re.search(r"[,;\[\]()]|\baka\b|a\.k\.a|alias", ytext, flags=re.IGNORECASE):
            continue
        yw = raw_tokens(ytext)
        if (
            len(xw) >= 2
            and set(xw) & r.unit_heads
            and len(yw) >= 2
            and (yw[-1] in tails or {"university", "academy", "corporation"} & set(yw))
        ):
            out.append(name[m.end() :].strip())
            break
    return tuple(dict.fromkeys(out))
