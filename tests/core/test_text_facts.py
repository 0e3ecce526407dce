"""Facts read from a proposal's text: affirmed, negated, hypothetical and ambiguous phrasing (issue 9).

Each row: the fact, a sentence, the polarity a careful reader gives it, and whether it is applied.
Expected values were written from the sentence's meaning, before running the matcher.
"""

from __future__ import annotations

import re

import pytest

from detente.assessment.engine import assess
from detente.assessment.polarity import Polarity, find, first_affirmed
from detente.assessment.proposal import Asset, Form, ModelAccess, StrategicTech
from detente.assessment.textfacts import read_text
from detente.framework.model import Framework
from detente.report import render
from detente.screening.techcheck import tech_flags

from .conftest import proposal

A, N, H, Q = Polarity.affirmed, Polarity.negated, Polarity.hypothetical, Polarity.ambiguous

CASES: list[tuple[str, str, Polarity, bool]] = [
    # elicitation techniques shared
    (
        "elicitation_shared",
        "The teams will exchange their tuned agent scaffolds and elicitation prompts.",
        A,
        True,
    ),
    ("elicitation_shared", "Each side hands over its elicitation toolkit to the other.", A, True),
    ("elicitation_shared", "Elicitation methods are shared between the red teams.", A, True),
    ("elicitation_shared", "The partners will not share elicitation methods.", N, False),
    (
        "elicitation_shared",
        "No elicitation techniques, scaffolds or model access are exchanged.",
        N,
        False,
    ),
    ("elicitation_shared", "Elicitation prompts will not be shared with anyone.", N, False),
    (
        "elicitation_shared",
        "If we later decide to share elicitation prompts, we will ask the board.",
        H,
        False,
    ),
    (
        "elicitation_shared",
        "The partners may exchange elicitation recipes in a second phase.",
        H,
        False,
    ),
    # model weights shared or handed over
    ("weights_shared", "Example University hands its model weights to Example Daxue.", A, True),
    ("weights_shared", "The visiting researcher gets access to internal checkpoints.", A, True),
    ("weights_shared", "Model weights are transferred to the partner for testing.", A, True),
    ("weights_shared", "There is no access to model weights.", N, False),
    ("weights_shared", "Weights are not shared.", N, False),
    ("weights_shared", "Neither side gets the other's weights.", N, False),
    ("weights_shared", "If the pilot succeeds, the lab could share model weights.", H, False),
    (
        "weights_shared",
        "Should we later decide to transfer checkpoints, a new review is needed.",
        H,
        False,
    ),
    # administrative access to infrastructure
    ("admin_access", "Example Daxue has root access to the shared cluster.", A, True),
    ("admin_access", "The cluster is administered by Example Daxue.", A, True),
    (
        "admin_access",
        "Example Daxue staff will have no administrative access to the cluster.",
        N,
        False,
    ),
    ("admin_access", "Example Daxue might later receive administrative access.", H, False),
    # held-out defects (tests/cases/verdict_cases_holdout.yaml): a parenthesis, "nobody", "nothing"
    (
        "admin_access",
        "Engineers from Example Daxue will hold administrator (root) access to the cluster.",
        A,
        True,
    ),
    ("admin_access", "Nobody from Example Daxue gets administrator access.", N, False),
    ("weights_shared", "Nothing about model weights is shared with Example Daxue.", N, False),
    # held-out round 2 (tests/cases/verdict_cases_holdout2.yaml): red-teaming and jailbreak
    # scaffolds are elicitation techniques; a verb before a colon reaches every item of its list
    (
        "elicitation_shared",
        "Scale AI will share its red-teaming scaffolds with the partner.",
        A,
        True,
    ),
    ("elicitation_shared", "Each lab hands over its jailbreak scaffolds to the other.", A, True),
    ("elicitation_shared", "The teams exchange jailbreak techniques during the sprint.", A, True),
    ("elicitation_shared", "Scale AI will not share its red-teaming scaffolds.", N, False),
    (
        "elicitation_shared",
        "The partners could exchange their red teaming scaffolds in a second phase.",
        H,
        False,
    ),
    (
        "elicitation_shared",
        "We will share: a) the published benchmark items, b) the red-teaming scaffolds and "
        "jailbreak prompts developed in our lab, and c) aggregate scores per model.",
        A,
        True,
    ),
    (
        "elicitation_shared",
        "We will share: a) the published benchmark items with their scoring rubrics, b) aggregate "
        "scores per model, and c) the jailbreak prompts developed in our lab.",
        A,
        True,
    ),
    (
        "elicitation_shared",
        "The teams will share the following: benchmark items, per-model aggregate scores across "
        "all twelve tasks of the suite, documentation, and red teaming scaffolds.",
        A,
        True,
    ),
    (
        "elicitation_shared",
        "We will not share: a) the published benchmark items with their scoring rubrics, "
        "b) aggregate scores per model, or c) the jailbreak prompts developed in our lab.",
        N,
        False,
    ),
    (
        "elicitation_shared",
        "We may later share: a) the published benchmark items with their scoring rubrics, "
        "b) aggregate scores per model, and c) the jailbreak prompts developed in our lab.",
        H,
        False,
    ),
    # biological / chemical (CBRN) focus
    ("bio_chem_focus", "We red-team models on biological weapons tasks.", A, True),
    ("bio_chem_focus", "The suite covers chemical weapons synthesis planning.", A, True),
    ("bio_chem_focus", "CBRN tasks are excluded.", N, False),
    ("bio_chem_focus", "The benchmark has no CBRN, cyber or military content.", N, False),
    ("bio_chem_focus", "Biosecurity tasks may be added if both governments agree.", H, False),
    # nuclear focus
    ("nuclear_focus", "The dialogue concerns AI in nuclear command and control.", A, True),
    ("nuclear_focus", "Nuclear matters are out of scope.", N, False),
    (
        "nuclear_focus",
        "Inspired by nuclear arms control verification, we design a protocol.",
        Q,
        False,
    ),
    ("nuclear_focus", "A later phase could address nuclear early-warning systems.", H, False),
    # joint code development
    ("joint_code", "The two teams jointly develop the verification software.", A, True),
    ("joint_code", "Both teams commit code to a shared repository.", A, True),
    ("joint_code", "We will not jointly develop any code.", N, False),
    ("joint_code", "The partners might co-develop a reference implementation.", H, False),
    # personnel exchange / visiting researchers
    (
        "personnel_exchange",
        "Two visiting researchers from Example Daxue spend six months in the lab.",
        A,
        True,
    ),
    ("personnel_exchange", "The project includes a secondment of two engineers.", A, True),
    ("personnel_exchange", "There will be no personnel exchange.", N, False),
    ("personnel_exchange", "The partners may later host visiting scholars.", H, False),
]


@pytest.mark.parametrize(("fact", "sentence", "polarity", "applied"), CASES)
def test_fact_polarity(
    fw: Framework, fact: str, sentence: str, polarity: Polarity, applied: bool
) -> None:
    p = proposal("evaluations", description=sentence)
    facts = {f.id: f for f in read_text(p, fw).facts}
    assert fact in facts, f"{fact} not read from {sentence!r}: {list(facts)}"
    f = facts[fact]
    assert f.polarity is polarity, (sentence, f.polarity, f.mentions)
    assert f.applied is applied
    assert f.quote == sentence
    # a stated fact is applied; a conditional or unclear one is a question; a denied one neither
    if polarity in (H, Q):
        assert f.question
    if polarity is N:
        assert f.question is None and f.status == "ruled out by the text"


# Mixed polarity: the fact affirmed in one sentence and negated in another (or the same one).
# An affirmed statement stands when the negation is in another sentence and concerns something
# narrower (a qualified object: "base-model weights", "weights of the base model"), or, for
# administrative access, another party; it is asked when the negation is in the same sentence or
# denies the fact generally ("no weights … at all", "any weights", an unqualified "weights are not
# shared"). Written from the texts' meaning before the change; the last column is the index of the
# sentence quoted as decisive.
MIXED_CASES: list[tuple[str, str, Polarity, bool, int]] = [
    # "or"/"and" before the object joins list items (text facts 1.7.0): a general denial
    (
        "weights_shared",
        "No prompts or weights are shared. "
        "The fine-tuned model's weights are handed over to Example Daxue.",
        Q,
        False,
        1,
    ),
    (
        "weights_shared",
        "We will not share base-model weights. "
        "The fine-tuned model's weights are handed over to Example Daxue.",
        A,
        True,
        1,
    ),
    (
        "weights_shared",
        "Example Daxue will not receive weights of the base model. "
        "Example University will share the weights of the fine-tuned checkpoint with Example Daxue.",
        A,
        True,
        1,
    ),
    (
        "weights_shared",
        "Example University hands the fine-tuned weights to Example Daxue. "
        "The base-model weights are not shared.",
        A,
        True,
        0,
    ),
    (
        "weights_shared",
        "No weights are shared at all. "
        "The fine-tuned model's weights are handed over to Example Daxue.",
        Q,
        False,
        1,
    ),
    (
        "weights_shared",
        "There is no access to model weights. "
        "Example University hands its model weights to Example Daxue.",
        Q,
        False,
        1,
    ),
    (
        "weights_shared",
        "Weights are not shared. Example University hands its model weights to Example Daxue.",
        Q,
        False,
        1,
    ),
    (
        "weights_shared",
        "Example University will not share any weights. "
        "The fine-tuned model's weights are handed over to Example Daxue.",
        Q,
        False,
        1,
    ),
    (
        "weights_shared",
        "Fine-tuned weights are shared with Example Daxue, but base-model weights are not shared.",
        Q,
        False,
        0,
    ),
    (
        "weights_shared",
        "We will not share base-model weights. "
        "If the pilot succeeds, the lab could share the fine-tuned weights.",
        H,
        False,
        1,
    ),
    (
        "elicitation_shared",
        "No elicitation techniques are exchanged. "
        "The teams will exchange their tuned agent scaffolds.",
        Q,
        False,
        1,
    ),
    (
        "elicitation_shared",
        "We will not share the jailbreak prompts of the cyber suite. "
        "Each side hands over its elicitation toolkit to the other.",
        A,
        True,
        1,
    ),
    (
        "admin_access",
        "Example Daxue has root access to the shared cluster. "
        "Example University staff have no administrative access.",
        A,
        True,
        0,
    ),
    (
        "admin_access",
        "Nobody has administrative access to the cluster. "
        "Example Daxue has root access to the shared cluster.",
        Q,
        False,
        1,
    ),
    (
        "personnel_exchange",
        "There will be no personnel exchange. "
        "Two visiting researchers from Example Daxue spend six months in the lab.",
        Q,
        False,
        1,
    ),
]


@pytest.mark.parametrize(("fact", "text", "polarity", "applied", "decisive"), MIXED_CASES)
def test_mixed_polarity(
    fw: Framework, fact: str, text: str, polarity: Polarity, applied: bool, decisive: int
) -> None:
    p = proposal("evaluations", description=text)
    facts = {f.id: f for f in read_text(p, fw).facts}
    f = facts[fact]
    assert f.polarity is polarity, (text, f.polarity, f.mentions)
    assert f.applied is applied
    sentences = re.split(r"(?<=\.) ", text)
    assert f.quote == sentences[decisive]
    # the negated mention is kept as evidence against, the affirmed one stands or is asked
    assert {m.polarity for m in f.mentions} >= {N} or polarity is H
    if polarity is Q:
        assert f.question


_HANDOVER = "Example University hands its weights to Example Daxue."


@pytest.mark.parametrize(
    ("title", "text", "polarity"),
    [
        # the negated object is a list item, quantified, or has only generic modifiers: asked
        (None, "We will not share: a) scores, b) weights. " + _HANDOVER, Q),
        (None, "No weights of any kind are shared. " + _HANDOVER, Q),
        (None, "Neither side gets the other's weights. " + _HANDOVER, Q),
        (None, "We will not share the full model weights. " + _HANDOVER, Q),
        # narrowed by a plain modifier or a possessor: the affirmed handover stands
        (None, "We will not share base model weights. " + _HANDOVER, A),
        (None, "Example Daxue's weights are not shared. " + _HANDOVER, A),
        # the title denies, the description affirms: different sentences
        ("No base-model weights are shared", _HANDOVER, A),
        ("Model weights are not shared", _HANDOVER, Q),
    ],
)
def test_what_a_negation_in_another_sentence_covers(
    fw: Framework, title: str | None, text: str, polarity: Polarity
) -> None:
    p = proposal("evaluations", description=text, **({"title": title} if title else {}))
    (f,) = [f for f in read_text(p, fw).facts if f.id == "weights_shared"]
    assert f.polarity is polarity, (text, f.mentions)
    assert Polarity.negated in {m.polarity for m in f.mentions}
    assert f.applied is (polarity is A)
    assert f.quote == _HANDOVER


def test_the_sentence_that_names_the_parties_decides(fw: Framework) -> None:
    """Of several sentences stating a handover, the one that says who gives and who gets is
    quoted and read for the parties (a title names nobody)."""
    sentence = "Example University hands its model weights to Example Daxue."
    p = proposal(
        "evaluations",
        title="Sharing model weights for joint safety evaluations",
        description=sentence,
    )
    (f,) = read_text(p, fw).facts
    assert f.applied and f.quote == sentence and f.question is None
    assert f.applied_as[:2] == ["us-uni contributes model_weights", "cn-uni receives model_weights"]
    assert [m.field for m in f.mentions] == ["title", "description"]


def test_passive_handover_is_quoted_from_its_sentence(fw: Framework) -> None:
    """ "pre-release checkpoints" in a title names a kind of checkpoint, it does not release them:
    the fact is quoted from the sentence that states it, and its parties come from there."""
    sentence = (
        "For calibration, the weights of three pre-release checkpoints will be handed over to "
        "Example Daxue by the Example University team, and the fingerprints will be computed there."
    )
    p = proposal(
        "verification",
        title="Provenance fingerprints for pre-release checkpoints",
        description="The method will be presented at two workshops. " + sentence,
    )
    (f,) = read_text(p, fw).facts
    assert f.id == "weights_shared" and f.applied and f.polarity is A
    assert f.quote == sentence
    assert f.question is None  # the giver is named: no "whose weights?" question
    assert "us-uni contributes model_weights" in f.applied_as
    assert "cn-uni receives model_weights" in f.applied_as
    assert [m.field for m in f.mentions] == ["description"]
    # a verb inside a word is not the verb: "unreleased", "non-disclosed" weights state nothing
    for title in ("Unreleased model weights", "Non-disclosed checkpoints and post-release audits"):
        assert read_text(proposal("verification", title=title), fw).facts == ()


def test_unrelated_text_reads_no_fact(fw: Framework) -> None:
    p = proposal(
        "protocols",
        summary="A shared baseline protocol for securing frontier model weights, drafted from "
        "published guidance. We share results but not weights.",
    )
    assert read_text(p, fw).facts == ()


def test_facts_map_onto_the_fields_the_rules_read(fw: Framework) -> None:
    p = proposal(
        "evaluations",
        description=(
            "Example University hands its model weights to Example Daxue. "
            "The teams red-team the model on biological weapons tasks. "
            "The two teams jointly develop the evaluation harness code. "
            "Two visiting researchers from Example Daxue spend three months in the lab. "
            "Example Daxue has root access to the cluster."
        ),
    )
    eff = read_text(p, fw).effective
    us, cn = eff.parties
    assert Asset.model_weights in us.contributes and Asset.model_weights in cn.receives
    assert eff.model_access is ModelAccess.weights
    assert StrategicTech.bio_chem in eff.strategic_intersections
    assert Form.joint_software in eff.forms and Form.personnel_exchange in eff.forms
    assert cn.administers_infrastructure and not us.administers_infrastructure
    # the declared proposal is untouched (it is what the assessment records and hashes)
    assert p.model_access is ModelAccess.none and not p.forms


def test_declared_facts_are_not_repeated_and_conflicts_are_asked(fw: Framework) -> None:
    p = proposal(
        "evaluations",
        strategic_intersections=["bio_chem"],
        description="We red-team models on biological weapons tasks.",
    )
    assert read_text(p, fw).facts == ()
    p = proposal(
        "evaluations", model_access="weights", description="There is no access to model weights."
    )
    (f,) = read_text(p, fw).facts
    assert f.polarity is N and not f.applied and f.question and "declaration is used" in f.question


def test_elicitation_in_text_fires_the_rule_it_would_declared(fw: Framework) -> None:
    text = "The teams will exchange their tuned agent scaffolds and elicitation prompts."
    a = assess(proposal("evaluations", description=text), fw)
    assert {r.risk: r.residual for r in a.risks}["R2_differential"] == "high"
    assert any(t.rule == "EVA-R2-ELICIT-SHARE" for t in a.trace)
    assert a.text_facts[0].status == "stated in the text, not declared"


def test_safeguard_contradicted_by_the_text_is_not_credited(fw: Framework) -> None:
    text = "The teams will exchange their tuned agent scaffolds and elicitation prompts."
    a = assess(
        proposal("evaluations", description=text, safeguards=["no-elicitation-exchange"]), fw
    )
    (x,) = a.safeguards_not_credited
    assert x.safeguard == "no-elicitation-exchange" and x.facts == ["elicitation_shared"]
    assert x.quotes == [text]
    # not credited: R2 stays high; the safeguard is listed as planned and not credited, with why
    assert {r.risk: r.residual for r in a.risks}["R2_differential"] == "high"
    (sg,) = [s for s in a.safeguards if s.id == "no-elicitation-exchange"]
    assert sg.planned and not sg.credited and not sg.relied_on
    assert sg.not_credited_because and "the text contradicts it" in sg.not_credited_because
    assert text in sg.not_credited_because
    assert sg.requires_dropping  # still weighed as a change of plan
    assert "Planned but not credited (the text contradicts it)" in a.statement
    assert "its precondition does not hold" not in a.statement
    assert "| yes, not credited |" in render(a, "md")
    assert 'data-safeguard-not-credited="no-elicitation-exchange"' in render(a, "html")
    assert a.verdict.level in ("needs_senior_review", "not_advisable")
    assert any("not credited" in c for c in a.verdict.conditions)
    for kind in ("md", "html", "text"):
        assert "not credited" in render(a, kind)
    # the same safeguard with a text that rules the exchange out is credited
    b = assess(
        proposal(
            "evaluations",
            description="The partners will not share elicitation methods.",
            safeguards=["no-elicitation-exchange"],
        ),
        fw,
    )
    assert b.safeguards_not_credited == []
    assert {r.risk: r.residual for r in b.risks}["R2_differential"] != "high"


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("The partner has no access to model weights.", False),
        ("Example University hands the model weights to the partner.", True),
        ("If we later decide to share model weights, we will apply for a licence.", False),
        ("Frontier model weights are excluded from the exchange.", False),
    ],
)
def test_controlled_tech_flags_read_text_the_same_way(text: str, fires: bool) -> None:
    ct, _ = tech_flags(proposal("verification", description=text))
    assert ("ct.model_weights_4e091" in {f.id for f in ct}) is fires


@pytest.mark.parametrize(
    ("sentence", "polarity"),
    [
        ("We share results, but no model weights.", N),
        ("Humans, not AI, should control decisions on the use of nuclear weapons.", A),
        ("Not only benchmarks but also weights are released.", A),
        ("The CBRN suite is excluded from the exchange.", N),
        ("Unless both sides agree, weights stay home.", H),
        ("Lessons from nuclear arms control inform the design.", Q),
        # a condition on a phase or the plan scopes the whole sentence (held-out round 5)
        ("Subject to ministerial approval, the lab would hand over model weights.", H),
        ("In a second phase, the partners get access and both teams exchange model weights.", H),
        ("Pending approval, phase 2 gives the partner the model weights.", H),
        ("The first phase shares model weights with the partner.", A),
    ],
)
def test_polarity_reader(sentence: str, polarity: Polarity) -> None:
    pat = re.compile(r"\b(?:weights|nuclear|cbrn)\b", re.IGNORECASE)
    (span, *_) = find(pat, sentence)
    assert span.polarity is polarity, (span.cue, span.polarity)
    assert (first_affirmed(pat, sentence) is not None) is (polarity is A)


def test_trigger_pre_check_over_joined_fields_is_per_field() -> None:
    """_triggered scans the fields joined by NUL first: no trigger may contain one."""
    from detente.assessment.textfacts import _triggered, _triggers

    assert all("\0" not in t for t, _ in _triggers())
    lowered = {"title": "cbrn", "summary": "jointly written code", "description": "chem"}
    assert _triggered(lowered) == {
        "title": {"bio_chem_focus", "nuclear_focus"},
        "summary": {"joint_code"},
    }


# How a sentence names the party that holds a fact: by name, alias or key, or by description (a
# demonym and a noun the party fits); written from the sentence's meaning before running.
PARTY_CASES: list[tuple[str, dict[str, object], list[str]]] = [
    ("Engineers from the Chinese partner will hold root access to the cluster.", {}, ["cn-uni"]),
    ("The Chinese university has root access to the shared cluster.", {}, ["cn-uni"]),
    ("The US university has root access to the shared cluster.", {}, ["us-uni"]),
    ("The Chinese side has root access to the shared cluster.", {}, ["cn-uni"]),
    # a quantifier names every party the noun fits, whatever its country
    (
        "Engineers from both universities will hold root access to the shared cluster.",
        {},
        ["us-uni", "cn-uni"],
    ),
    # "us" the pronoun is not the country
    ("Let us team up with someone who will hold root access to the cluster.", {}, []),
    # the noun does not fit the party (a university, not a company): not resolved, asked
    ("The Chinese company has root access to the shared cluster.", {}, []),
    # a company name ending in "Co." does not end the sentence
    (
        "Engineers from Example Intelligence Co. will hold root access to the cluster.",
        {"cn": {"name": "Example Intelligence Co.", "type": "company"}},
        ["cn-uni"],
    ),
]


@pytest.mark.parametrize(("sentence", "fields", "administers"), PARTY_CASES)
def test_the_party_a_sentence_names(
    fw: Framework, sentence: str, fields: dict[str, object], administers: list[str]
) -> None:
    p = proposal("infrastructure", description=sentence, **fields)  # type: ignore[arg-type]
    reading = read_text(p, fw)
    (fact,) = [f for f in reading.facts if f.id == "admin_access"]
    assert fact.quote == sentence
    assert [x.key for x in reading.effective.parties if x.administers_infrastructure] == administers
    assert (fact.question is None) is bool(administers)  # unresolved: a question, not a guess


def test_a_question_from_the_text_is_a_condition_of_the_verdict(fw: Framework) -> None:
    p = proposal("infrastructure", description="Someone will hold root access to the cluster.")
    a = assess(p, fw)
    (fact,) = [f for f in a.text_facts if f.id == "admin_access"]
    assert fact.question and not fact.applied
    assert any(fact.question in c for c in a.verdict.conditions)
    assert "The text raises a question the proposal does not answer" in a.statement


# Holdout round 3 (tests/cases/verdict_cases_holdout3.yaml): rows written from the sentences'
# meaning before the change.
#
# An explicit declaration (the field is in the proposal's model_fields_set) that the text
# contradicts is a question, as a denied declared fact is: the declaration is used, the text is
# not applied.  A field left to its default is not a declaration: the text's fact is applied.
_HANDS = "Example University hands its model weights to Example Daxue."


@pytest.mark.parametrize(
    ("fields", "polarity", "applied", "question"),
    [
        ({"model_access": "none"}, A, False, True),
        ({"model_access": "api"}, A, False, True),
        ({}, A, True, False),
    ],
)
def test_an_explicit_declaration_the_text_contradicts_is_asked(
    fw: Framework, fields: dict[str, str], polarity: Polarity, applied: bool, question: bool
) -> None:
    p = proposal("evaluations", description=_HANDS, **fields)
    reading = read_text(p, fw)
    (f,) = [f for f in reading.facts if f.id == "weights_shared"]
    assert f.polarity is polarity and f.applied is applied
    assert bool(f.question) is question
    if question:
        assert "declaration is used" in (f.question or "")
        assert f"model_access: {fields['model_access']}" in (f.question or "")
        assert reading.effective.model_access is p.model_access
        assert all(Asset.model_weights not in x.contributes for x in reading.effective.parties)


# A denial of a part of a declared focus (text facts 1.7.0, holdout8 h8-09): with `bio_chem`
# declared, a denial of the material handled or the lab work done ("no pathogen sequences", "no
# toxins", "no wet-lab work") or of an object the sentence qualifies ("no national biodefence
# programme information") does not contradict the declaration: no question, and nothing shown as
# ruled out. A denial of the focus itself ("no biological or chemical topics", "CBRN tasks are
# excluded", "no biological weapons tasks") still asks "Which is right?". Undeclared, every such
# denial is shown as ruled out, as before. Written from the sentences' meaning before running.
PART_DENIAL_CASES: list[tuple[str, bool]] = [
    # (sentence, declared bio_chem is asked about)
    ("It does not involve any pathogen sequences, lab work or model testing.", False),
    ("No pathogens are handled.", False),
    ("The working group does no wet-lab work and handles no toxins.", False),
    ("Participants agree that no national biodefence programme information is discussed.", False),
    ("The work involves no biological or chemical topics.", True),
    ("The work involves no bio/chem topics.", True),
    ("CBRN tasks are excluded.", True),
    ("There are no biological weapons tasks in the suite.", True),
    # a part and the focus itself denied in one sentence: the general denial is asked about
    ("No pathogens, toxins or CBRN content are involved.", True),
    # a part denied in one sentence, the focus in another
    ("No pathogens are handled. Biosecurity is out of scope.", True),
]


@pytest.mark.parametrize(("sentence", "asked"), PART_DENIAL_CASES)
def test_a_denial_of_a_part_does_not_contradict_the_declared_focus(
    fw: Framework, sentence: str, asked: bool
) -> None:
    declared = proposal("protocols", strategic_intersections=["bio_chem"], description=sentence)
    facts = [f for f in read_text(declared, fw).facts if f.id == "bio_chem_focus"]
    if asked:
        (f,) = facts
        assert f.polarity is N and not f.applied
        assert f.question and "Which is right?" in f.question, f.question
        assert "no biological or chemical" not in sentence.lower() or f.quote == sentence
    else:
        assert facts == [], facts
    # undeclared: the denial is read and shown as ruled out (never applied, never asked)
    undeclared = proposal("protocols", strategic_intersections=[], description=sentence)
    (f,) = [f for f in read_text(undeclared, fw).facts if f.id == "bio_chem_focus"]
    assert f.polarity is N and not f.applied and f.question is None


def test_biological_or_chemical_is_a_mention_of_the_focus(fw: Framework) -> None:
    p = proposal("evaluations", description="The suite covers biological and chemical topics.")
    (f,) = [f for f in read_text(p, fw).facts if f.id == "bio_chem_focus"]
    assert f.polarity is A and f.applied


# A public release (to everyone) is not a handover to a party: it is read as its own fact,
# `weights_public` (target publication:open).  Never applied (open publication lowers R2, and
# the text cannot lower a risk the fields do not); when the proposal does not declare
# `publication: open`, it is a question; when it does, the declaration covers it (no fact).
@pytest.mark.parametrize(
    ("sentence", "fields", "public", "handover"),
    [
        (
            "We will release the trained autoencoder weights and the feature labels publicly, "
            "together with a joint paper.",
            {"publication": "open", "model_access": "none"},
            None,
            None,
        ),
        (
            "We will release the trained autoencoder weights and the feature labels publicly, "
            "together with a joint paper.",
            {},
            A,
            None,
        ),
        (
            "The model weights will be published openly on Hugging Face.",
            {"publication": "restricted"},
            A,
            None,
        ),
        ("The teams open-source the fine-tuned weights.", {}, A, None),
        ("The lab could later release the weights publicly.", {}, H, None),
        (_HANDS + " The weights will not be released publicly.", {}, N, A),
        (_HANDS + " The weights will not be released publicly.", {"publication": "open"}, N, A),
    ],
)
def test_a_public_release_is_not_a_handover(
    fw: Framework,
    sentence: str,
    fields: dict[str, str],
    public: Polarity | None,
    handover: Polarity | None,
) -> None:
    p = proposal("evaluations", description=sentence, **fields)
    facts = {f.id: f for f in read_text(p, fw).facts}
    assert (facts["weights_shared"].polarity if "weights_shared" in facts else None) is handover
    assert (facts["weights_public"].polarity if "weights_public" in facts else None) is public
    if "weights_shared" in facts:
        assert facts["weights_shared"].applied and facts["weights_shared"].question is None
    if public is not None:
        f = facts["weights_public"]
        assert not f.applied and f.target == "publication:open"
        assert bool(f.question) is (public is not N)


@pytest.mark.parametrize(
    "text",
    [
        # the verb's object is the score; the checkpoint is the agent of "produced by"
        "A third party can check that a published benchmark score was produced by the "
        "checkpoint the developer says it was.",
        "Scores published by the lab are checked against the checkpoint it names.",
    ],
)
def test_a_checkpoint_named_as_an_agent_is_no_handover(fw: Framework, text: str) -> None:
    p = proposal("evaluations", description=text)
    assert [f.id for f in read_text(p, fw).facts if f.id == "weights_shared"] == []


def test_score_provenance_with_a_general_denial_raises_no_question(fw: Framework) -> None:
    """h3-06: "produced by the checkpoint" is no weights mention; "No weights, gradients or
    activations are shared" rules weights out, and nothing is asked."""
    p = proposal(
        "evaluations",
        summary=(
            "New York University and Shanghai Jiao Tong University will build an open-source "
            "library that lets a third party check, by querying a model, that a published "
            "benchmark score was produced by the checkpoint the developer says it was."
        ),
        description=(
            "A lab can report a score from an internal checkpoint and release a different one. "
            "No weights, gradients or activations are shared."
        ),
    )
    (f,) = [f for f in read_text(p, fw).facts if f.id == "weights_shared"]
    assert f.polarity is N and f.question is None and not f.applied


_CSCS = {
    "id": "cscs",
    "name": "Swiss National Supercomputing Centre",
    "aliases": ["CSCS"],
    "country": "CH",
    "type": "research_institute",
    "role": "host",
    "neutral": True,
    "administers_infrastructure": True,
}
_US = {"id": "us-uni", "name": "Example University", "country": "US", "type": "university"}
_CN = {"id": "cn-uni", "name": "Example Daxue", "country": "CN", "type": "university"}


@pytest.mark.parametrize(
    ("parties", "text", "question"),
    [
        # the declared administrator is the neutral host: a denial about the teams is consistent
        (
            [_US, _CN, _CSCS],
            "CSCS administers the partition and keeps the logs; neither team has "
            "administrative rights.",
            False,
        ),
        ([_US, _CN, _CSCS], "Neither side has root access to the cluster.", False),
        # a denial that names another party than the administrator is consistent
        (
            [_US, {**_CN, "administers_infrastructure": True}],
            "Example University has no administrative access to the cluster.",
            False,
        ),
        # the declared administrator is one of the teams: the denial contradicts it
        (
            [_US, {**_CN, "administers_infrastructure": True}],
            "Neither team has administrative rights.",
            True,
        ),
        # a general denial covers the neutral host too
        ([_US, _CN, _CSCS], "Nobody has administrative access to the cluster.", True),
    ],
)
def test_a_denial_contradicts_only_the_administrators_it_covers(
    fw: Framework, parties: list[dict[str, object]], text: str, question: bool
) -> None:
    p = proposal("infrastructure", description=text, parties=parties)
    (f,) = [f for f in read_text(p, fw).facts if f.id == "admin_access"]
    assert f.polarity is N and not f.applied
    assert bool(f.question) is question, f.question


# "take/bring … back to" (text facts 1.5.0, holdout4 h4-02): a person carries elicitation
# techniques home, a hand-over to the party at the destination although no verb of giving is used.
# Each row: the sentence, the polarity (None: no mention of the fact at all) and, when applied, the
# giver and receiver. Written from the sentences' meaning before running.
TAKE_BACK_CASES: list[tuple[str, Polarity | None, tuple[str, str] | None]] = [
    (
        "He will take the attack code and the jailbreak techniques we develop back to his home lab"
        " at Example Daxue.",
        A,
        ("us-uni", "cn-uni"),
    ),
    ("He will take the jailbreak techniques back to Example Daxue.", A, ("us-uni", "cn-uni")),
    (
        "The visiting student brings the elicitation prompts we write back home to Example Daxue.",
        A,
        ("us-uni", "cn-uni"),
    ),
    ("The jailbreak prompts will be taken back to Example Daxue.", A, ("us-uni", "cn-uni")),
    # negations: the polarity reader's, or nothing is taken
    ("He will not take the jailbreak techniques back to Example Daxue.", N, None),
    ("No jailbreak techniques will be taken back to Example Daxue.", N, None),
    (
        "He takes nothing back to Example Daxue except his notes on jailbreak techniques.",
        None,
        None,
    ),
    # hypothetical
    ("He might take the jailbreak techniques back to Example Daxue later.", H, None),
    # unrelated "back to" and "take" phrases: no hand-over
    (
        "We will take the jailbreak techniques into account and report back to the board.",
        None,
        None,
    ),
    ("We take inspiration from jailbreak techniques dating back to 2022.", None, None),
    ("He will go back to Example Daxue after studying jailbreak techniques.", None, None),
    ("The jailbreak techniques trace back to early work at Example Daxue.", None, None),
    ("We take part in a jailbreak techniques survey and then fly back to Beijing.", None, None),
]


@pytest.mark.parametrize(("sentence", "polarity", "direction"), TAKE_BACK_CASES)
def test_taking_techniques_back_is_a_hand_over(
    fw: Framework, sentence: str, polarity: Polarity | None, direction: tuple[str, str] | None
) -> None:
    reading = read_text(proposal("evaluations", description=sentence), fw)
    facts = {f.id: f for f in reading.facts}
    if polarity is None:
        assert "elicitation_shared" not in facts, facts.get("elicitation_shared")
        return
    f = facts["elicitation_shared"]
    assert f.polarity is polarity, (sentence, f.polarity, f.mentions)
    assert f.applied is (polarity is A)
    parties = {x.key: x for x in reading.effective.parties}
    if direction is not None:
        giver, receiver = direction
        assert Asset.elicitation_techniques in parties[giver].contributes
        assert Asset.elicitation_techniques in parties[receiver].receives
        assert Asset.elicitation_techniques not in parties[receiver].contributes
    if polarity is not A:
        assert all(Asset.elicitation_techniques not in x.receives for x in parties.values())


# Every giver a handover names is applied (text facts 1.6.0, holdout7 h7-09): one sentence naming
# two givers, or two sentences naming one each; a denial applies to the givers it names only;
# "neither … nor" applies none; a handover naming no giver keeps its former reading (elicitation:
# shared among all sides; weights: asked whose). Each row: the fact, the text, the parties that
# contribute the asset afterwards, whether a question is asked, and how many sentences are quoted
# as applied. Written from the sentences' meaning before running.
_US, _CN = "Example University", "Example Daxue"
GIVER_CASES: list[tuple[str, str, set[str], bool, int]] = [
    (
        "elicitation_shared",
        f"{_US} hands over its jailbreak prompts to {_CN}, and {_CN} hands over its attack "
        f"scaffolds to {_US}.",
        {"us-uni", "cn-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"{_US} hands over its jailbreak prompts to {_CN} and {_CN} hands over its red-teaming "
        f"prompts to {_US}.",
        {"us-uni", "cn-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"{_US} hands over its jailbreak prompts to {_CN}. Later, {_CN} shares its attack "
        f"scaffolds with {_US}.",
        {"us-uni", "cn-uni"},
        False,
        2,
    ),
    (
        "elicitation_shared",
        f"{_US} and {_CN} will each hand over their jailbreak prompts.",
        {"us-uni", "cn-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"{_US} hands over its jailbreak prompts to {_CN}.",
        {"us-uni"},
        False,
        1,
    ),
    # negations: per giver
    (
        "elicitation_shared",
        f"{_US} will share its jailbreak prompts; {_CN} will not.",
        {"us-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"{_US} will share its jailbreak prompts with {_CN}, but {_CN} will not share its attack "
        "scaffolds.",
        {"us-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"{_US} will share its jailbreak prompts with {_CN}. {_CN} will not share any jailbreak "
        "prompts.",
        {"us-uni"},
        False,
        1,
    ),
    (
        "elicitation_shared",
        f"Neither {_US} nor {_CN} will share their jailbreak prompts.",
        set(),
        False,
        0,
    ),
    # the same giver stated and denied: asked, not applied
    (
        "elicitation_shared",
        f"{_US} will share its jailbreak prompts with {_CN}. {_US} will not share any jailbreak "
        "prompts.",
        set(),
        True,
        0,
    ),
    # weights: both givers; one denied; no giver named (asked whose)
    (
        "weights_shared",
        f"{_US} hands its model weights to {_CN}, and {_CN} hands its checkpoints to {_US}.",
        {"us-uni", "cn-uni"},
        False,
        1,
    ),
    (
        "weights_shared",
        f"{_US} hands its model weights to {_CN}; {_CN} will not.",
        {"us-uni"},
        False,
        1,
    ),
    ("weights_shared", "Model weights are transferred for testing.", set(), True, 1),
]


@pytest.mark.parametrize(("fact", "text", "givers", "question", "quoted"), GIVER_CASES)
def test_every_stated_giver_is_applied(
    fw: Framework, fact: str, text: str, givers: set[str], question: bool, quoted: int
) -> None:
    reading = read_text(proposal("evaluations", description=text), fw)
    asset = Asset.elicitation_techniques if fact == "elicitation_shared" else Asset.model_weights
    gave = {x.key for x in reading.effective.parties if asset in x.contributes}
    assert gave == givers, [f.applied_as for f in reading.facts]
    facts = [f for f in reading.facts if f.id == fact]
    assert any(f.question for f in facts) is question, facts
    applied = [f for f in facts if f.applied]
    assert len(applied) == quoted, applied
    # each applied record quotes the sentence it was read in, and names only its own givers
    for f in applied:
        assert f.quote in text
        for line in f.applied_as:
            if line.endswith(f"contributes {asset.value}") and not line.startswith("every"):
                name = _US if line.startswith("us-uni") else _CN
                assert name in f.quote, (line, f.quote)
    # a giver on one side gives to the other: each side that gives also receives
    for x in reading.effective.parties:
        if len(givers) == 2:
            assert asset in x.receives
