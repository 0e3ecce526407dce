"""The guided form covers every field of a proposal: a proposal written in YAML, opened in the
form and submitted unchanged, gives an identical revision; new fields validate like the CLI."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from detente.store.service import Workflow

from .conftest import actor, login

FULL = """\
schema: detente.proposal/1
id: full-example
title: Joint evaluation of agent red-teaming methods
summary: Two labs and a neutral host compare agent-evaluation methods.
description: |-
  The parties design benchmarks and run evaluations of agents.
  Line two of the description.
areas:
  - id: evaluations
    subtopics: [red_teaming, agent_evaluations]
  - id: infrastructure
parties:
  - id: lab-a
    name: Example Lab A
    name_native: 示例实验室甲
    aliases: [ELA, Example Lab Alpha, "Lab A, Inc."]
    country: US
    side: west
    type: company
    role: lead
    contributes: [expertise, evaluation_data]
    receives: [published_knowledge]
    administers_infrastructure: true
  - id: lab-b
    name: Example Lab B
    name_native: 示例实验室乙
    aliases: [ELB]
    country: CN
    type: research_institute
    role: partner
    contributes: [expertise]
    receives: [evaluation_data, expertise]
  - id: host
    name: Neutral Host Foundation
    country: CH
    type: nonprofit
    role: host
    neutral: true
people:
  - name: Jane Roe
    affiliation: lab-a
    role: principal investigator
  - name: Li Wei
    name_native: 李伟
    affiliation: Example Lab B
    role: co-investigator
forms: [joint_publication, shared_benchmarks, joint_red_teaming]
activities: [run_evaluations, design_benchmarks, agent_evaluation]
model_access: api
strategic_intersections: [cyber]
maturity: incremental
capability_lead: parity
infrastructure:
  hosting: one_party
  hosted_by: host
  scope: safety_specific
  builds_on_national_infrastructure: true
source_code: safety_tooling
governance: neutral_chair
purposes: [reduce_uncertainty, misuse_prevention]
publication: pre_publication_review
funding:
  - funder: Example Philanthropy
    country: GB
    type: philanthropic
    amount: GBP 200,000
  - funder: Example Science Agency
    country: US
    type: government
safeguards: [results-only-disclosure, independent-code-review]
notes: Reviewed by both institutions' export-control offices.
"""


class FormReader(HTMLParser):
    """What a browser would post for the form with a given id, untouched by the user."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("file", "submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a.get("name", ""), "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"name": a.get("name", ""), "text": ""}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            opts = self._select["options"]
            chosen = [o for o in opts if o["selected"]]
            if not chosen and not self._select["multiple"] and opts:
                chosen = [opts[0]]
            for o in chosen:
                value = o["value"] if o["value"] is not None else o["text"]
                self.fields.append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            text = text[1:] if text.startswith("\n") else text  # as browsers parse it
            self.fields.append((self._textarea["name"], text.replace("\n", "\r\n")))
            self._textarea = None


def form_fields(html: str, form_id: str = "proposal-form") -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    assert reader.fields, f"no form {form_id!r} on the page"
    return reader.fields


def test_every_field_round_trips_through_the_guided_form(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    alice = actor(wf, "alice")
    p = wf.submit(alice, FULL, source="full.yaml")
    first = wf.revision(alice, p.id, 1)
    login(client, "alice")
    page = client.get(f"/proposals/{p.id}/revise")
    assert page.status_code == 200
    for shown in ("示例实验室甲", "ELA; Example Lab Alpha; Lab A, Inc.", "李伟", "GBP 200,000"):
        assert shown in page.text
    fields = [(k, v) for k, v in form_fields(page.text) if k not in ("text",)]
    assert ("mode", "form") in fields
    r = client.post(f"/proposals/{p.id}/revise", data=_multi(fields), follow_redirects=False)
    assert r.status_code == 303, r.text
    second = wf.revision(alice, p.id, 2)
    assert second.source_format == "yaml"
    assert second.data == first.data
    # and so is the assessment's view of it
    _m1, a1 = wf.assessment(alice, p.id, 1)
    _m2, a2 = wf.assessment(alice, p.id, 2)
    assert a1.verdict == a2.verdict
    assert a1.proposal_sha256 == a2.proposal_sha256


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in fields:
        out.setdefault(k, []).append(v)
    return out


def test_new_fields_show_the_cli_messages_inline(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "mode": "form",
        "title": "Funding and people",
        "party-0-name": "Example Lab A",
        "party-0-country": "US",
        "party-0-aliases": "ELA; ",
        "party-0-neutral": "1",
        "party-1-name": "Example Lab B",
        "party-1-country": "CN",
        "person-0-name": "",
        "person-0-role": "lead",
        "funding-0-funder": "",
        "funding-0-country": "Britain",
        "funding-0-type": "philanthropic",
        "subtopics-evaluations": ["no_such_subtopic"],
    }
    r = client.post("/proposals/new", data=form)
    assert r.status_code == 422
    from starlette.datastructures import FormData

    from detente.errors import ProposalError
    from detente.web.forms import document_from_form, to_yaml

    fd = FormData(
        [(k, v) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    doc = document_from_form(fd)
    assert doc["parties"][0]["aliases"] == ["ELA"] and doc["parties"][0]["neutral"] is True
    assert doc["areas"] == [{"id": "evaluations", "subtopics": ["no_such_subtopic"]}]
    with pytest.raises(ProposalError) as cli:
        wf.parse(to_yaml(doc), "form")
    fields = {p.field for p in cli.value.problems}
    assert {"people[0].name", "funding[0].country"} <= fields
    for p in cli.value.problems:
        assert p.message.replace("'", "&#39;") in r.text
    # typed values are kept on the page
    assert 'value="Britain"' in r.text and 'value="ELA"' in r.text
    assert wf.list_proposals(actor(wf, "rita"))[1] == 0


def test_the_one_line_people_text_still_works(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    r = client.post(
        "/proposals/new",
        data={
            "csrf_token": csrf,
            "title": "People as text",
            "party-0-name": "Institute One",
            "party-0-country": "US",
            "people": "Li Wei | Institute One | lead | 李伟",
        },
    )
    assert r.status_code == 200
    person = wf.revision(actor(wf, "alice"), 1).data["people"][0]
    person = {k: v for k, v in person.items() if v is not None}  # optional blocks not stated
    assert person == {
        "name": "Li Wei",
        "name_native": "李伟",
        "affiliation": "Institute One",
        "role": "lead",
    }


# A proposal that leaves out what the rules ask for (no model access, no access grants) but
# answers that no strategic technology is touched (an empty list): the form must not answer for
# the author ("none" is the stored default of model_access) nor drop an answer it was given.
LEAVES_OUT = """\
title: Joint evaluation of agent honesty
summary: Two universities compare honesty evaluation results.
areas:
  - id: evaluations
parties:
  - {id: mit, name: Massachusetts Institute of Technology, country: US, type: university}
  - {id: zju, name: Zhejiang University, country: CN, type: university}
forms: [joint_publication, shared_benchmarks]
strategic_intersections: []
purposes: [accident_prevention]
publication: open
"""

# Fields the guided form has no inputs for: kept from the revision being edited.
NOT_ON_FORM = """\
title: Shared honesty benchmark
metadata:
  principal_investigator: Prof. Ada Example
  award_number: AW-1
  start_date: 2027-01-01
areas:
  - id: evaluations
parties:
  - {id: ucb, name: University of California Berkeley, country: US, type: university}
  - {id: pku, name: Peking University, country: CN, type: university}
people:
  - name: Eve Example
    affiliation: ucb
    nationality: US
    disclosures: {complete: true, citizenships: [US]}
forms: [shared_benchmarks]
access:
  - {to: pku, of: model, level: api, owner: ucb}
track: track_2
rivalry:
  id: us-cn
  sides:
    - {id: US, countries: [US]}
    - {id: CN, countries: [CN]}
strategic_intersections: [cyber]
research_security: {funder: NSF, fundamental: true}
publication: open
"""


def _round_trip(client, wf: Workflow, text: str) -> tuple[Any, Any, Any, Any]:  # type: ignore[no-untyped-def]
    alice = actor(wf, "alice")
    p = wf.submit(alice, text, source="p.yaml")
    login(client, "alice")
    page = client.get(f"/proposals/{p.id}/revise")
    assert page.status_code == 200
    r = client.post(
        f"/proposals/{p.id}/revise", data=_multi(form_fields(page.text)), follow_redirects=False
    )
    assert r.status_code == 303, r.text
    first, second = wf.revision(alice, p.id, 1), wf.revision(alice, p.id, 2)
    _m1, a1 = wf.assessment(alice, p.id, 1)
    _m2, a2 = wf.assessment(alice, p.id, 2)
    return first, second, a1, a2


def test_the_form_keeps_what_is_not_stated(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    _first, second, a1, a2 = _round_trip(client, wf, LEAVES_OUT)
    assert "model_access" not in second.source_text  # not stated stays not stated
    assert "strategic_intersections: []" in second.source_text  # "none" stays an answer
    assert any("[V-UNSTATED-ACCESS;" in c for c in a1.verdict.conditions)
    assert a2.verdict == a1.verdict  # the same conditions: V-UNSTATED-ACCESS, no V-UNSTATED-FOCUS
    assert a2.proposal_sha256 == a1.proposal_sha256


def test_fields_not_on_the_form_are_kept(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    first, second, a1, a2 = _round_trip(client, wf, NOT_ON_FORM)
    assert second.data == first.data
    page = client.get("/proposals/1/revise").text
    assert "<code>access</code>" in page and "<code>people: disclosures</code>" in page
    assert a2.verdict == a1.verdict
    assert a2.proposal_sha256 == a1.proposal_sha256


def test_none_of_these_is_an_answer(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "alice")
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "mode": "form",
        "title": "Honesty evaluations",
        "areas": "evaluations",
        "party-0-name": "Example Lab A",
        "party-0-country": "US",
        "party-1-name": "Example Lab B",
        "party-1-country": "CN",
        "forms": "shared_benchmarks",
        "model_access": "none",
    }
    r = client.post("/proposals/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(
        "/proposals/new", data={**form, "strategic_intersections": "none"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    alice = actor(wf, "alice")
    unstated, answered = wf.assessment(alice, 1)[1], wf.assessment(alice, 2)[1]
    asks = lambda a: any("[V-UNSTATED-FOCUS;" in c for c in a.verdict.conditions)  # noqa: E731
    assert asks(unstated) and not asks(answered)
    assert "strategic_intersections: []" in wf.revision(alice, 2).source_text
    page = client.get("/proposals/2/revise").text
    assert 'name="strategic_intersections" value="none" checked' in page


def test_a_large_proposal_can_be_revised_on_the_page(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    """The page carries the proposal twice (the guided form's fields and the YAML text), and a
    browser posts both: a proposal within the 1 MB limit must not make the page's post a 413."""
    notes = "The parties read published incident-reporting schemes. " * 11_000  # ~600 KB
    text = f"title: Large\nparties:\n  - {{name: Example Lab, country: US}}\nnotes: {notes}\n"
    _first, second, a1, a2 = _round_trip(client, wf, text)
    assert second.data == _first.data and a2.verdict == a1.verdict


# The leading side gives source code (rules 2.6.0): unset, the verdict asks what the code is
# (V-UNSTATED-CODE); the form's `source_code` select answers it, and leaves it unset when not chosen.
LEADER_CODE = """\
title: Joint location-verification firmware
areas:
  - id: verification
parties:
  - {id: mit, name: Massachusetts Institute of Technology, country: US, type: university, contributes: [source_code]}
  - {id: zju, name: Zhejiang University, country: CN, type: university, receives: [source_code]}
forms: [joint_software]
model_access: none
capability_lead: US
"""


def test_the_form_keeps_the_source_code_question_open_and_answers_it(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    asks = lambda a: any("[V-UNSTATED-CODE;" in c for c in a.verdict.conditions)  # noqa: E731
    _first, second, a1, a2 = _round_trip(client, wf, LEADER_CODE)
    assert "source_code:" not in second.source_text.replace("[source_code]", "")  # unset stays so
    assert asks(a1) and asks(a2) and a2.proposal_sha256 == a1.proposal_sha256
    alice = actor(wf, "alice")
    page = client.get("/proposals/1/revise").text
    assert '<select name="source_code" id="source_code">' in page
    for kind, r2 in (("safety_tooling", "moderate"), ("capability", "high")):
        fields = [(k, v) for k, v in form_fields(page) if k != "source_code"]
        r = client.post(
            "/proposals/1/revise",
            data=_multi([*fields, ("source_code", kind)]),
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        rev = wf.revision(alice, 1)  # the latest
        _m, a = wf.assessment(alice, 1)
        assert f"source_code: {kind}" in rev.source_text
        assert a.proposal["source_code"] == kind and not asks(a)
        us = next(s for s in a.sides if s.side == "US")
        assert us.inherent["R2_differential"] == r2  # capability code raises the leader's R2
        page = client.get("/proposals/1/revise").text
        assert f'<option value="{kind}" selected>' in page


# One party controls the drafting (controlled_by): the form has an input for it, so a revision made
# with the form keeps the answer (it was dropped before, and V-UNSTATED-CONTROLLER asked again).
CONTROLLED = """\
title: A code of practice for incident reporting
areas:
  - id: protocols
parties:
  - {id: mit, name: Massachusetts Institute of Technology, country: US, type: university}
  - {id: zju, name: Zhejiang University, country: CN, type: university}
forms: [standards_drafting]
governance: one_party_controls
controlled_by: mit
"""


def test_the_form_keeps_controlled_by(client, wf: Workflow) -> None:  # type: ignore[no-untyped-def]
    first, second, a1, a2 = _round_trip(client, wf, CONTROLLED)
    assert second.data == first.data and "controlled_by: mit" in second.source_text
    assert not any("[V-UNSTATED-CONTROLLER;" in c for c in a2.verdict.conditions)
    assert a2.verdict == a1.verdict and a2.proposal_sha256 == a1.proposal_sha256
