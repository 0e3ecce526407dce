"""Apply the AI-safety definition and the area tags to the works in a store.

Writes ``work_tags(work_key, is_safety, score, method)`` for every work and
``work_areas(work_key, area, score)`` for the safety works.  The keyword path is plain
SQL (the same expressions :mod:`.spark_job` uses); the classifier path scores the text in
batches with the trained model.  Results are cached: a fingerprint of the definition and
the model is stored in ``meta`` and tagging re-runs only when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
from pydantic import BaseModel

from detente.errors import InputError
from detente.landscape.classifier import NOT_TRAINED, Classifier
from detente.landscape.store import LandscapeStore
from detente.landscape.taxonomy import ALL_AREAS, AREA_REGEX, SafetyDefinition

TEXT_SQL = (
    "coalesce(title, '') || ' ' || coalesce(abstract, '') || ' ' || "
    "coalesce(array_to_string(keywords, ' '), '')"
)


class TagReport(BaseModel):
    method: str
    works: int
    safety_works: int
    area_rows: int
    notice: str | None = None


def _sql_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + i.lower().replace("'", "''") + "'" for i in items) + "]"


def topic_match_sql(d: SafetyDefinition) -> str:
    if not d.use_topics or not (d.topics or d.concepts):
        return "FALSE"
    return (
        f"(list_has_any(list_transform(coalesce(topics, []), x -> lower(x)), {_sql_list(d.topics)}) OR "
        f"list_has_any(list_transform(coalesce(concepts, []), x -> lower(x)), {_sql_list(d.concepts)}))"
    )


def keyword_area_sql(area: str) -> str:
    """An area holds when its lexicon matches the title or twice anywhere in the text."""
    p = AREA_REGEX[area].replace("'", "''")
    return (
        f"(regexp_matches(coalesce(title, ''), '{p}') OR "
        f"len(regexp_extract_all({TEXT_SQL}, '{p}')) >= 2)"
    )


def resolve_method(d: SafetyDefinition, clf: Classifier | None) -> tuple[str, str | None]:
    if d.method == "auto":
        return ("classifier", None) if clf is not None else ("keyword", NOT_TRAINED)
    if d.method == "classifier" and clf is None:
        return "keyword", NOT_TRAINED
    return d.method, None


def fingerprint(d: SafetyDefinition, method: str, clf: Classifier | None) -> str:
    model = (
        str(clf.bundle.get("trained_at")) if (clf is not None and method == "classifier") else "-"
    )
    # The resolved method, not the requested one: `auto` that resolves to the classifier tags
    # exactly as `classifier` does, so switching between them (figure after sensitivity)
    # must not re-score every work.
    return f"{d.model_copy(update={'method': method}).fingerprint()}:{method}:{model}"


def tag_store(
    store: LandscapeStore,
    definition: SafetyDefinition | None = None,
    *,
    classifier: Classifier | None = None,
    load_classifier: bool = True,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TagReport:
    d = definition or SafetyDefinition()
    clf = classifier
    if clf is None and load_classifier and d.method in ("auto", "classifier"):
        clf = Classifier.load()
    method, notice = resolve_method(d, clf)
    fp = fingerprint(d, method, clf)
    con = store.con
    if not force and store.get_meta("tags_fingerprint") == fp:
        return _report(store, method, notice)

    if method == "keyword":  # before the old tags are deleted: the cache must stay whole
        try:
            con.execute("SELECT regexp_matches('', ?)", [d.keyword_regex])
        except duckdb.InvalidInputException as exc:  # a pattern Python accepts, RE2 does not
            raise InputError(
                f"keyword_regex cannot be used by DuckDB's RE2 engine ({exc}); write it in the "
                "common subset of RE2, Java and Python regular expressions (no look-arounds "
                "or back-references)"
            ) from exc
    con.execute("DELETE FROM work_tags")
    con.execute("DELETE FROM work_areas")
    topic = topic_match_sql(d)
    if method in ("keyword", "topics", "all"):
        if method == "all":
            cond = "TRUE"
        elif method == "topics":
            cond = topic
        else:
            kw = d.keyword_regex.replace("'", "''")
            cond = f"(regexp_matches({TEXT_SQL}, '{kw}') OR {topic})"
        con.execute(f"INSERT INTO work_tags SELECT work_key, {cond}, NULL, '{method}' FROM works")
        for area in ALL_AREAS:
            con.execute(
                f"INSERT INTO work_areas SELECT w.work_key, '{area}', 1.0 FROM works w "
                f"JOIN work_tags t ON t.work_key = w.work_key WHERE t.is_safety AND {keyword_area_sql(area)}"
            )
    else:
        assert clf is not None
        _classify(store, d, clf, topic, progress)
    store.set_meta("tags_fingerprint", fp)
    return _report(store, method, notice)


def _classify(
    store: LandscapeStore,
    d: SafetyDefinition,
    clf: Classifier,
    topic: str,
    progress: Callable[[int], None] | None,
) -> None:
    import pyarrow as pa

    reader = store.con.cursor()
    rel = reader.execute(f"SELECT work_key, {TEXT_SQL} AS txt, {topic} AS topic FROM works")
    tags: list[pa.Table] = []
    areas: list[pa.Table] = []
    while True:
        batch = rel.fetchmany(20_000)
        if not batch:
            break
        keys = [str(r[0]) for r in batch]
        texts = [str(r[1]) for r in batch]
        scores = clf.safety_scores(texts)
        thr = clf.threshold if d.threshold is None else d.threshold
        is_safety = [s >= thr or bool(r[2]) for s, r in zip(scores, batch, strict=True)]
        tags.append(
            pa.table(
                {
                    "work_key": keys,
                    "is_safety": is_safety,
                    "score": scores,
                    "method": ["classifier"] * len(keys),
                }
            )
        )
        idx = [i for i, s in enumerate(is_safety) if s]
        if idx:
            a_scores = clf.area_scores([texts[i] for i in idx])
            ak: list[str] = []
            aa: list[str] = []
            av: list[float] = []
            for area, vals in a_scores.items():
                for i, v in zip(idx, vals, strict=True):
                    if v >= clf.area_threshold:
                        ak.append(keys[i])
                        aa.append(area)
                        av.append(v)
            areas.append(pa.table({"work_key": ak, "area": aa, "score": av}))
        if progress is not None:
            progress(len(batch))
    reader.close()
    for t in tags:
        store.append_arrow({"work_tags": t})
    for t in areas:
        store.append_arrow({"work_areas": t})


def _report(store: LandscapeStore, method: str, notice: str | None) -> TagReport:
    row: Any = store.con.execute(
        "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM work_tags WHERE is_safety), "
        "(SELECT count(*) FROM work_areas)"
    ).fetchone()
    return TagReport(
        method=method,
        works=int(row[0]),
        safety_works=int(row[1]),
        area_rows=int(row[2]),
        notice=notice,
    )
