"""The guided proposal form: form fields ⇄ a proposal document (YAML).

The form builds the same document a person would write in YAML; it is then
validated by :func:`detente.assessment.loader.parse_proposal`, so the form
shows the same messages as the CLI.  Fields the form does not show (funding,
aliases, native names, ids) are carried over from the revision being edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml
from starlette.datastructures import FormData, UploadFile

from detente.assessment import proposal as pm
from detente.errors import PayloadTooLargeError, Problem, ProposalError
from detente.framework.model import Framework

PARTY_ROWS_MIN = 3


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
    "governance": _choices(pm.Governance),
    "purposes": _choices(pm.Purpose),
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

    def party_rows(self) -> list[dict[str, Any]]:
        parties = list(self.data.get("parties") or [])
        while len(parties) < PARTY_ROWS_MIN:
            parties.append({})
        return parties


def _s(form: FormData, name: str) -> str:
    v = form.get(name)
    return v.strip() if isinstance(v, str) else ""


def _many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip()]


def document_from_form(form: FormData, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The proposal document the guided form describes (over ``base`` when revising)."""
    base = dict(base or {})
    doc: dict[str, Any] = {}
    for key in ("schema", "id"):
        if key in base:
            doc[key] = base[key]
    doc["title"] = _s(form, "title")
    for key in ("summary", "description"):
        if _s(form, key):
            doc[key] = _s(form, key)
    areas = _many(form, "areas")
    if areas:
        old_sub = {
            a.get("id"): a.get("subtopics", [])
            for a in base.get("areas", [])
            if isinstance(a, dict)
        }
        doc["areas"] = [
            {"id": a, "subtopics": old_sub.get(a, [])} if old_sub.get(a) else {"id": a}
            for a in areas
        ]

    parties: list[dict[str, Any]] = []
    base_parties = [p for p in base.get("parties", []) if isinstance(p, dict)]
    rows = sorted(
        {int(k.split("-")[1]) for k in form if k.startswith("party-") and k.split("-")[1].isdigit()}
    )
    for i in rows:
        name, country = _s(form, f"party-{i}-name"), _s(form, f"party-{i}-country")
        if not name and not country:
            continue
        old = dict(base_parties[i]) if i < len(base_parties) else {}
        party: dict[str, Any] = {
            k: v for k, v in old.items() if k in {"id", "name_native", "aliases"} and v
        }
        party["name"] = name
        party["country"] = country
        for key in ("side", "type", "role"):
            v = _s(form, f"party-{i}-{key}")
            if v:
                party[key] = v
        for key in ("contributes", "receives"):
            vs = _many(form, f"party-{i}-{key}")
            if vs:
                party[key] = vs
        if form.get(f"party-{i}-administers_infrastructure"):
            party["administers_infrastructure"] = True
        parties.append(party)
    doc["parties"] = parties

    people = []
    for line in _lines(_s(form, "people")):
        parts = [p.strip() for p in line.split("|")]
        person: dict[str, Any] = {"name": parts[0]}
        if len(parts) > 1 and parts[1]:
            person["affiliation"] = parts[1]
        if len(parts) > 2 and parts[2]:
            person["role"] = parts[2]
        people.append(person)
    if people:
        doc["people"] = people

    for key in ("forms", "activities", "strategic_intersections", "purposes", "safeguards"):
        vs = _many(form, key)
        if vs:
            doc[key] = vs
    for key in ("model_access", "maturity", "capability_lead", "governance", "publication"):
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
    if base.get("funding"):
        doc["funding"] = base["funding"]
    if _s(form, "notes"):
        doc["notes"] = _s(form, "notes")
    return doc


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def form_problems(err: ProposalError) -> list[Problem]:
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
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProposalError(
                f"{upload.filename}: the file is not UTF-8 text",
                problems=[Problem(str(exc), file=upload.filename)],
            ) from None
        return text, upload.filename, mode
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
        "safeguards": [(s.id, s.name, s.description) for s in fw.catalogue.safeguards],
        **CHOICES,
    }
