"""The AI-safety/area classifier, its fallbacks and the integration functions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from detente.landscape import infer_areas, section_for
from detente.landscape.classifier import NEWSLETTER_LABEL, Classifier, split_of, train
from detente.landscape.paths import model_path
from detente.landscape.taxonomy import NEWSLETTER_CATEGORY_MAP, keyword_areas, keyword_is_safety


def test_untrained_fallbacks(tmp_path: Path) -> None:
    assert Classifier.load() is None
    assert infer_areas("zero-knowledge proofs to verify training compute") == []
    assert section_for(["US", "CN"], ["verification"], tmp_path / "missing.duckdb") is None
    assert section_for(["US"], [], None) is None


def test_keyword_definition() -> None:
    assert keyword_is_safety("Certified robustness against adversarial examples")
    assert not keyword_is_safety("Graph neural networks for molecules")
    assert "evaluations" in keyword_areas("A benchmark for red-teaming language models")


def test_newsletter_mapping_covers_known_categories(shared_biblio: Path) -> None:
    import csv

    path = shared_biblio / "alignment_newsletter_to2019" / "alignment_newsletter_to2019.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        cats = {r["Category"] for r in csv.DictReader(fh)}
    assert cats <= set(NEWSLETTER_CATEGORY_MAP)


@pytest.fixture(scope="session")
def trained(shared_biblio: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "classifier.joblib"
    train(shared_biblio, out=out, negatives=600, limit=400)  # a quick model
    return out


@pytest.mark.shared
@pytest.mark.slow
def test_train_evaluate_and_infer(trained: Path) -> None:
    clf = Classifier.load(trained)
    assert clf is not None
    ev = clf.evaluation()
    assert 0.5 < ev.safety.precision <= 1 and 0.5 < ev.safety.recall <= 1
    sets = {(m.split, m.model) for m in ev.held_out}
    for name in ("newsletter_vs_ai_venues", "safety_corpus_vs_ai_venues", "hard_negatives"):
        assert {(name, "detente"), (name, "baseline")} <= sets  # same run, same split
    assert 0.05 <= ev.threshold <= 0.95 and ev.ethics_flagged_as_safety is not None
    assert ev.sources["ai_venues"]["test"] > 0 and any("test split" in n for n in ev.notes)
    # the three labels evaluated separately, on the same test documents (each has one true label)
    assert [m.label for m in ev.labels] == ["technical_safety", "ethics_governance", "other"]
    assert len({m.test_size for m in ev.labels}) == 1
    assert sum(m.support for m in ev.labels) == ev.labels[0].test_size
    assert all(0 < m.f1 <= 1 for m in ev.labels)
    labels = clf.labels(
        [
            "Mechanistic interpretability of reward hacking in RLHF language models",
            "Algorithmic fairness and discrimination in hiring: an audit of accountability",
        ]
    )
    assert labels[0] == "technical_safety" and labels[1] != "technical_safety"
    assert [t for t, _ in clf.top_terms("safety", 5)]
    assert {m.label for m in ev.areas} == {
        "verification",
        "interpretability",
        "robustness",
        "alignment",
        "governance",
    }
    assert {m.label for m in ev.weak_areas} == {"protocols", "infrastructure", "evaluations"}
    terms = [t for t, _ in clf.top_terms("interpretability", 30)]
    assert "interpretability" in terms
    shutil.copy(trained, model_path().parent.mkdir(parents=True, exist_ok=True) or model_path())
    guesses = infer_areas(
        "A benchmark suite and red-teaming evaluation of dangerous capabilities of LLM agents"
    )
    assert guesses and guesses[0].area == "evaluations"
    assert all(
        g.area in {"verification", "protocols", "infrastructure", "evaluations"} for g in guesses
    )
    assert guesses[0].evidence and guesses == sorted(guesses, key=lambda g: -g.score)
    assert infer_areas("   ") == []


@pytest.mark.shared
def test_section_for_on_paperlists(paperlists_db: Path, tmp_path: Path) -> None:
    from detente.landscape.service import landscape

    db = tmp_path / "copy.duckdb"
    shutil.copy(paperlists_db, db)
    assert section_for(["US", "CN"], [], db) is None  # not tagged yet: nothing to say
    landscape(db, "US", 2017, 2024)  # tags with the keyword definition
    s = section_for(["us", "CN", "GB", "bogus"], ["verification", "evaluations", "nonsense"], db)
    assert s is not None
    assert s.countries == ["US", "CN", "GB"] and s.areas == ["verification", "evaluations"]
    first = s.rows[0]
    assert (first.country_a, first.country_b, first.area) == ("US", "CN", "all")
    assert first.coauthored_works > 0 and "US" in s.explanation and "CN" in s.explanation
    assert len(s.rows) == 3 * 3
    assert s.model_dump_json()


def test_splits_are_fixed_and_seeded() -> None:
    assert split_of("Concrete Problems in AI Safety") == split_of("concrete problems in AI-safety!")
    counts = {s: 0 for s in ("train", "val", "test")}
    for i in range(3000):
        counts[split_of(f"paper {i}")] += 1
    assert 0.55 < counts["train"] / 3000 < 0.65 and 0.15 < counts["test"] / 3000 < 0.25
    assert any(split_of(f"paper {i}", 1) != split_of(f"paper {i}", 0) for i in range(20))


def test_newsletter_labels() -> None:
    assert NEWSLETTER_LABEL["Interpretability"] == "technical_safety"
    assert NEWSLETTER_LABEL["Technical agendas and prioritization"] == "technical_safety"
    assert NEWSLETTER_LABEL["AI governance"] == "ethics_governance"
    assert NEWSLETTER_LABEL["Fairness and bias"] == "ethics_governance"
    assert NEWSLETTER_LABEL["Reinforcement learning"] == "other"
    assert NEWSLETTER_LABEL["News"] is None
