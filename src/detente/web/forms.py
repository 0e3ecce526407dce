"""The guided proposal form: form fields ⇄ a proposal document (YAML).

The form builds the same document a person would write in YAML; it is then
validated by :func:`detente.assessment.loader.parse_proposal`, so the form
shows the same messages as the CLI.  The fields the form has no inputs for
(``KEPT_FIELDS``: access grants, track, rivalry, metadata, research-security
facts, and a person's identifiers and disclosures) are kept from the revision
being edited, so a revision opened in the form and submitted unchanged is
identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml
from starlette.datastructures import FormData, UploadFile

from detente.assessment import proposal as pm
from detente.assessment.loader import decode_proposal
from detente.errors import InputError, PayloadTooLargeError, Problem, ProposalError
from detente.framework.model import Framework

PARTY_ROWS_MIN = 3
PERSON_ROWS_MIN = 2
FUNDING_ROWS_MIN = 1
# the box "none of these" of a checkbox group whose empty list is an answer (rules.yaml V-UNSTATED-*)
NONE = "none"
# fields the form has no inputs for: a revision made with the form keeps them as they were
# (they are edited as YAML); the form page names the ones a revision has
KEPT_FIELDS = ("access", "track", "rivalry", "metadata", "research_security")
KEPT_PERSON_FIELDS = ("birth_date", "nationality", "identifiers", "disclosures")


def _choices(enum: type[StrEnum]) -> list[str]:
    return [e.value for e in enum]


CHOICES: dict[str, list[str]] = {
    "org_type": _choices(pm.OrgType),
    "role": _choices(pm.Role),
    "forms": _choices(pm.Form),
    "model_access": _choices(pm.ModelAccess),
    "assets": _choices(pm.Asset),
    "activities": _choices(pm.Activity),
    "strategic_intersections": _choices(pm.StrategicTech),
    "maturity": _choices(pm.Maturity),
    "publication": _choices(pm.Publication),
    "hosting": _choices(pm.Hosting),
    "scope": _choices(pm.InfraScope),
    "source_code": _choices(pm.CodeKind),
    "governance": _choices(pm.Governance),
    "purposes": _choices(pm.Purpose),
    "funding_type": _choices(pm.FundingType),
}


@dataclass
class FormState:
    """What the form shows: values (nested like the proposal) and problems by field path."""

    data: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    text: str = ""

    @property
    def by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.field or "", []).append(p.message)
        return out

    def _rows(self, key: str, minimum: int) -> list[dict[str, Any]]:
        rows = [r for r in self.data.get(key) or [] if isinstance(r, dict)]
        return rows + [{}] * max(0, minimum - len(rows))

    def party_rows(self) -> list[dict[str, Any]]:
        return self._rows("parties", PARTY_ROWS_MIN)

    def person_rows(self) -> list[dict[str, Any]]:
        return self._rows("people", PERSON_ROWS_MIN)

    def funding_rows(self) -> list[dict[str, Any]]:
        return self._rows("funding", FUNDING_ROWS_MIN)

    def kept_fields(self) -> list[str]:
        """The fields of this document the form does not show (kept as they are)."""
        people = [r for r in self.data.get("people") or [] if isinstance(r, dict)]
        kept = [k for k in KEPT_FIELDS if k in self.data]
        kept += [f"people: {k}" for k in KEPT_PERSON_FIELDS if any(k in r for r in people)]
        return kept

    def subtopics_of(self, area_id: str) -> list[str]:
        for a in self.data.get("areas") or []:
            if isinstance(a, dict) and a.get("id") == area_id:
                return [str(x) for x in a.get("subtopics") or []]
        return []


def _s(form: FormData, name: str) -> str:
    v = form.get(name)
    return v.replace("\r\n", "\n").strip() if isinstance(v, str) else ""


def _many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip()]


def _split(text: str) -> list[str]:
    """Aliases typed as ``A; B; C`` (a semicolon, since names may hold commas)."""
    return [x.strip() for x in text.split(";") if x.strip()]


def _ordered(values: list[str], before: object) -> list[str]:
    """``values`` in the order they had in the revision being edited (new ones after, as given).

    Checkboxes and multi-selects post in the page's order; keeping the stored order means
    re-submitting an unchanged form gives an identical revision.
    """
    old = [str(x) for x in before] if isinstance(before, list) else []
    rank = {v: i for i, v in enumerate(old)}
    return sorted(values, key=lambda v: (0, rank[v]) if v in rank else (1, 0))


def _rows(form: FormData, prefix: str) -> list[int]:
    """Row numbers of repeated field groups named ``<prefix>-<n>-<field>``."""
    found = set()
    for k in form:
        parts = k.split("-")
        if len(parts) >= 3 and parts[0] == prefix and parts[1].isdigit():
            found.add(int(parts[1]))
    return sorted(found)


def _dicts(base: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [x for x in base.get(key) or [] if isinstance(x, dict)]


def document_from_form(form: FormData, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The proposal document the guided form describes (``base``: the revision being edited).

    From ``base`` the document's ``schema`` and ``id`` are carried over, the order of list
    values, and the fields the form has no inputs for (``KEPT_FIELDS``, and a person's
    ``KEPT_PERSON_FIELDS`` by row).
    """
    base = dict(base or {})
    doc: dict[str, Any] = {}
    for key in ("schema", "id"):
        if base.get(key):
            doc[key] = base[key]
    doc["title"] = _s(form, "title")
    for key in ("summary", "description"):
        if _s(form, key):
            doc[key] = _s(form, key)

    base_areas = {str(a.get("id")): a for a in _dicts(base, "areas")}
    areas = _many(form, "areas")
    for k in form:
        if k.startswith("subtopics-") and _many(form, k) and k[len("subtopics-") :] not in areas:
            areas.append(k[len("subtopics-") :])
    if areas:
        doc["areas"] = []
        for a in _ordered(areas, list(base_areas)):
            subs = _ordered(_many(form, f"subtopics-{a}"), base_areas.get(a, {}).get("subtopics"))
            doc["areas"].append({"id": a, "subtopics": subs} if subs else {"id": a})

    parties: list[dict[str, Any]] = []
    base_parties = _dicts(base, "parties")
    for i in _rows(form, "party"):
        fields = {
            k: _s(form, f"party-{i}-{k}")
            for k in ("id", "name", "name_native", "aliases", "country", "side", "type", "role")
        }
        if not any(fields.values()):
            continue
        old = base_parties[i] if i < len(base_parties) else {}
        party: dict[str, Any] = {}
        if fields["id"]:
            party["id"] = fields["id"]
        party["name"] = fields["name"]
        if fields["name_native"]:
            party["name_native"] = fields["name_native"]
        aliases = _split(fields["aliases"])
        if aliases:
            party["aliases"] = aliases
        party["country"] = fields["country"]
        for key in ("side", "type", "role"):
            if fields[key]:
                party[key] = fields[key]
        for key in ("contributes", "receives"):
            vs = _ordered(_many(form, f"party-{i}-{key}"), old.get(key))
            if vs:
                party[key] = vs
        for key in ("administers_infrastructure", "neutral"):
            if form.get(f"party-{i}-{key}"):
                party[key] = True
        parties.append(party)
    doc["parties"] = parties

    people: list[dict[str, Any]] = []
    base_people = _dicts(base, "people")
    for i in _rows(form, "person"):
        fields = {
            k: _s(form, f"person-{i}-{k}") for k in ("name", "name_native", "affiliation", "role")
        }
        if any(fields.values()):
            old = base_people[i] if i < len(base_people) else {}
            people.append(
                {
                    "name": fields["name"],
                    **{k: v for k, v in fields.items() if v},
                    **{k: old[k] for k in KEPT_PERSON_FIELDS if k in old},
                }
            )
    for line in _lines(_s(form, "people")):  # the one-line-per-person text of earlier versions
        parts = [p.strip() for p in line.split("|")]
        person: dict[str, Any] = {"name": parts[0]}
        for j, key in enumerate(("affiliation", "role", "name_native"), start=1):
            if len(parts) > j and parts[j]:
                person[key] = parts[j]
        people.append(person)
    if people:
        doc["people"] = people

    for key in ("forms", "activities", "strategic_intersections", "purposes", "safeguards"):
        vs = _ordered(_many(form, key), base.get(key))
        if vs:
            doc[key] = vs
    # "none of these" ticked alone is the answer "none" (an empty list), unlike no box ticked
    techs = [v for v in doc.get("strategic_intersections", []) if v != NONE]
    if techs or NONE in doc.get("strategic_intersections", []):
        doc["strategic_intersections"] = techs
    for key in (
        "model_access",
        "maturity",
        "capability_lead",
        "governance",
        "controlled_by",
        "publication",
        "source_code",
    ):
        v = _s(form, key)
        if v:
            doc[key] = v
    infra: dict[str, Any] = {}
    for key in ("hosting", "hosted_by", "scope"):
        v = _s(form, f"infrastructure-{key}")
        if v:
            infra[key] = v
    if form.get("infrastructure-builds_on_national_infrastructure"):
        infra["builds_on_national_infrastructure"] = True
    if infra:
        doc["infrastructure"] = infra

    funding: list[dict[str, Any]] = []
    for i in _rows(form, "funding"):
        fields = {k: _s(form, f"funding-{i}-{k}") for k in ("funder", "country", "type", "amount")}
        if any(fields.values()):
            funding.append({"funder": fields["funder"], **{k: v for k, v in fields.items() if v}})
    if funding:
        doc["funding"] = funding
    if _s(form, "notes"):
        doc["notes"] = _s(form, "notes")
    doc.update({k: base[k] for k in KEPT_FIELDS if k in base})
    return doc


def given_document(text: str, source: str, stored: dict[str, Any]) -> dict[str, Any]:
    """A revision's document as its author gave it: the form starts from this.

    The stored data is the validated proposal with every default filled in
    (``model_access: none``, ``strategic_intersections: []``), but the rules read a field never
    given as *not stated* and the same field given empty as an answer: the form must neither
    answer for the author nor drop an answer. ``stored`` is used if the text no longer parses.
    """
    from detente.assessment.loader import parse_proposal

    try:
        proposal = parse_proposal(text, source)
    except InputError:
        return dict(stored)
    return proposal.model_dump(mode="json", by_alias=True, exclude_unset=True)


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def form_problems(err: InputError) -> list[Problem]:
    """Problems of a form-built document: the field path is what matters, not the generated YAML's lines."""
    return [Problem(p.message, field=p.field) for p in err.problems] or [Problem(err.message)]


def proposal_text_from_request(form: FormData, max_bytes: int) -> tuple[str, str, str]:
    """(text, source name, mode) from a posted form: guided fields, pasted text or an uploaded file."""
    mode = _s(form, "mode") or "form"
    if mode == "upload":
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ProposalError(
                "choose a YAML or JSON file to upload",
                problems=[Problem("no file chosen", field="file")],
            )
        raw = upload.file.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise PayloadTooLargeError(
                f"{upload.filename}: the file is larger than {max_bytes:,} bytes"
            )
        return decode_proposal(raw, upload.filename), upload.filename, mode
    if mode == "text":
        pasted = form.get("text")
        if not isinstance(pasted, str) or not pasted.strip():
            raise ProposalError(
                "paste the proposal's YAML or JSON", problems=[Problem("empty text", field="text")]
            )
        if len(pasted.encode("utf-8", "replace")) > max_bytes:
            raise PayloadTooLargeError(f"the proposal text is larger than {max_bytes:,} bytes")
        return pasted, "pasted.json" if pasted.lstrip().startswith("{") else "pasted.yaml", mode
    return "", "form", "form"


def framework_choices(fw: Framework) -> dict[str, Any]:
    return {
        "areas": [(a.id, a.name) for a in fw.doc.areas],
        "subtopics": {a.id: [(t.id, t.name) for t in a.subtopics] for a in fw.doc.areas},
        "safeguards": [(s.id, s.name, s.description) for s in fw.catalogue.safeguards],
        **CHOICES,
    }
