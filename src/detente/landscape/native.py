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
* no ``authorships`` (or null), a null authorship or institution, an institution with
  neither id nor ROR;
* a country value that is not two ASCII letters (Python strips and case-folds Unicode);
* the same work twice in one file (the Python batches keep the last one).

Scalars are read as DuckDB ``JSON`` so their JSON type can be checked (reading them as
``VARCHAR`` would silently turn numbers and objects into text); the abstract index is read
as JSON text, checked for non-integer positions, then transformed strictly.  Hive
partitioning is off: the snapshot's ``updated_date=…`` folders must not override the
records' own ``updated_date``.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    "abstract_inverted_index": "JSON",
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
  CASE WHEN regexp_full_match(x, '[A-Za-z]{{2}}') THEN upper(x) END;
CREATE OR REPLACE TEMP MACRO _cc_bad(x) AS
  coalesce(NOT regexp_full_match(x, '[A-Za-z]{{2}}'), false);
CREATE OR REPLACE TEMP MACRO _last(x) AS string_split(x, '/')[-1];
CREATE OR REPLACE TEMP MACRO _inst_key(i) AS CASE
  WHEN _s(i.id) <> '' THEN _last(_s(i.id))
  WHEN _s(i.ror) <> '' THEN 'ror:' || _last(_s(i.ror))
  WHEN _s(i.display_name) <> '' THEN 'name:' || array_to_string(list_filter(
    regexp_split_to_array(lower(_s(i.display_name)), '{ws}+'), x -> x <> ''), ' ') END;
-- Python's str.lower() differs from DuckDB's lower() only for U+0130 and a final sigma
CREATE OR REPLACE TEMP MACRO _lower_bad(x) AS coalesce(regexp_matches(x, '[\x{{130}}\x{{3a3}}]'), false);
-- Python strips these around an id before matching a W id
CREATE OR REPLACE TEMP MACRO _ws_edge(x) AS coalesce(regexp_matches(x, '^{ws}|{ws}$'), false);
"""

# One row per work, normalised; ``bad`` marks a record the SQL does not reproduce exactly.
STAGE = r"""
CREATE OR REPLACE TEMP TABLE _nat AS
WITH j AS (
  SELECT * REPLACE (
           json_transform_strict(abstract_inverted_index, '"MAP(VARCHAR, BIGINT[])"')
             AS abstract_inverted_index),
         -- a position that is not an integer (Python ignores those) or odd JSON text
         coalesce(regexp_matches(abstract_inverted_index::VARCHAR,
                                 '":\[[^\]]*[^0-9,\]\-]'), false) AS _odd_positions,
         coalesce(authorships, []) AS _au
  FROM read_json(?, format = 'newline_delimited', compression = ?, hive_partitioning = false,
                 filename = true, columns = {columns})
), r AS (
  SELECT *,
         -- position * 2^20 + the word's number, sorted: the text in position order
         list_sort(flatten(list_transform(map_values(abstract_inverted_index),
           (v, i) -> list_transform(v, p -> p * 1048576 + i)))) AS _enc
  FROM j
), n AS (
  SELECT
    filename,
    upper(regexp_extract(_s(id), '(?i)^(?:https?://openalex\.org/)?(W[0-9]+)$', 1)) AS _w_key,
    _s(id) AS source_id,
    CASE WHEN json_type(publication_year) = 'UBIGINT'
         THEN TRY_CAST(publication_year AS BIGINT) END AS _year,
    CASE WHEN _s(title) <> '' THEN _s(title) ELSE _s(display_name) END AS title,
    CASE WHEN len(_enc) = 0 THEN NULL
    -- positions exactly 0..n-1 (the usual case): no ties, word order is position order
    WHEN list_transform(_enc, k -> k >> 20) = range(0, len(_enc)) THEN array_to_string(
      list_transform(_enc, k -> map_keys(abstract_inverted_index)[k & 1048575]), ' ')
    -- otherwise sort (position, word) pairs like Python does
    ELSE array_to_string(list_transform(list_sort(flatten(
      list_transform(map_entries(abstract_inverted_index),
        e -> list_transform(e.value, p -> {{'p': p, 'w': e.key}})))), x -> x.w), ' ')
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
      -- no authorships key: Python may read it as a paperlists-native record
      authorships IS NULL
      OR _bad(id) OR _ws_edge(_s(id)) OR _bad(title) OR _bad(display_name) OR _bad(abstract) OR _bad(type)
      OR _bad(language) OR _bad(updated_date) OR _bad(primary_location.source.display_name)
      OR (publication_year IS NOT NULL AND json_type(publication_year) <> 'NULL'
          AND NOT coalesce(json_type(publication_year) = 'UBIGINT'
                           AND TRY_CAST(publication_year AS BIGINT) BETWEEN 1000 AND 2999,
                           false))
      OR coalesce(len(_enc) > {max_tokens}, false)
      OR _odd_positions
      OR _names_bad([primary_topic]) OR _names_bad(topics) OR _names_bad(concepts)
      OR _names_bad(keywords)
      OR coalesce(list_bool_or(list_transform(_au, a ->
           a IS NULL OR _bad(a.raw_author_name) OR _bad(a.author.id)
           OR _bad(a.author.display_name)
           OR coalesce(list_bool_or(list_transform(a.countries, c -> _cc_bad(c))), false)
           OR coalesce(list_bool_or(list_transform(a.institutions, j ->
                j IS NULL OR _bad(j.id) OR _bad(j.ror) OR _bad(j.display_name)
                OR _cc_bad(j.country_code)
                OR _lower_bad(_s(j.display_name)))),
              false))), false)
    ) AS bad
  FROM r
), m AS (
  SELECT filename, _w_key, source_id, _year AS year, title,
         coalesce(_abs_index, _abs_text) AS abstract, venue, type, language, updated,
         list_filter(_topics, (x, i) -> NOT list_contains(_topics[1:i - 1], x)) AS topics,
         concepts, keywords, n_authors, auths, affs,
         list_sort(list_distinct(flatten(list_transform(auths, a -> a.countries)))) AS countries,
         bad
  FROM n
)
SELECT filename,
       CASE WHEN _w_key <> '' THEN _w_key
            WHEN source_id <> '' THEN source_id || '#' || {content_key}
            WHEN title <> '' THEN 'h:' || {content_key} END AS work_key,
       * EXCLUDE (filename, _w_key, bad),
       coalesce(bad, true) OR work_key IS NULL AS bad
FROM m
"""

# ``_nat_ok(filename, seq)`` lists the files to keep and the batch number of each.
_OK = "_nat n JOIN _nat_ok USING (filename)"
INSERTS = (
    f"""INSERT INTO works SELECT work_key, source_id, year, title, abstract, venue, type,
         language, updated, topics, concepts, keywords, n_authors, seq FROM {_OK}""",
    f"""INSERT INTO authorships SELECT work_key, a.pos, a.author_id, a.author_name,
         a.countries, seq FROM (SELECT work_key, seq, unnest(auths) AS a FROM {_OK})""",
    f"""INSERT INTO affiliations SELECT work_key, f.pos, f.inst_key, f.inst_name, f.country,
         seq FROM (SELECT work_key, seq, unnest(affs) AS f FROM {_OK})""",
    f"""INSERT INTO work_countries SELECT work_key, c, seq
         FROM (SELECT work_key, seq, unnest(countries) AS c FROM {_OK})""",
)


def eligible(path: Path) -> bool:
    """Files the native path may try: JSON Lines (plain or gzip), not Parquet/JSON docs."""
    name = path.name.lower()
    return not name.endswith(".parquet") and (
        ".jsonl" in name or ".ndjson" in name or name.startswith("part_")
    )


# The same string as :func:`.normalize.content_key` (unit/record/group separators), hashed.
CONTENT_KEY = r"""substr(md5(concat_ws(chr(31), coalesce(source_id, ''), coalesce(title, ''),
  coalesce(year::VARCHAR, ''), coalesce(abstract, ''), coalesce(venue, ''), coalesce(type, ''),
  coalesce(language, ''), coalesce(updated, ''), array_to_string(topics, chr(30)),
  array_to_string(concepts, chr(30)), array_to_string(keywords, chr(30)),
  array_to_string(list_transform(auths, a -> coalesce(a.author_id, '') || chr(29)
    || coalesce(a.author_name, '') || chr(29) || array_to_string(a.countries, ',')), chr(30)),
  array_to_string(list_transform(affs, f -> f.pos::VARCHAR || chr(29) || f.inst_key || chr(29)
    || coalesce(f.inst_name, '') || chr(29) || coalesce(f.country, '')), chr(30)))), 1, 16)"""

# Python's whitespace (str.split / str.strip) as an RE2 class.
PY_WS = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)


def _macros() -> str:
    return MACROS.format(ws=PY_WS)


def _stage_sql() -> str:
    cols = ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items())
    return STAGE.format(
        columns="{" + cols + "}", max_tokens=_MAX_ABSTRACT_TOKENS, content_key=CONTENT_KEY
    )


def ingest_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, int]]
) -> dict[Path, int]:
    """Read, normalise and insert files in SQL; returns {file: works} of those stored.

    ``files`` are (path, seq) pairs, read together (DuckDB reads files in parallel).  A
    file missing from the result must go through the Python path (see the module
    docstring); nothing of it has been stored.  If DuckDB cannot read the group, each
    file is retried alone.
    """
    import duckdb

    if not files:
        return {}
    con.execute(_macros())
    by_name = {str(p): (p, seq) for p, seq in files}
    compression = {is_gzip(p) for p, _ in files}
    if len(compression) > 1:  # one read_json call takes one compression setting
        out: dict[Path, int] = {}
        for gz in compression:
            out.update(ingest_files(con, [(p, q) for p, q in files if is_gzip(p) == gz]))
        return out
    try:
        con.execute(_stage_sql(), [list(by_name), "gzip" if compression.pop() else "none"])
        stats = con.execute(
            "SELECT filename, count(*), count(*) FILTER (WHERE bad), count(DISTINCT work_key) "
            "FROM _nat GROUP BY filename"
        ).fetchall()
    except duckdb.Error:
        con.execute("DROP TABLE IF EXISTS _nat")
        if len(files) == 1:
            return {}
        out = {}
        for one in files:
            out.update(ingest_files(con, [one]))
        return out
    try:
        counts = {name: 0 for name in by_name}  # an empty file has no rows
        for name, total, bad, distinct in stats:
            if bad or distinct != total:
                counts.pop(name, None)
            else:
                counts[name] = int(total)
        if not counts:
            return {}
        con.execute("CREATE OR REPLACE TEMP TABLE _nat_ok (filename VARCHAR, seq BIGINT)")
        con.executemany("INSERT INTO _nat_ok VALUES (?, ?)", [[n, by_name[n][1]] for n in counts])
        con.execute("BEGIN TRANSACTION")
        try:
            for sql in INSERTS:
                con.execute(sql)
        except duckdb.Error:
            con.execute("ROLLBACK")
            return {}
        con.execute("COMMIT")
        return {by_name[n][0]: c for n, c in counts.items()}
    finally:
        con.execute("DROP TABLE IF EXISTS _nat")
        con.execute("DROP TABLE IF EXISTS _nat_ok")
