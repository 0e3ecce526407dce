"""Native ingest: DuckDB reads, normalises and inserts a JSON Lines file in SQL.

The fast path for the OpenAlex snapshot (``works/updated_date=…/part_*.gz``).  DuckDB's
``read_json`` parses each file with an explicit schema of only the fields used, the
normalisation of :mod:`.normalize` is written in SQL, and the four tables are filled with
``INSERT … SELECT`` -- no Python object per work.

It is only used when it gives *exactly* what :func:`.normalize.normalize_work` gives.  A
file goes to the Python path instead (``ingest_file`` returns None and nothing is kept)
when DuckDB cannot read it (bad JSON, an API page, a field of the wrong shape) or when any
record is outside the plain OpenAlex shape the SQL handles:

* an id that is not an OpenAlex ``W…`` id (other keys hash the whole record);
* a scalar field used that is neither a string nor null (Python's ``str()`` of numbers
  and its errors are not reproduced), a year that is not an integer in 1000–2999;
* an abstract index with a non-integer position or more than 200,000 tokens;
* a null authorship or institution, an institution with neither id nor ROR;
* a country value that is not two ASCII letters (Python strips and case-folds Unicode);
* the same work twice in one file (the Python batches keep the last one).

Scalars are read as DuckDB ``JSON`` so their JSON type can be checked (reading them as
``VARCHAR`` would silently turn numbers and objects into text).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from detente.landscape.normalize import _MAX_ABSTRACT_TOKENS
from detente.landscape.sources import is_gzip

if TYPE_CHECKING:
    import duckdb

_NAME = "STRUCT(display_name JSON, keyword JSON, id JSON)"
COLUMNS: dict[str, str] = {
    "id": "JSON",
    "title": "JSON",
    "display_name": "JSON",
    "publication_year": "JSON",
    "updated_date": "JSON",
    "abstract": "JSON",
    "type": "JSON",
    "language": "JSON",
    "primary_location": "STRUCT(source STRUCT(display_name JSON))",
    "primary_topic": _NAME,
    "topics": f"{_NAME}[]",
    "concepts": f"{_NAME}[]",
    "keywords": f"{_NAME}[]",
    "abstract_inverted_index": "MAP(VARCHAR, JSON[])",
    "authorships": (
        "STRUCT(countries VARCHAR[], raw_author_name JSON, "
        "author STRUCT(id JSON, display_name JSON), "
        "institutions STRUCT(id JSON, ror JSON, display_name JSON, country_code VARCHAR)[])[]"
    ),
}

MACROS = r"""
CREATE OR REPLACE TEMP MACRO _s(x) AS CASE WHEN json_type(x) = 'VARCHAR' THEN x->>'$' END;
CREATE OR REPLACE TEMP MACRO _bad(x) AS coalesce(json_type(x) NOT IN ('VARCHAR', 'NULL'), false);
CREATE OR REPLACE TEMP MACRO _name(t) AS CASE
  WHEN _s(t.display_name) <> '' THEN _s(t.display_name)
  WHEN _s(t.keyword) <> '' THEN _s(t.keyword)
  ELSE _s(t.id) END;
CREATE OR REPLACE TEMP MACRO _names(l) AS
  list_filter(list_transform(coalesce(l, []), t -> _name(t)), x -> x IS NOT NULL);
CREATE OR REPLACE TEMP MACRO _names_bad(l) AS coalesce(list_bool_or(list_transform(l,
  t -> _bad(t.display_name) OR _bad(t.keyword) OR _bad(t.id))), false);
CREATE OR REPLACE TEMP MACRO _cc(x) AS
  CASE WHEN regexp_full_match(x, '[A-Za-z]{2}') THEN upper(x) END;
CREATE OR REPLACE TEMP MACRO _cc_bad(x) AS
  coalesce(NOT regexp_full_match(x, '[A-Za-z]{2}'), false);
CREATE OR REPLACE TEMP MACRO _last(x) AS string_split(x, '/')[-1];
CREATE OR REPLACE TEMP MACRO _inst_key(i) AS CASE
  WHEN _s(i.id) <> '' THEN _last(_s(i.id))
  WHEN _s(i.ror) <> '' THEN 'ror:' || _last(_s(i.ror)) END;
"""

# One row per work, normalised; ``bad`` marks a record the SQL does not reproduce exactly.
STAGE = r"""
CREATE OR REPLACE TEMP TABLE _nat AS
WITH r AS (
  SELECT *, flatten(map_values(abstract_inverted_index)) AS _ps,
         coalesce(authorships, []) AS _au
  FROM read_json(?, format = 'newline_delimited', compression = ?, hive_partitioning = false,
                 columns = {columns})
), n AS (
  SELECT
    upper(regexp_extract(_s(id), '(?i)^(?:https?://openalex\.org/)?(W[0-9]+)$', 1)) AS work_key,
    _s(id) AS source_id,
    CASE WHEN json_type(publication_year) = 'UBIGINT'
         THEN TRY_CAST(publication_year AS BIGINT) END AS _year,
    CASE WHEN _s(title) <> '' THEN _s(title) ELSE _s(display_name) END AS title,
    CASE WHEN len(_ps) > 0 THEN array_to_string(list_transform(list_sort(flatten(
      list_transform(map_entries(abstract_inverted_index),
        e -> list_transform(e.value, p -> {{'p': p::BIGINT, 'w': e.key}})))), x -> x.w), ' ')
    END AS _abs_index,
    _s(abstract) AS _abs_text,
    _s(primary_location.source.display_name) AS venue,
    _s(type) AS type,
    _s(language) AS language,
    _s(updated_date) AS updated,
    list_concat(_names([primary_topic]), _names(topics)) AS _topics,
    _names(concepts) AS concepts,
    _names(keywords) AS keywords,
    len(_au) AS n_authors,
    list_transform(_au, (a, i) -> {{
      'pos': i - 1,
      'author_id': CASE WHEN _s(a.author.id) <> '' THEN _last(_s(a.author.id)) END,
      'author_name': CASE WHEN _s(a.author.display_name) <> '' THEN _s(a.author.display_name)
                          ELSE _s(a.raw_author_name) END,
      'countries': list_sort(list_distinct(list_filter(list_concat(
          list_transform(coalesce(a.countries, []), c -> _cc(c)),
          list_transform(coalesce(a.institutions, []), j -> _cc(j.country_code))),
        c -> c IS NOT NULL)))
    }}) AS auths,
    list_filter(flatten(list_transform(_au, (a, i) ->
      list_transform(coalesce(a.institutions, []), j -> {{
        'pos': i - 1, 'inst_key': _inst_key(j), 'inst_name': _s(j.display_name),
        'country': _cc(j.country_code)}}))), f -> f.inst_key IS NOT NULL) AS affs,
    (
      _bad(id) OR _bad(title) OR _bad(display_name) OR _bad(abstract) OR _bad(type)
      OR _bad(language) OR _bad(updated_date) OR _bad(primary_location.source.display_name)
      OR (publication_year IS NOT NULL AND json_type(publication_year) <> 'NULL'
          AND NOT coalesce(json_type(publication_year) = 'UBIGINT'
                           AND TRY_CAST(publication_year AS BIGINT) BETWEEN 1000 AND 2999,
                           false))
      OR coalesce(len(_ps) > {max_tokens}, false)
      OR coalesce(NOT list_bool_and(list_transform(_ps,
           p -> json_type(p) IN ('UBIGINT', 'BIGINT'))), false)
      OR _names_bad([primary_topic]) OR _names_bad(topics) OR _names_bad(concepts)
      OR _names_bad(keywords)
      OR coalesce(list_bool_or(list_transform(_au, a ->
           a IS NULL OR _bad(a.raw_author_name) OR _bad(a.author.id)
           OR _bad(a.author.display_name)
           OR coalesce(list_bool_or(list_transform(a.countries, c -> _cc_bad(c))), false)
           OR coalesce(list_bool_or(list_transform(a.institutions, j ->
                j IS NULL OR _bad(j.id) OR _bad(j.ror) OR _bad(j.display_name)
                OR _cc_bad(j.country_code)
                OR (_inst_key(j) IS NULL AND coalesce(_s(j.display_name), '') <> ''))),
              false))), false)
    ) AS bad
  FROM r
)
SELECT work_key, source_id, _year AS year, title, coalesce(_abs_index, _abs_text) AS abstract,
       venue, type, language, updated,
       list_filter(_topics, (x, i) -> NOT list_contains(_topics[1:i - 1], x)) AS topics, concepts, keywords, n_authors, auths, affs,
       list_sort(list_distinct(flatten(list_transform(auths, a -> a.countries)))) AS countries,
       coalesce(bad, true) OR work_key IS NULL OR work_key = '' AS bad
FROM n
"""

INSERTS = (
    """INSERT INTO works SELECT work_key, source_id, year, title, abstract, venue, type,
         language, updated, topics, concepts, keywords, n_authors, ? FROM _nat""",
    """INSERT INTO authorships SELECT work_key, a.pos, a.author_id, a.author_name,
         a.countries, ? FROM (SELECT work_key, unnest(auths) AS a FROM _nat)""",
    """INSERT INTO affiliations SELECT work_key, f.pos, f.inst_key, f.inst_name, f.country, ?
         FROM (SELECT work_key, unnest(affs) AS f FROM _nat)""",
    """INSERT INTO work_countries SELECT work_key, c, ?
         FROM (SELECT work_key, unnest(countries) AS c FROM _nat)""",
)


def eligible(path: Path) -> bool:
    """Files the native path may try: JSON Lines (plain or gzip), not Parquet/JSON docs."""
    name = path.name.lower()
    return not name.endswith(".parquet") and (
        ".jsonl" in name or ".ndjson" in name or name.startswith("part_")
    )


def _stage_sql() -> str:
    cols = ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items())
    return STAGE.format(columns="{" + cols + "}", max_tokens=_MAX_ABSTRACT_TOKENS)


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, seq: int) -> int | None:
    """Read, normalise and insert one file in SQL; the number of works, or None.

    None means the file must go through the Python path (see the module docstring);
    nothing of it has been stored then.
    """
    import duckdb

    con.execute(MACROS)
    try:
        con.execute(_stage_sql(), [str(path), "gzip" if is_gzip(path) else "none"])
        row = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE bad), count(DISTINCT work_key) FROM _nat"
        ).fetchone()
        total, bad, distinct = row if row else (0, 0, 0)
        if bad or distinct != total:
            return None
        con.execute("BEGIN TRANSACTION")
        try:
            for sql in INSERTS:
                con.execute(sql, [seq])
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return int(total)
    except duckdb.Error:
        return None
    finally:
        con.execute("DROP TABLE IF EXISTS _nat")
