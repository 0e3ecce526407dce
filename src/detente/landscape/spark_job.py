"""The landscape on Apache Spark: the same measures SQL (:mod:`.measures`) over Spark views.

Two entry points:

* :func:`views_from_json` -- read OpenAlex works JSON Lines (the snapshot's
  ``works/updated_date=*/part_*.gz``, or any OpenAlex-shaped JSONL) with an explicit
  schema of only the fields needed, normalise them with Spark SQL exactly as
  :mod:`.normalize` does, apply the keyword/topic definition of AI safety and the keyword
  areas, and register the views ``works``, ``work_countries``, ``affiliations``,
  ``work_tags`` and ``work_areas``;
* :func:`compute_from_duckdb` -- export a local DuckDB store to Parquet and run the same
  SQL on local Spark (``detente landscape figure --engine spark``).

Run on a cluster (see docs/landscape.md)::

    spark-submit src/detente/landscape/spark_job.py \\
        --input 's3://openalex/data/works/updated_date=*/part_*.gz' \\
        --focal US --from 2015 --to 2024 --out landscape_us.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from detente.landscape.measures import LandscapeResult, Runner, Subset, compute
from detente.landscape.taxonomy import ALL_AREAS, AREA_REGEX, SafetyDefinition

_NAME = "struct<display_name:string>"
WORK_SCHEMA = (
    "id string, title string, display_name string, publication_year long, "
    "updated_date string, abstract string, "
    f"keywords array<{_NAME}>, topics array<{_NAME}>, primary_topic {_NAME}, "
    f"concepts array<{_NAME}>, abstract_inverted_index map<string,array<long>>, "
    "authorships array<struct<countries:array<string>, "
    "author:struct<id:string,display_name:string>, "
    "institutions:array<struct<id:string,ror:string,display_name:string,country_code:string>>>>"
)


def local_session(app: str = "detente-landscape", partitions: int = 4) -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName(app)
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


def spark_runner(spark: Any) -> Runner:
    def run(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in spark.sql(sql).collect()]

    return run


def views_from_json(
    spark: Any, paths: list[str], definition: SafetyDefinition | None = None
) -> None:
    """Normalise OpenAlex-shaped JSON Lines into the landscape views (see module doc)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    d = definition or SafetyDefinition(method="keyword")
    raw = spark.read.text(paths)
    parsed = raw.select(F.col("value"), F.from_json("value", WORK_SCHEMA).alias("w")).where(
        F.col("w").isNotNull() & (F.col("w.id").isNotNull() | F.col("w.title").isNotNull())
    )
    oa = F.regexp_extract(F.col("w.id"), r"(?i)^(?:https?://openalex\.org/)?(W\d+)$", 1)
    key = (
        F.when(oa != "", F.upper(oa))
        .when(F.col("w.id").isNotNull(), F.concat(F.col("w.id"), F.lit("#"), F.sha2("value", 256)))
        .otherwise(F.concat(F.lit("h:"), F.sha2("value", 256)))
    )
    pairs = F.expr(
        "array_sort(flatten(transform(map_entries(w.abstract_inverted_index), "
        "e -> transform(e.value, p -> named_struct('p', p, 'w', e.key)))))"
    )
    abstract = F.when(F.size(pairs) > 0, F.concat_ws(" ", F.transform(pairs, lambda s: s["w"])))
    topics = F.expr(
        "filter(concat(array(w.primary_topic.display_name), "
        "coalesce(transform(w.topics, t -> t.display_name), array())), x -> x IS NOT NULL)"
    )
    works = parsed.select(
        key.alias("work_key"),
        F.col("w.id").alias("source_id"),
        F.when(F.col("w.publication_year").between(1000, 2999), F.col("w.publication_year"))
        .cast("int")
        .alias("year"),
        F.coalesce(F.col("w.title"), F.col("w.display_name")).alias("title"),
        F.coalesce(abstract, F.col("w.abstract")).alias("abstract"),
        F.col("w.updated_date").alias("updated"),
        F.array_distinct(topics).alias("topics"),
        F.expr("transform(w.concepts, c -> c.display_name)").alias("concepts"),
        F.expr("transform(w.keywords, k -> k.display_name)").alias("keywords"),
        F.col("w.authorships").alias("authorships"),
    )
    # One version per work: the latest updated_date (OpenAlex snapshots repeat works).
    win = Window.partitionBy("work_key").orderBy(F.col("updated").desc_nulls_last())
    works = works.withColumn("_rn", F.row_number().over(win)).where("_rn = 1").drop("_rn")
    works.cache()

    auth = works.select("work_key", F.posexplode_outer("authorships").alias("pos", "a"))
    iso = r"^[A-Z]{2}$"
    from_auth = auth.select("work_key", F.explode("a.countries").alias("c"))
    insts = auth.select("work_key", "pos", F.explode("a.institutions").alias("i"))
    from_inst = insts.select("work_key", F.col("i.country_code").alias("c"))
    work_countries = (
        from_auth.unionByName(from_inst)
        .select("work_key", F.upper(F.trim("c")).alias("country"))
        .where(F.col("country").rlike(iso))
        .distinct()
    )
    name = F.col("i.display_name")

    def last(c: Any) -> Any:
        return F.element_at(F.split(c, "/"), -1)

    inst_key = (
        F.when(F.coalesce(F.col("i.id"), F.lit("")) != "", last(F.col("i.id")))
        .when(
            F.coalesce(F.col("i.ror"), F.lit("")) != "",
            F.concat(F.lit("ror:"), last(F.col("i.ror"))),
        )
        .when(
            F.coalesce(name, F.lit("")) != "",
            F.concat(F.lit("name:"), F.trim(F.regexp_replace(F.lower(name), r"\s+", " "))),
        )
    )
    cc = F.upper(F.trim(F.col("i.country_code")))
    affiliations = insts.select(
        "work_key",
        F.col("pos").alias("author_pos"),
        inst_key.alias("inst_key"),
        name.alias("inst_name"),
        F.when(cc.rlike(iso), cc).alias("country"),
    ).where(F.col("inst_key").isNotNull())

    text = F.concat_ws(
        " ",
        F.coalesce("title", F.lit("")),
        F.coalesce("abstract", F.lit("")),
        F.coalesce(F.concat_ws(" ", "keywords"), F.lit("")),
    )
    topic_hit = F.lit(False)
    if d.use_topics and (d.topics or d.concepts):
        tl = (
            F.array(*[F.lit(t.lower()) for t in d.topics])
            if d.topics
            else F.array().cast("array<string>")
        )
        cl = (
            F.array(*[F.lit(c.lower()) for c in d.concepts])
            if d.concepts
            else F.array().cast("array<string>")
        )
        topic_hit = F.coalesce(
            F.arrays_overlap(F.transform(F.coalesce("topics", F.array()), F.lower), tl)
            | F.arrays_overlap(F.transform(F.coalesce("concepts", F.array()), F.lower), cl),
            F.lit(False),
        )
    if d.method == "all":
        is_safety = F.lit(True)
    elif d.method == "topics":
        is_safety = topic_hit
    else:  # keyword (the classifier is not run on Spark; see docs)
        is_safety = text.rlike(d.keyword_regex) | topic_hit
    tagged = works.select("work_key", "title", text.alias("txt"), is_safety.alias("is_safety"))
    tagged.cache()
    area_frames = []
    for area in ALL_AREAS:
        p = AREA_REGEX[area]
        hit = F.coalesce(F.col("title"), F.lit("")).rlike(p) | (
            F.size(F.regexp_extract_all("txt", F.lit(p), F.lit(0))) >= 2
        )
        area_frames.append(
            tagged.where(F.col("is_safety") & hit).select("work_key", F.lit(area).alias("area"))
        )
    work_areas = area_frames[0]
    for f in area_frames[1:]:
        work_areas = work_areas.unionByName(f)

    works.drop("authorships").createOrReplaceTempView("works")
    work_countries.createOrReplaceTempView("work_countries")
    affiliations.createOrReplaceTempView("affiliations")
    tagged.select("work_key", "is_safety").createOrReplaceTempView("work_tags")
    work_areas.createOrReplaceTempView("work_areas")


def compute_from_duckdb(
    db_path: Path,
    focal: str,
    year_from: int,
    year_to: int,
    *,
    subset: Subset = "safety",
    area: str | None = None,
    top: int = 8,
    spark: Any = None,
) -> LandscapeResult:
    """Export the DuckDB store's tables to Parquet and compute on (local) Spark."""
    import duckdb

    sess = spark or local_session()
    with tempfile.TemporaryDirectory(prefix="detente-spark-") as tmp:
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            for name in ("works", "work_countries", "affiliations", "work_tags", "work_areas"):
                cols = "work_key, year" if name == "works" else "*"
                con.execute(
                    f"COPY (SELECT {cols} FROM {name}) TO '{tmp}/{name}.parquet' (FORMAT parquet)"
                )
        finally:
            con.close()
        for name in ("works", "work_countries", "affiliations", "work_tags", "work_areas"):
            sess.read.parquet(f"{tmp}/{name}.parquet").createOrReplaceTempView(name)
        return compute(
            spark_runner(sess), focal, year_from, year_to, subset=subset, area=area, top=top
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Détente landscape (Figure 1) on Spark.")
    ap.add_argument("--input", nargs="+", required=True, help="JSONL(.gz) paths or globs")
    ap.add_argument("--focal", default="US")
    ap.add_argument("--from", dest="year_from", type=int, default=2015)
    ap.add_argument("--to", dest="year_to", type=int, default=2024)
    ap.add_argument("--subset", choices=["safety", "all"], default="safety")
    ap.add_argument("--area", default=None)
    ap.add_argument("--method", choices=["keyword", "topics", "all"], default="keyword")
    ap.add_argument("--out", default="-", help="JSON output file ('-' for stdout)")
    ap.add_argument("--local", action="store_true", help="Use a local[1] session (testing).")
    args = ap.parse_args(argv)

    if args.local:
        spark = local_session()
    else:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("detente-landscape").getOrCreate()
    views_from_json(spark, args.input, SafetyDefinition(method=args.method))
    result = compute(
        spark_runner(spark),
        args.focal,
        args.year_from,
        args.year_to,
        subset=args.subset,
        area=args.area,
    )
    result.definition = (
        f"AI safety by {args.method} (Spark)" if args.subset == "safety" else "all works"
    )
    text = json.dumps({"table": result.wide_rows(), "result": result.model_dump()}, indent=2)
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
