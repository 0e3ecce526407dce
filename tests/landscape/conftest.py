"""Fixtures of the landscape tests: temp data homes, a paperlists store, synthetic works."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def detente_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty DETENTE_HOME (no trained model, no default DB)."""
    home = tmp_path / "home"
    monkeypatch.setenv("DETENTE_HOME", str(home))
    from detente.landscape.classifier import clear_cache

    clear_cache()
    return home


@pytest.fixture(scope="session")
def paperlists_file(shared_biblio: Path) -> Path:
    return shared_biblio / "paperlists_ai_venues" / "works_openalex_shaped.jsonl.gz"


@pytest.fixture(scope="session")
def paperlists_db(paperlists_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 38k paperlists works ingested once per session (read it, don't change it)."""
    from detente.landscape.ingest import ingest_paths

    db = tmp_path_factory.mktemp("paperlists") / "landscape.duckdb"
    report = ingest_paths([paperlists_file], db)
    assert report.malformed == 0
    return db


def work(
    wid: str,
    year: int,
    authors: list[list[tuple[str, str | None]]],
    title: str = "A study",
    abstract: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A synthetic OpenAlex work: ``authors`` is, per author, a list of (institution, country)."""
    from detente.landscape.normalize import invert_abstract

    auths = []
    for i, insts in enumerate(authors):
        auths.append(
            {
                "author_position": "first" if i == 0 else "middle",
                "author": {"id": f"https://openalex.org/A{i}", "display_name": f"Author {i}"},
                "institutions": [
                    {
                        "id": f"https://openalex.org/I{abs(hash(n)) % 10**6}",
                        "display_name": n,
                        "country_code": c,
                    }
                    for n, c in insts
                ],
                "countries": sorted({c for _, c in insts if c}),
            }
        )
    rec: dict[str, Any] = {
        "id": f"https://openalex.org/{wid}",
        "title": title,
        "display_name": title,
        "publication_year": year,
        "authorships": auths,
        "abstract_inverted_index": invert_abstract(abstract) if abstract else None,
        "updated_date": "2025-01-01T00:00:00",
    }
    rec.update(extra)
    return rec


def write_jsonl_gz(path: Path, records: list[Any], raw_lines: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
        for line in raw_lines or []:
            fh.write(line + "\n")
    return path


@pytest.fixture
def small_corpus() -> list[dict[str, Any]]:
    us, cn, gb = ("MIT", "US"), ("Tsinghua University", "CN"), ("University of Oxford", "GB")
    return [
        work("W1", 2020, [[us], [cn]], "Adversarial robustness of image classifiers"),
        work(
            "W2",
            2020,
            [[us], [gb]],
            "Interpretability of transformers",
            "we study mechanistic interpretability",
        ),
        work("W3", 2020, [[us, cn]], "A single author with two affiliations on jailbreak attacks"),
        work("W4", 2021, [[us]], "Graph neural networks for molecules"),
        work("W5", 2021, [[cn], [gb]], "Backdoor attacks in federated learning"),
        work(
            "W6",
            2021,
            [[us], [cn], [gb]],
            "Reward hacking in RLHF",
            "a benchmark to evaluate reward hacking",
        ),
    ]


def iter_lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        yield from fh
