"""The cooperation proposal: what a user writes down, validated at the boundary.

A proposal names the parties and people, the work, how the parties will work
together, what each gives and gets, and the safeguards planned.  Everything is
optional except a title and at least one party; what is absent is treated as
"not stated", never as "safe".
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROPOSAL_SCHEMA_VERSION = "detente.proposal/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class OrgType(StrEnum):
    university = "university"
    research_institute = "research_institute"
    company = "company"
    government_lab = "government_lab"
    government_agency = "government_agency"
    safety_institute = "safety_institute"
    military_affiliated = "military_affiliated"
    nonprofit = "nonprofit"
    standards_body = "standards_body"
    international_org = "international_org"
    other = "other"


class Role(StrEnum):
    lead = "lead"
    partner = "partner"
    host = "host"
    funder = "funder"
    observer = "observer"
    facilitator = "facilitator"


class Form(StrEnum):
    """The forms a cooperation can take (several at once)."""

    dialogue = "dialogue"
    workshop = "workshop"
    joint_publication = "joint_publication"
    joint_software = "joint_software"
    joint_hardware = "joint_hardware"
    shared_datasets = "shared_datasets"
    shared_benchmarks = "shared_benchmarks"
    shared_infrastructure = "shared_infrastructure"
    shared_compute = "shared_compute"
    joint_red_teaming = "joint_red_teaming"
    personnel_exchange = "personnel_exchange"
    standards_drafting = "standards_drafting"


class ModelAccess(StrEnum):
    none = "none"
    api = "api"
    internals = "internals"
    weights = "weights"


class Asset(StrEnum):
    """What a party can contribute to, or receive from, a cooperation."""

    model_weights = "model_weights"
    model_internals = "model_internals"
    model_api_access = "model_api_access"
    training_data = "training_data"
    evaluation_data = "evaluation_data"
    elicitation_techniques = "elicitation_techniques"
    source_code = "source_code"
    hardware_designs = "hardware_designs"
    chip_details = "chip_details"
    infrastructure_details = "infrastructure_details"
    datacentre_details = "datacentre_details"
    compute = "compute"
    personal_data = "personal_data"
    operational_details = "operational_details"
    non_public_know_how = "non_public_know_how"
    published_knowledge = "published_knowledge"
    funding = "funding"
    expertise = "expertise"


class Activity(StrEnum):
    """What the work actually does (feeds the rules)."""

    train_models = "train_models"
    improve_capabilities = "improve_capabilities"
    develop_verification = "develop_verification"
    apply_verification = "apply_verification"
    draft_protocol = "draft_protocol"
    incident_reporting = "incident_reporting"
    build_tooling = "build_tooling"
    build_data_pipeline = "build_data_pipeline"
    operate_compute = "operate_compute"
    design_benchmarks = "design_benchmarks"
    run_evaluations = "run_evaluations"
    elicitation_research = "elicitation_research"
    red_teaming = "red_teaming"
    human_uplift_study = "human_uplift_study"
    agent_evaluation = "agent_evaluation"
    interpretability_research = "interpretability_research"
    literature_review = "literature_review"


class StrategicTech(StrEnum):
    nuclear = "nuclear"
    bio_chem = "bio_chem"
    cyber = "cyber"
    semiconductors = "semiconductors"
    military_c2 = "military_c2"
    space = "space"
    critical_infrastructure = "critical_infrastructure"


class Maturity(StrEnum):
    codifying_existing = "codifying_existing"
    incremental = "incremental"
    new_research = "new_research"


class Publication(StrEnum):
    open = "open"
    pre_publication_review = "pre_publication_review"
    restricted = "restricted"
    none = "none"
    undecided = "undecided"


class Hosting(StrEnum):
    none = "none"
    third_party = "third_party"
    one_party = "one_party"
    each_party_own = "each_party_own"
    joint = "joint"


class InfraScope(StrEnum):
    safety_specific = "safety_specific"
    general_purpose = "general_purpose"


class Governance(StrEnum):
    consensus = "consensus"
    neutral_chair = "neutral_chair"
    one_party_controls = "one_party_controls"
    open_process = "open_process"


class Purpose(StrEnum):
    """What the cooperation is for (feeds the benefit side)."""

    cross_border_risk = "cross_border_risk"
    misuse_prevention = "misuse_prevention"
    accident_prevention = "accident_prevention"
    crisis_communication = "crisis_communication"
    verify_commitments = "verify_commitments"
    reduce_uncertainty = "reduce_uncertainty"
    interoperability = "interoperability"
    cost_sharing = "cost_sharing"
    capacity_building = "capacity_building"
    share_safety_technique = "share_safety_technique"


class FundingType(StrEnum):
    government = "government"
    military = "military"
    private = "private"
    philanthropic = "philanthropic"
    university = "university"
    equity_investment = "equity_investment"
    joint_venture = "joint_venture"


_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
CountryCode = Annotated[str, Field(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$")]


def slugify(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "party"


class Party(_Model):
    """An organisation taking part in the cooperation."""

    id: str | None = Field(
        None, description="Short id used to refer to the party; derived from the name if absent."
    )
    name: str = Field(
        min_length=1, description="Name as the party writes it in English (or Latin script)."
    )
    name_native: str | None = Field(None, description="Name in its own script, e.g. 清华大学.")
    aliases: list[str] = Field(default_factory=list, description="Acronyms and other names.")
    country: CountryCode = Field(
        description="ISO 3166-1 alpha-2 country of the organisation (upper case)."
    )
    side: str | None = Field(
        None,
        description="Which side of the cooperation the party is on; defaults to its country. "
        "Parties on the same side are assessed together.",
    )
    type: OrgType = OrgType.other
    role: Role = Role.partner
    contributes: list[Asset] = Field(default_factory=list, description="What this party gives.")
    receives: list[Asset] = Field(default_factory=list, description="What this party gets.")
    administers_infrastructure: bool = Field(
        False, description="This party operates or administers shared infrastructure or compute."
    )
    neutral: bool = Field(
        False,
        description="A third party neither side controls (e.g. a neutral host or facilitator in a third "
        "country). It is not assessed as a side, and its hosting or administration is not rival access.",
    )

    @field_validator("country", mode="before")
    @classmethod
    def _upper_country(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v

    @property
    def key(self) -> str:
        return self.id or slugify(self.name)

    @property
    def side_key(self) -> str:
        return self.side or self.country


class Person(_Model):
    """A person taking part; screened by name against restricted-party lists."""

    name: str = Field(min_length=1)
    name_native: str | None = None
    affiliation: str | None = Field(
        None, description="Party id (or name) of the person's organisation."
    )
    role: str | None = None
    birth_date: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="Date or year of birth (YYYY, YYYY-MM or YYYY-MM-DD). Used only to tell the "
        "person apart from a listed person of similar name.",
    )
    nationality: list[CountryCode] | None = Field(
        None,
        description="Nationalities / citizenships (ISO 3166-1 alpha-2). Used ONLY as an identifier "
        "compared with a listed person's stated nationality, never as a risk signal.",
    )
    identifiers: dict[str, str] | None = Field(
        None,
        description="Identifiers such as orcid or passport (type -> value), compared with those "
        "a list publishes.",
    )

    @field_validator("nationality", mode="before")
    @classmethod
    def _nat_list(cls, v: object) -> object:
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            return [x.strip().upper() if isinstance(x, str) else x for x in v]
        return v


class AreaRef(_Model):
    id: str = Field(
        description="Area id from the framework (verification, protocols, infrastructure, evaluations)."
    )
    subtopics: list[str] = Field(default_factory=list)


class Funding(_Model):
    funder: str
    country: CountryCode | None = None
    type: FundingType = FundingType.government
    amount: str | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _upper_country(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v


class Infrastructure(_Model):
    hosting: Hosting = Hosting.none
    hosted_by: str | None = Field(
        None, description="Party id of the host when hosting is one_party."
    )
    scope: InfraScope | None = None
    builds_on_national_infrastructure: bool = False


class Proposal(_Model):
    """A proposed cooperation on technical AI-safety research."""

    schema_version: str = Field(PROPOSAL_SCHEMA_VERSION, alias="schema")
    id: str | None = Field(None, description="Stable id; derived from the title if absent.")
    title: str = Field(min_length=1)
    summary: str = ""
    description: str = ""
    areas: list[AreaRef] = Field(
        default_factory=list,
        description="Areas of the framework; inferred from the text (and shown as inferred) when absent.",
    )
    parties: list[Party] = Field(min_length=1, description="At least one organisation.")
    people: list[Person] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    model_access: ModelAccess = ModelAccess.none
    strategic_intersections: list[StrategicTech] = Field(default_factory=list)
    maturity: Maturity | None = None
    capability_lead: str | None = Field(
        None,
        description="Side (or party id) that leads in the relevant capability; 'parity' or 'unknown'.",
    )
    infrastructure: Infrastructure = Field(default_factory=Infrastructure)
    governance: Governance | None = None
    purposes: list[Purpose] = Field(default_factory=list)
    publication: Publication = Publication.undecided
    funding: list[Funding] = Field(default_factory=list)
    safeguards: list[str] = Field(
        default_factory=list, description="Ids from the mitigation catalogue."
    )
    notes: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def key(self) -> str:
        return self.id or slugify(self.title)

    @field_validator("safeguards")
    @classmethod
    def _safeguard_ids(cls, v: list[str]) -> list[str]:
        for s in v:
            if not _ID.match(s):
                raise ValueError(
                    f"safeguard id {s!r} must be lower-case letters, digits, '-' or '_'"
                )
        return v

    @model_validator(mode="after")
    def _check_refs(self) -> Proposal:
        keys = [p.key for p in self.parties]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"two parties share the id {dup[0]!r}; give them distinct 'id' fields")
        names = {p.name.lower() for p in self.parties}
        if self.infrastructure.hosted_by and self.infrastructure.hosted_by not in keys:
            raise ValueError(
                f"infrastructure.hosted_by {self.infrastructure.hosted_by!r} is not a party id "
                f"(known: {', '.join(keys)})"
            )
        for person in self.people:
            a = person.affiliation
            if a and a not in keys and a.lower() not in names:
                raise ValueError(
                    f"person {person.name!r} has affiliation {a!r}, which is not a party id or name"
                )
        sides = {p.side_key for p in self.parties}
        lead = self.capability_lead
        if lead and lead not in {"parity", "unknown"} and lead not in sides and lead not in keys:
            raise ValueError(
                f"capability_lead {lead!r} is neither a side ({', '.join(sorted(sides))}), "
                "a party id, 'parity' nor 'unknown'"
            )
        return self

    def party(self, key: str) -> Party | None:
        for p in self.parties:
            if p.key == key or p.name.lower() == key.lower():
                return p
        return None

    @property
    def sides(self) -> list[str]:
        """The sides assessed, in order of appearance; neutral parties form no side."""
        seen: dict[str, None] = {}
        members = [p for p in self.parties if not p.neutral] or list(self.parties)
        for p in members:
            seen.setdefault(p.side_key, None)
        return list(seen)

    def lead_side(self) -> str | None:
        lead = self.capability_lead
        if not lead or lead in {"parity", "unknown"}:
            return None
        party = self.party(lead)
        return party.side_key if party else lead

    def text(self) -> str:
        """All free text, for area inference and controlled-technology checks."""
        return "\n".join(t for t in (self.title, self.summary, self.description, self.notes) if t)
