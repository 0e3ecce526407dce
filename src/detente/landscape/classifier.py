"""The "is it AI safety?" and "which area?" text classifier (TF-IDF + logistic regression).

Training data cannot ship with Détente (licences), so the model is trained locally from
the shared corpora (``detente landscape classifier train``) and saved to
``$DETENTE_HOME/landscape/classifier.joblib``.  Nothing here touches the network.

* **Safety model**: positives = the AI-safety corpus (Gyevnár & Kasirzadeh, 1,335
  abstracts); negatives = a seeded random sample of general AI papers (paperlists AI
  venues).  Some negatives are in fact safety papers (adversarial robustness at NeurIPS),
  so measured precision is a lower bound.
* **Area models** (one-vs-rest): interpretability, robustness, alignment, governance and
  verification use the human categories of the Alignment Newsletter (mapping in
  :data:`~detente.landscape.taxonomy.NEWSLETTER_CATEGORY_MAP`); protocols,
  infrastructure and evaluations have no human category and are trained on keyword weak
  labels (:data:`~detente.landscape.taxonomy.AREA_TERMS`) over the safety corpus and the
  newsletter; the safety corpus adds keyword weak labels for every area.
* **Evaluation**: stratified 80/20 split (seed 0); the saved model is the one trained on
  the 80 %, so the recorded figures describe it exactly.  Area figures are on held-out
  newsletter items with human labels only.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from detente.errors import NotFoundError, RecordFormatError
from detente.landscape.normalize import reconstruct_abstract
from detente.landscape.paths import model_path
from detente.landscape.taxonomy import (
    ALL_AREAS,
    AREA_REGEX,
    FRAMEWORK_AREAS,
    NEWSLETTER_CATEGORY_MAP,
    compiled,
)

MODEL_VERSION = 1
HUMAN_AREAS = ("verification", "interpretability", "robustness", "alignment", "governance")
WEAK_AREAS = tuple(a for a in ALL_AREAS if a not in HUMAN_AREAS)
NOT_TRAINED = "classifier not trained; using keyword definition"


class BinaryMetrics(BaseModel):
    label: str
    precision: float
    recall: float
    f1: float
    support: int
    test_size: int


class Evaluation(BaseModel):
    safety: BinaryMetrics
    ethics_flagged_as_safety: float | None = None
    areas: list[BinaryMetrics] = []
    weak_areas: list[BinaryMetrics] = []
    train_size: int = 0
    test_size: int = 0
    notes: list[str] = []


class AreaGuess(BaseModel):
    area: str
    score: float
    evidence: list[str]


@dataclass
class Corpus:
    texts: list[str]
    labels: list[int]


@dataclass
class AreaCorpus:
    texts: list[str]
    labels: dict[str, list[int]]
    human: list[bool]  # True for newsletter items (human labels available)


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _need(path: Path) -> Path:
    if not path.exists():
        raise NotFoundError(f"training file not found: {path}")
    return path


def _csl_texts(path: Path) -> list[str]:
    try:
        with gzip.open(_need(path), "rt", encoding="utf-8") as fh:
            items = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise RecordFormatError(f"{path}: cannot read CSL-JSON ({exc})") from exc
    out = []
    for it in items:
        text = f"{it.get('title') or ''}. {it.get('abstract') or ''}".strip()
        if len(text) > 20:
            out.append(text)
    return out


def _general_ai_texts(path: Path, n: int, seed: int) -> list[str]:
    texts: list[str] = []
    with gzip.open(_need(path), "rb") as fh:
        for line in fh:
            rec = json.loads(line)
            abstract = reconstruct_abstract(rec.get("abstract_inverted_index")) or ""
            texts.append(f"{rec.get('title') or ''}. {abstract}")
    rng = random.Random(seed)
    rng.shuffle(texts)
    return texts[:n]


def _newsletter(path: Path) -> list[tuple[str, str]]:
    with _need(path).open(encoding="utf-8", newline="") as fh:
        return [
            (f"{r.get('Title') or ''}. {r.get('Summary') or ''}", r.get("Category") or "")
            for r in csv.DictReader(fh)
        ]


def weak_label(area: str, text: str) -> int:
    """Keyword weak label: >=2 distinct lexicon terms, or one in the first sentence."""
    pat = compiled(AREA_REGEX[area])
    hits = {m.group(0).lower() for m in pat.finditer(text)}
    if len(hits) >= 2:
        return 1
    head = text.split(". ", 1)[0]
    return 1 if hits and pat.search(head) else 0


def sources(biblio: Path) -> dict[str, Path]:
    return {
        "safety": biblio / "ai_safety_ethics_corpora" / "all_safety.csl.json.gz",
        "ethics": biblio / "ai_safety_ethics_corpora" / "all_ethics.csl.json.gz",
        "general": biblio / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz",
        "newsletter": biblio / "alignment_newsletter_to2019" / "alignment_newsletter_to2019.csv",
    }


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.6,
        sublinear_tf=True,
        stop_words="english",
        max_features=60_000,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b",
    )


def _lr() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)


def _metrics(label: str, y_true: list[int], y_pred: list[int]) -> BinaryMetrics:
    tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t and p)
    fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return BinaryMetrics(
        label=label,
        precision=round(prec, 4),
        recall=round(rec, 4),
        f1=round(f1, 4),
        support=tp + fn,
        test_size=len(y_true),
    )


def train(
    biblio: Path,
    *,
    out: Path | None = None,
    negatives: int = 4000,
    seed: int = 0,
    threshold: float = 0.5,
    area_threshold: float = 0.35,
) -> tuple[Path, Evaluation]:
    """Train, evaluate on a held-out split, and save the model; returns (path, evaluation)."""
    import joblib
    from sklearn.model_selection import train_test_split

    src = sources(biblio)
    safety = _csl_texts(src["safety"])
    general = _general_ai_texts(src["general"], negatives, seed)
    news = _newsletter(src["newsletter"])

    texts = safety + general
    labels = [1] * len(safety) + [0] * len(general)
    x_tr, x_te, y_tr, y_te = train_test_split(
        texts, labels, test_size=0.2, random_state=seed, stratify=labels
    )

    # Area corpus: newsletter (human labels where mapped) + safety-corpus train texts (weak).
    news_tr, news_te = train_test_split(news, test_size=0.2, random_state=seed)
    safety_tr = [t for t, y in zip(x_tr, y_tr, strict=True) if y == 1]
    area_texts = [t for t, _ in news_tr] + safety_tr
    area_labels: dict[str, list[int]] = {}
    for area in ALL_AREAS:
        ys: list[int] = []
        for t, cat in news_tr:
            if area in HUMAN_AREAS:
                ys.append(1 if NEWSLETTER_CATEGORY_MAP.get(cat) == area else 0)
            else:
                ys.append(weak_label(area, t))
        ys += [weak_label(area, t) for t in safety_tr]
        area_labels[area] = ys

    vec = _vectorizer()
    vec.fit(x_tr + [t for t, _ in news_tr])
    safety_model = _lr().fit(vec.transform(x_tr), y_tr)
    xa = vec.transform(area_texts)
    area_models = {}
    for area, ys in area_labels.items():
        if len(set(ys)) < 2:
            continue
        area_models[area] = _lr().fit(xa, ys)

    # Evaluation.
    p_te = safety_model.predict_proba(vec.transform(x_te))[:, 1]
    ev = Evaluation(
        safety=_metrics("ai_safety", y_te, [int(p >= threshold) for p in p_te]),
        train_size=len(x_tr),
        test_size=len(x_te),
    )
    if src["ethics"].exists():
        ethics = _csl_texts(src["ethics"])
        pe = safety_model.predict_proba(vec.transform(ethics))[:, 1]
        ev.ethics_flagged_as_safety = round(float((pe >= threshold).mean()), 4)
    xt = vec.transform([t for t, _ in news_te])
    for area in ALL_AREAS:
        m = area_models.get(area)
        if m is None:
            continue
        pred = [int(p >= area_threshold) for p in m.predict_proba(xt)[:, 1]]
        if area in HUMAN_AREAS:
            truth = [1 if NEWSLETTER_CATEGORY_MAP.get(c) == area else 0 for _, c in news_te]
            ev.areas.append(_metrics(area, truth, pred))
        else:
            truth = [weak_label(area, t) for t, _ in news_te]
            ev.weak_areas.append(_metrics(area, truth, pred))
    ev.notes = [
        "safety: held-out 20% of safety corpus vs general AI-venue papers (seed 0)",
        "areas: held-out 20% of Alignment Newsletter items, human categories mapped to the taxonomy",
        "weak_areas: agreement with keyword weak labels only (no human labels exist); circular",
    ]
    bundle = {
        "version": MODEL_VERSION,
        "vectorizer": vec,
        "safety": safety_model,
        "areas": area_models,
        "threshold": threshold,
        "area_threshold": area_threshold,
        "evaluation": ev.model_dump(),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "provenance": {
            name: {"file": str(p), "sha256": _file_sha(p)} for name, p in src.items() if p.exists()
        },
        "params": {"negatives": negatives, "seed": seed},
    }
    dest = out or model_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    joblib.dump(bundle, tmp, compress=3)
    tmp.replace(dest)
    _load.cache_clear()
    return dest, ev


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Any] | None:
    import joblib

    try:
        bundle = joblib.load(path)
    except Exception:  # a corrupt or incompatible pickle: behave as if not trained
        return None
    if not isinstance(bundle, dict) or bundle.get("version") != MODEL_VERSION:
        return None
    return bundle


def load_model(path: Path | None = None) -> dict[str, Any] | None:
    """The trained bundle, or None when no (usable) model exists."""
    p = path or model_path()
    if not p.exists():
        return None
    return _load(str(p), p.stat().st_mtime)


def clear_cache() -> None:
    """Forget loaded models (after training, or in tests)."""
    _load.cache_clear()


class Classifier:
    """A loaded model with the operations the rest of Détente needs."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        self.vec = bundle["vectorizer"]
        self.safety = bundle["safety"]
        self.areas: dict[str, Any] = bundle["areas"]
        self.threshold = float(bundle["threshold"])
        self.area_threshold = float(bundle["area_threshold"])
        self._names = self.vec.get_feature_names_out()

    @classmethod
    def load(cls, path: Path | None = None) -> Classifier | None:
        bundle = load_model(path)
        return None if bundle is None else cls(bundle)

    def evaluation(self) -> Evaluation:
        return Evaluation.model_validate(self.bundle["evaluation"])

    def safety_scores(self, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(p) for p in self.safety.predict_proba(self.vec.transform(texts))[:, 1]]

    def area_scores(self, texts: list[str]) -> dict[str, list[float]]:
        if not texts:
            return {a: [] for a in self.areas}
        x = self.vec.transform(texts)
        return {a: [float(p) for p in m.predict_proba(x)[:, 1]] for a, m in self.areas.items()}

    def top_terms(self, which: str = "safety", n: int = 20) -> list[tuple[str, float]]:
        model = self.safety if which == "safety" else self.areas[which]
        coef = model.coef_[0]
        order = coef.argsort()[::-1][:n]
        return [(str(self._names[i]), round(float(coef[i]), 3)) for i in order]

    def evidence(self, text: str, area: str, n: int = 5) -> list[str]:
        """Terms of ``text`` that push hardest toward ``area`` (coef × tf-idf)."""
        x = self.vec.transform([text]).tocoo()
        coef = self.areas[area].coef_[0]
        contrib = sorted(
            (
                (float(v) * float(coef[j]), str(self._names[j]))
                for j, v in zip(x.col, x.data, strict=True)
            ),
            reverse=True,
        )
        return [t for c, t in contrib[:n] if c > 0]

    def infer_areas(self, text: str, areas: tuple[str, ...] = FRAMEWORK_AREAS) -> list[AreaGuess]:
        scores = self.area_scores([text])
        out = [
            AreaGuess(area=a, score=round(scores[a][0], 4), evidence=self.evidence(text, a))
            for a in areas
            if a in scores and scores[a][0] >= self.area_threshold
        ]
        return sorted(out, key=lambda g: -g.score)
