"""What the research-security rule packs need from a proposal and its people (issue 13).

``Proposal.research_security`` holds project facts (funder, award type, fundamental or not,
publication restrictions, equipment makers, data, equity or joint venture …);
``Person.disclosures`` holds what a person discloses (appointments, talent programmes, other
support, patents, citizenship and permanent residency, identifiers).  Everything is optional:
what is absent is "not stated", and a clause that needs it says so instead of assuming.

Citizenship and permanent residency are asked only because a regime defines its test by them
(EAR §734.13(b): a deemed export is to the person's most recent country of citizenship or
permanent residency); they are never a risk signal on their own.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Country = Annotated[str, Field(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$")]
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _upper(v: object) -> object:
    if isinstance(v, str):
        return v.strip().upper()
    if isinstance(v, list):
        return [x.strip().upper() if isinstance(x, str) else x for x in v]
    return v


class Appointment(_M):
    organisation: str = Field(min_length=1)
    country: Country | None = None
    kind: str = Field("appointment", description="employment, visiting, adjunct, honorary, …")
    start: date | None = None
    end: date | None = Field(None, description="None: current.")
    paid: bool | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)


class TalentAction(StrEnum):
    """CHIPS Act §10638(4)(A) actions (as summarised in the research notes)."""

    unauthorised_transfer = "unauthorised_transfer"
    recruit_trainees = "recruit_trainees"
    foreign_lab_violating_terms = "foreign_lab_violating_terms"
    cannot_terminate = "cannot_terminate"
    overlapping_effort = "overlapping_effort"
    sponsor_funding_required = "sponsor_funding_required"
    omit_acknowledgement = "omit_acknowledgement"
    non_disclosure = "non_disclosure"
    conflict = "conflict"


class CarveOut(StrEnum):
    """CHIPS §19232(d): activities the policy shall not prohibit (unless run by a §1286-listed body)."""

    publishing = "publishing"
    conference = "conference"
    reciprocal_exchange = "reciprocal_exchange"
    advising_students = "advising_students"


class TalentProgramme(_M):
    name: str = Field(min_length=1)
    sponsor: str | None = Field(None, description="Who funds, organises or manages it.")
    sponsor_country: Country | None = None
    start: date | None = None
    end: date | None = None
    actions: list[TalentAction] = Field(
        default_factory=list, description="Terms of the programme that are §10638(4)(A) actions."
    )
    activity: CarveOut | None = Field(
        None, description="When the participation is only a carved-out activity."
    )

    @field_validator("sponsor_country", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)


class OtherSupport(_M):
    funder: str = Field(min_length=1)
    funder_country: Country | None = None
    start: date | None = None
    end: date | None = None
    in_kind: bool = False

    @field_validator("funder_country", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)


class Patent(_M):
    title: str = ""
    office: Country | None = Field(None, description="Where it was filed (ISO country).")
    assignee: str | None = None
    assignee_country: Country | None = None
    filed: date | None = None
    disclosed: bool | None = Field(None, description="Disclosed to the funder.")

    @field_validator("office", "assignee_country", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)


class Disclosures(_M):
    """What a person discloses for research security (all optional; absent = not stated)."""

    orcid: str | None = Field(None, description="ORCID iD (0000-0000-0000-0000, or its URL).")
    openalex_id: str | None = Field(None, description="OpenAlex author id (A…).")
    appointments: list[Appointment] = Field(default_factory=list)
    talent_programmes: list[TalentProgramme] = Field(default_factory=list)
    other_support: list[OtherSupport] = Field(default_factory=list)
    patents: list[Patent] = Field(default_factory=list)
    citizenships: list[Country] = Field(default_factory=list)
    permanent_residency: list[Country] = Field(default_factory=list)
    in_us: bool | None = Field(None, description="Works in the United States (for deemed exports).")
    covered_individual: bool | None = Field(
        None,
        description="Contributes significantly to design or execution (PI, co-PI, key person).",
    )
    complete: bool = Field(
        False, description="The person states these disclosures are complete (none omitted)."
    )

    @field_validator("citizenships", "permanent_residency", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, v: str | None) -> str | None:
        if v is None:
            return v
        m = _ORCID.match(v.strip())
        if not m:
            raise ValueError(f"ORCID {v!r} is not of the form 0000-0000-0000-0000")
        return m.group(1)


class DataType(StrEnum):
    none = "none"
    public = "public"
    synthetic = "synthetic"
    personal_information = "personal_information"
    sensitive_personal_information = "sensitive_personal_information"
    important_data = "important_data"
    biological_sequence = "biological_sequence"


class DataSet(_M):
    name: str = ""
    type: DataType
    subjects: int | None = Field(None, ge=0, description="How many people's data (if personal).")
    crosses_border_from: Country | None = Field(
        None, description="Country the data leaves (e.g. CN for data exported from China)."
    )

    @field_validator("crosses_border_from", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)


class ResearchSecurity(_M):
    """Project facts the research-security packs need (all optional; absent = not stated)."""

    funder: str | None = Field(
        None, description="Funder id: DoD (or DoW), NSF, NIH, NSERC, SSHRC, CIHR, CFI, …"
    )
    funder_country: Country | None = None
    award_type: str | None = Field(None, description="grant, contract, cooperative_agreement, …")
    fundamental: bool | None = Field(
        None, description="Fundamental research (results ordinarily published and shared broadly)."
    )
    publication_restrictions: list[str] = Field(
        default_factory=list,
        description="Restrictions accepted on publishing results (beyond the §734.8(b) reviews).",
    )
    prepublication_review_only: bool | None = Field(
        None,
        description="The only review is one §734.8(b) allows (patent, sponsor proprietary info, agency).",
    )
    equipment_makers: list[str] = Field(default_factory=list)
    data: list[DataSet] = Field(default_factory=list)
    equity_or_joint_venture: bool | None = None
    eccns: list[str] = Field(
        default_factory=list,
        description="ECCNs of technology or software released (EAR99 if none).",
    )
    training_compute_flop: float | None = Field(
        None, ge=0, description="Training compute of an AI system developed (operations)."
    )
    closed_weights: bool | None = Field(
        None, description="Model weights shared are not published (for ECCN 4E091)."
    )
    end_uses: list[str] = Field(
        default_factory=list,
        description="Intended end uses: military, intelligence, mass_surveillance, cybersecurity, "
        "forensics, penetration_testing, robotics, …",
    )
    advances_sensitive_technology: list[str] = Field(
        default_factory=list,
        description="Canada STRA subcategories the work advances (not merely uses), e.g. "
        "machine_learning, natural_language_processing.",
    )
    cn_catalogue_items: list[str] = Field(
        default_factory=list,
        description="China's restricted-technology catalogue items the work transfers, e.g. "
        "speech_synthesis, ai_interaction_interface, personalised_recommendation.",
    )
    sanctions_clauses: list[str] = Field(
        default_factory=list,
        description="Agreement clauses that apply one country's sanctions or lists to the other side's parties.",
    )
    human_participants: bool | None = None
    ethics_categories: list[str] = Field(
        default_factory=list,
        description="China's S&T ethics re-review categories, e.g. public_opinion_algorithm, "
        "autonomous_decision_system, human_machine_fusion.",
    )

    @field_validator("funder_country", mode="before")
    @classmethod
    def _upper_countries(cls, v: object) -> object:
        return _upper(v)
