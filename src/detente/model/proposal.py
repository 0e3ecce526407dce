"""The cooperation proposal: what a user writes down, validated at the boundary.

A proposal names the parties and people, the work, how the parties will work
together, what each gives and gets, and the safeguards planned.  Everything is
optional except a title and at least one party; what is absent is treated as
"not stated", never as "safe".
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detente.model.research_security import Disclosures, ResearchSecurity

PROPOSAL_SCHEMA_VERSION = "detente.proposal/1"


class _Choice(StrEnum):
    """A StrEnum whose ``value`` is read in C (set below, outside the class body, where it
    would be taken for a member)."""


# Python 3.11's ``Enum.value`` is a descriptor written in Python; pydantic reads it for every enum
# member it dumps to JSON, and the features read it too. The same value, a faster read.
setattr(_Choice, "value", property(attrgetter("_value_")))  # noqa: B010


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class OrgType(_Choice):
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


class Role(_Choice):
    lead = "lead"
    partner = "partner"
    host = "host"
    funder = "funder"
    observer = "observer"
    facilitator = "facilitator"


class Form(_Choice):
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
    joint_statement = "joint_statement"
    visiting_researchers = "visiting_researchers"


#: Forms that only talk and write: a cooperation made only of these (and touching no system) is
#: "dialogue only" (framework.md §6.4 R4: the openings for harm "depend largely on the form").
TALK_FORMS = frozenset(
    {
        Form.dialogue,
        Form.workshop,
        Form.joint_statement,
        Form.joint_publication,
        Form.standards_drafting,
    }
)


class Track(_Choice):
    """Who talks: governments (track 1), officials and experts together (1.5), non-officials (2)."""

    track_1 = "track_1"
    track_1_5 = "track_1_5"
    track_2 = "track_2"


class ModelAccess(_Choice):
    none = "none"
    api = "api"
    supervised_on_site = "supervised_on_site"
    internals = "internals"
    weights = "weights"


class AccessOf(_Choice):
    model = "model"
    data = "data"
    infrastructure = "infrastructure"


class AccessLevel(_Choice):
    """How far a party reaches into another's model, data or infrastructure (ascending)."""

    none = "none"
    api = "api"
    supervised_on_site = "supervised_on_site"
    internals = "internals"
    weights = "weights"
    administration = "administration"


class Asset(_Choice):
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


class Activity(_Choice):
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


class StrategicTech(_Choice):
    nuclear = "nuclear"
    bio_chem = "bio_chem"
    cyber = "cyber"
    semiconductors = "semiconductors"
    military_c2 = "military_c2"
    space = "space"
    critical_infrastructure = "critical_infrastructure"


class Maturity(_Choice):
    codifying_existing = "codifying_existing"
    incremental = "incremental"
    new_research = "new_research"


class Publication(_Choice):
    open = "open"
    pre_publication_review = "pre_publication_review"
    restricted = "restricted"
    none = "none"
    undecided = "undecided"


class Hosting(_Choice):
    none = "none"
    third_party = "third_party"
    one_party = "one_party"
    each_party_own = "each_party_own"
    joint = "joint"


class InfraScope(_Choice):
    safety_specific = "safety_specific"
    general_purpose = "general_purpose"


class CodeKind(_Choice):
    """What the source code the parties give is (``source_code``): whether it carries strategic AI
    capability (framework.md §5 R2) or is safety tooling that need not."""

    capability = "capability"
    safety_tooling = "safety_tooling"


class Governance(_Choice):
    consensus = "consensus"
    neutral_chair = "neutral_chair"
    one_party_controls = "one_party_controls"
    open_process = "open_process"


class Purpose(_Choice):
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
    restraint = "restraint"
    confidence_building = "confidence_building"


class FundingType(_Choice):
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

    # -- research security (issue 13, packs) --------------------------------------------------
    disclosures: Disclosures | None = Field(
        None,
        description="Research-security disclosures (appointments, talent programmes, other support, "
        "patents, citizenship/permanent residency, ORCID); absent = not stated.",
    )


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


class Access(_Model):
    """One grant of access across the cooperation: who reaches into whose model, data or systems."""

    to: str = Field(description="Party id of the party that gets the access.")
    of: AccessOf = Field(description="model, data or infrastructure.")
    level: AccessLevel = Field(
        description="none, api, supervised_on_site, internals, weights or administration."
    )
    owner: str | None = Field(
        None,
        description="Party id whose model, data or infrastructure it is; when absent, every party "
        "on another side than the receiver's.",
    )
    via: str | None = Field(None, description="How, e.g. 'visiting researcher'.")


class RivalSide(_Model):
    id: str = Field(min_length=1, description="Side id used in reports and in capability_lead.")
    name: str | None = None
    countries: list[CountryCode] = Field(
        min_length=1, description="ISO 3166-1 alpha-2 countries of this side (allies included)."
    )

    @field_validator("countries", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return (
            [c.strip().upper() if isinstance(c, str) else c for c in v]
            if isinstance(v, list)
            else v
        )


_BY_COUNTRY: dict[int, tuple[Rivalry, dict[str, str]]] = {}


class Rivalry(_Model):
    """The rivalry a cooperation crosses: two (or more) sides, each a set of countries.

    Sides come from this declaration, not from nationality: allies are on the same side, and a
    party whose country is on no side is a third party (not assessed as a side)."""

    id: str = "custom"
    name: str | None = None
    sides: list[RivalSide] = Field(min_length=2)

    @model_validator(mode="after")
    def _disjoint(self) -> Rivalry:
        seen: dict[str, str] = {}
        for side in self.sides:
            for c in side.countries:
                if c in seen and seen[c] != side.id:
                    raise ValueError(f"country {c} is on two sides ({seen[c]}, {side.id})")
                seen[c] = side.id
        _BY_COUNTRY[id(self)] = (self, seen)
        return self

    def side_of(self, country: str) -> str | None:
        return self.side_table().get(country)

    def side_table(self) -> dict[str, str]:
        """Country → side id, built once per rivalry (do not modify)."""
        hit = _BY_COUNTRY.get(id(self))
        if hit is None or hit[0] is not self:
            table = {c: side.id for side in self.sides for c in side.countries}
            if len(_BY_COUNTRY) > 256:
                _BY_COUNTRY.clear()
            _BY_COUNTRY[id(self)] = hit = (self, table)
        return hit[1]


#: The default rivalry (framework.yaml may override it; a proposal may declare its own).
#: United States with its treaty allies (NATO, ANZUS, Japan, Korea, Philippines, Thailand) vs the PRC.
US_ALLIES = [
    "US",
    "CA",
    "GB",
    "FR",
    "DE",
    "IT",
    "NL",
    "BE",
    "LU",
    "DK",
    "NO",
    "IS",
    "PT",
    "ES",
    "PL",
    "CZ",
    "SK",
    "HU",
    "SI",
    "HR",
    "RO",
    "BG",
    "GR",
    "TR",
    "AL",
    "ME",
    "MK",
    "EE",
    "LV",
    "LT",
    "FI",
    "SE",
    "AU",
    "NZ",
    "JP",
    "KR",
    "PH",
    "TH",
]
DEFAULT_RIVALRY = Rivalry(
    id="us-cn",
    name="United States and treaty allies – People's Republic of China",
    sides=[
        RivalSide(id="US", name="United States and treaty allies", countries=US_ALLIES),
        RivalSide(id="CN", name="People's Republic of China", countries=["CN", "HK", "MO"]),
    ],
)


class ProposalMetadata(_Model):
    """Who and what the proposal is for: shown on a report's title block, never used by the rules."""

    principal_investigator: str | None = Field(
        None, description="Name of the principal investigator."
    )
    department: str | None = Field(None, description="The PI's department or unit.")
    funder: str | None = Field(None, description="The funder the proposal is submitted to.")
    award_number: str | None = Field(None, description="The funder's award or grant number.")
    start_date: date | None = Field(None, description="Planned start (YYYY-MM-DD).")
    end_date: date | None = Field(None, description="Planned end (YYYY-MM-DD).")
    prepared_by: str | None = Field(
        None, description="Who prepared the proposal or this assessment."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProposalMetadata:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(
                f"metadata.end_date {self.end_date} is before metadata.start_date {self.start_date}"
            )
        return self


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
    access: list[Access] = Field(
        default_factory=list,
        description="Who gets access to whose model, data or infrastructure, and how far "
        "(the same facts may be written as model_access or as parties' contributes/receives: "
        "the assessment reads them together).",
    )
    track: Track | None = Field(
        None, description="track_1 (governments), track_1_5 or track_2 (non-officials)."
    )
    rivalry: Rivalry | None = Field(
        None,
        description="The rivalry the cooperation crosses; default: the framework's (US and allies – PRC).",
    )
    strategic_intersections: list[StrategicTech] = Field(default_factory=list)
    maturity: Maturity | None = None
    capability_lead: str | None = Field(
        None,
        description="Side (or party id) that leads in the relevant capability; 'parity' or 'unknown'.",
    )
    infrastructure: Infrastructure = Field(default_factory=Infrastructure)
    source_code: CodeKind | None = Field(
        None,
        description="What the source code the parties give (`source_code` in contributes or "
        "receives) is: `capability` (training, inference or model code, agent scaffolding, "
        "elicitation tooling: it transfers strategic AI capability, so the leading side's R2 is "
        "raised for giving it, framework.md §5 R2) or `safety_tooling` (verification firmware, "
        "evaluation harnesses, monitoring: not raised for the code). With code of both kinds, "
        "`capability`. Absent = not stated: the leading side's code is asked about "
        "(V-UNSTATED-CODE).",
    )
    governance: Governance | None = None
    controlled_by: str | None = Field(
        None,
        description="With governance one_party_controls: the id of the party that controls the "
        "drafting or the decision (capture is a risk to the other sides, framework.md §6.2 R4).",
    )
    purposes: list[Purpose] = Field(default_factory=list)
    publication: Publication = Publication.undecided
    funding: list[Funding] = Field(default_factory=list)
    safeguards: list[str] = Field(
        default_factory=list, description="Ids from the mitigation catalogue."
    )
    notes: str = ""
    metadata: ProposalMetadata | None = Field(
        None,
        description="Title-block facts for reports (PI, department, funder, award, dates, prepared by); "
        "not used by the rules. Left out of the recorded proposal when absent, so older assessments "
        "reproduce byte for byte.",
        exclude_if=lambda v: v is None,
    )
    # -- research security (issue 13, packs) --------------------------------------------------
    research_security: ResearchSecurity | None = Field(
        None,
        description="Project facts for the research-security rule packs (funder, award type, "
        "fundamental or not, publication restrictions, equipment, data, equity/JV …); absent = not stated.",
    )

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
        if self.controlled_by is not None and self.controlled_by not in keys:
            raise ValueError(
                f"controlled_by {self.controlled_by!r} is not a party id (known: {', '.join(keys)})"
            )
        for i, grant in enumerate(self.access):
            for what, ref in (("to", grant.to), ("owner", grant.owner)):
                if ref is not None and ref not in keys:
                    raise ValueError(
                        f"access[{i}].{what} {ref!r} is not a party id (known: {', '.join(keys)})"
                    )
        for person in self.people:
            a = person.affiliation
            if a and a not in keys and a.lower() not in names:
                raise ValueError(
                    f"person {person.name!r} has affiliation {a!r}, which is not a party id or name"
                )
        sides = set(self.sides_under(self.rivalry or DEFAULT_RIVALRY)) | {
            p.side_key for p in self.parties
        }
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

    def side_of(self, party: Party, rivalry: Rivalry | None = None) -> str | None:
        """The party's side under the rivalry: its declared side, else its country's; None for a
        third party (neutral, or its country on no side of the rivalry)."""
        if party.neutral:
            return None
        if party.side:
            return party.side
        return (self.rivalry or rivalry or DEFAULT_RIVALRY).side_of(party.country)

    def sides_under(self, rivalry: Rivalry | None = None) -> list[str]:
        """The sides assessed, in order of appearance. Neutral parties and parties of third
        countries form no side; when no party falls on a side of the rivalry, each country is one."""
        seen: dict[str, None] = {}
        for p in self.parties:
            s = self.side_of(p, rivalry)
            if s is not None:
                seen.setdefault(s, None)
        if not seen:
            members = [p for p in self.parties if not p.neutral] or list(self.parties)
            for p in members:
                seen.setdefault(p.side_key, None)
        return list(seen)

    def party_sides(self, rivalry: Rivalry | None = None) -> dict[str, str | None]:
        """Party key → side (None: third party), consistent with :meth:`sides_under`."""
        # :meth:`side_of` once per party (it is read twice: for the sides, then per party)
        table = (self.rivalry or rivalry or DEFAULT_RIVALRY).side_table()
        raw = [(p, None if p.neutral else p.side or table.get(p.country)) for p in self.parties]
        sides = {s for _p, s in raw if s is not None}
        if not sides:  # as in sides_under: one side per country
            sides = {p.side_key for p in self.parties if not p.neutral} or {
                p.side_key for p in self.parties
            }
        out: dict[str, str | None] = {}
        for p, s in raw:
            if s is None and not p.neutral and p.side_key in sides:
                s = p.side_key  # the fallback: no party on the rivalry, one side per country
            out[p.key] = s
        return out

    @property
    def sides(self) -> list[str]:
        """The sides assessed under the proposal's (or the default) rivalry."""
        return self.sides_under()

    def lead_side(
        self, rivalry: Rivalry | None = None, of_party: dict[str, str | None] | None = None
    ) -> str | None:
        """The side that leads: capability_lead names a side, a party or a country of a side."""
        lead = self.capability_lead
        if not lead or lead in {"parity", "unknown"}:
            return None
        of_party = self.party_sides(rivalry) if of_party is None else of_party
        if lead in of_party.values():
            return lead
        party = self.party(lead)
        if party is not None:
            return of_party.get(party.key) or party.side_key
        return (self.rivalry or rivalry or DEFAULT_RIVALRY).side_of(lead.upper()) or lead

    def text(self) -> str:
        """All free text, for area inference and controlled-technology checks."""
        return "\n".join(t for t in (self.title, self.summary, self.description, self.notes) if t)
