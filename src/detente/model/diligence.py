"""The due-diligence result: what screening (and the research-security packs) found for a proposal.

Public result models of the screening capability (pydantic, JSON-serialisable, deterministic).  They
live in the contracts layer because the assessment records them, and the report, the store and the
web app read them: those read these fields, never guessed keys.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from detente.model.packs import PacksReport

Status = Literal["hit", "potential", "related", "clear", "not_checked"]
# Per-match status (issue 8): a *hit* needs corroborating evidence (for people: identifiers that
# agree, never a name alone); a *potential* match needs a reviewer; a *cleared* one was ruled out by
# contradicting evidence or a reviewer's false-positive disposition.
MatchStatus = Literal["hit", "potential", "cleared"]
GUIDANCE = "Guidance, not a legal determination."


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureContribution(_M):
    name: str
    value: float
    weight: float
    contribution: float
    note: str = ""


class MatchScore(_M):
    """The score of one pair of names, with the features that produced it."""

    score: float
    features: list[FeatureContribution]
    via: str = Field("weighted", description="weighted | acronym | compact | native")

    def explain(self) -> str:
        parts = [f"{f.name}={f.value:g}x{f.weight:g}->{f.contribution:+.3f}" for f in self.features]
        return f"{self.score:.3f} ({self.via}): " + ", ".join(parts)


class MatchEvidence(_M):
    """One piece of evidence for or against a match (shown to the reviewer)."""

    kind: str = Field(
        description="name | birth_date | nationality | country | affiliation | identifier | "
        "native_name | distinguishing_token | acronym | disposition | …"
    )
    direction: Literal["for", "against", "neutral"]
    detail: str
    weight: float = 0.0


Evidence = MatchEvidence  # the old name (distinct from placement's Evidence in the schema)


class Disposition(_M):
    """A reviewer's decision on one (subject, list entry) pair."""

    decision: Literal["true_match", "false_positive"]
    reason: str
    reviewer: str
    decided_at: str
    entry_fingerprint: str = Field(
        description="Hash of the list entry as it stood when decided; the disposition expires "
        "when the entry changes on the list"
    )
    expired: bool = False


class ListMatch(_M):
    list_id: str
    list_name: str
    severity: Literal["blocking", "restricting", "informational"]
    meaning: str
    authority: str
    jurisdiction: str = Field(
        "", description="ISO-2 jurisdiction whose parties the list binds ('' for a user list)"
    )
    source_id: str
    snapshot_id: str | None = None
    notice_url: str | None = Field(
        None, description="The official notice of this designation, when the list gives one"
    )
    entry_id: str
    entry_name: str
    matched_name: str = Field(
        description="The list's name form that matched (alias, native name, parent, acronym)"
    )
    matched_kind: str
    programmes: list[str] = []
    listing_date: str | None = None
    countries: list[str] = []
    score: float
    via: str
    features: list[FeatureContribution]
    related: bool = Field(
        False, description="The match is on an organisation the listed unit belongs to"
    )
    relation: str | None = None
    formerly_listed: bool = Field(
        False,
        description="The listing has ended (history shown as context; never a hit, never a flag)",
    )
    ended_on: str | None = None
    match_status: MatchStatus = Field(
        "hit", description="Automated status from the evidence (before any reviewer disposition)"
    )
    evidence: list[MatchEvidence] = []
    why: str = ""
    entry_fingerprint: str | None = None
    disposition: Disposition | None = None

    @property
    def effective_status(self) -> MatchStatus:
        """The status after a live (unexpired) reviewer disposition."""
        d = self.disposition
        if d is not None and not d.expired:
            return "hit" if d.decision == "true_match" else "cleared"
        return self.match_status

    @property
    def confirmed_by(self) -> Literal["automated", "reviewer"]:
        d = self.disposition
        return "reviewer" if d is not None and not d.expired else "automated"


def automated_status(m: ListMatch, threshold: float) -> MatchStatus:
    """A match's automated status, where a match scored below the hit threshold is at most
    *potential* (until the matcher computes ``match_status`` from evidence, every match defaults
    to "hit")."""
    if m.match_status == "hit" and m.score < threshold:
        return "potential"
    return m.match_status


def _as_recorded(schema: dict[str, Any]) -> None:
    """The JSON Schema of a screening result as an assessment records it: the field name
    ``schema_`` (not the alias) and the computed ``explanation``."""
    props = schema.get("properties", {})
    if "schema" in props:
        props["schema_"] = props.pop("schema")
    props["explanation"] = {
        "description": "Why this status (computed: the note, or the best match's meaning)",
        "readOnly": True,
        "title": "Explanation",
        "type": "string",
    }


class ScreeningResult(_M):
    subject: Literal["party", "person", "name"]
    key: str
    name: str
    queried_names: list[str]
    country: str | None = None
    schema_: Literal["org", "person"] = Field("org", alias="schema")
    status: Status
    matches: list[ListMatch] = []
    history: list[ListMatch] = Field(
        [],
        description="Matches to formerly listed entries at or above the hit threshold: context "
        "for a reviewer only; they never set the status or any flag",
    )
    note: str = ""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, json_schema_extra=_as_recorded
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        # a recorded result carries its computed ``explanation``: read back, it is computed again
        if isinstance(data, dict) and "explanation" in data:
            data = {k: v for k, v in data.items() if k != "explanation"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def explanation(self) -> str:
        """Why this status (the note, or the best match's meaning / relation)."""
        if self.matches:
            m = self.matches[0]
            return m.relation or f"{m.list_name}: {m.meaning}"
        return self.note


class ListVersion(_M):
    source_id: str
    title: str
    snapshot_id: str
    content_hash: str
    retrieved_at: str
    published: str | None
    age_days: int | None
    age_basis: Literal["published", "retrieved"]
    stale: bool
    lists: dict[str, int]
    licence: str
    notes: list[str] = []


class ListCoverage(_M):
    list_id: str
    list_name: str
    severity: Literal["blocking", "restricting", "informational"]
    jurisdiction: str = Field("", description="Whose parties the list binds (ISO-2; '' = user)")
    status: Literal["checked", "partial", "not_checked"]
    sources: list[str] = []
    reason: str = ""


class SideFinding(_M):
    """What one side's lists found for one screened subject (a view of a ScreeningResult)."""

    subject: Literal["party", "person", "name"]
    key: str
    name: str
    status: Status
    matches: list[ListMatch] = []


class SideDiligence(_M):
    """One side's due diligence: the lists that bind that side, their coverage and findings.

    US lists bind US parties, China's lists Chinese parties: the US institution's office reads the
    US-list findings, the Chinese institution's office the China-list findings.  Every party and
    person of the proposal is screened against each side's lists.
    """

    side: str
    jurisdictions: list[str]
    lists: list[str] = Field([], description="Ids of the registered lists that bind this side")
    status: Literal["checked", "partial", "not_checked", "no_lists"] = Field(
        description="checked / partial: the side's lists are loaded (partial: some only in part); "
        "not_checked: none of them is loaded; no_lists: no list of its jurisdiction is registered"
    )
    coverage: list[ListCoverage] = []
    findings: list[SideFinding] = []
    note: str = ""


class RegFlag(_M):
    """A controlled-technology or investment-review flag."""

    id: str
    kind: Literal["controlled_technology", "investment_review"]
    title: str
    legal_basis: str
    explanation: str
    triggered_by: list[str]
    exclusions: list[str] = []
    status_note: str | None = None
    guidance: str = GUIDANCE


class DueDiligence(_M):
    """Everything the due-diligence checks found for one proposal, as of one date."""

    as_of: date
    index_built: bool
    threshold: float
    possible_threshold: float
    rules_version: str
    registry_version: str
    index_built_at: str | None = None
    max_age_days: int
    parties: list[ScreeningResult] = []
    people: list[ScreeningResult] = []
    list_versions: list[ListVersion] = []
    coverage: list[ListCoverage] = []
    sides: list[SideDiligence] = Field(
        [], description="Each side's view: the lists binding it and what they found"
    )
    controlled_technology: list[RegFlag] = []
    investment_review: list[RegFlag] = []
    notes: list[str] = []
    guidance: str = GUIDANCE
    research_security: PacksReport | None = Field(
        None,
        description="The research-security rule packs in force on the as-of date (absent when "
        "the packs were not evaluated)",
    )

    def recorded(self, mode: str = "json") -> dict[str, Any]:
        """The result as an assessment records it: field names (not aliases), and no
        ``research_security`` key when the packs were not evaluated (the recorded JSON of
        earlier versions, byte for byte)."""
        exclude = {"research_security"} if self.research_security is None else None
        data: dict[str, Any] = self.model_dump(mode=mode, exclude=exclude)
        return data

    @property
    def lists_not_checked(self) -> list[ListCoverage]:
        return [c for c in self.coverage if c.status == "not_checked"]

    def results(self) -> list[ScreeningResult]:
        return [*self.parties, *self.people]

    def match_status(self, m: ListMatch) -> MatchStatus:
        """A match's status for the verdict: a live reviewer disposition decides; otherwise the
        automated status, where a match below the hit threshold is at most *potential*."""
        if m.confirmed_by == "reviewer":
            return m.effective_status
        return automated_status(m, self.threshold)

    def binding_lists(self) -> set[str] | None:
        """Ids of the lists that bind a side of the proposal (None: no side information)."""
        if not self.sides:
            return None
        return {i for sd in self.sides for i in sd.lists}

    def flags(self) -> set[str]:
        """Flags for the assessment engine's verdict rules.

        Blocking and restricting flags come only from matches whose status is *hit* (confirmed:
        corroborated by evidence or by a reviewer's true-match disposition).  A *potential* match
        gives ``dd.potential_match`` (a review item, never a worse verdict); a reviewer's
        false-positive disposition clears its match.  Formerly listed entries never flag.
        """
        out: set[str] = set()
        for r in self.results():
            if r.status == "not_checked":
                out.add("dd.not_checked")
                continue
            for m in r.matches:
                if m.formerly_listed:
                    continue
                st = self.match_status(m)
                if st == "cleared":
                    continue
                if m.related:  # a notice about an organisation the listed unit belongs to
                    out.add("dd.related_entity")
                    continue
                if st == "potential":
                    out.add("dd.potential_match")
                elif m.severity == "blocking":
                    out.add("dd.blocking_hit")
                elif m.severity == "restricting":
                    out.add("dd.restricting_hit")
                else:
                    out.add("dd.informational_hit")
        binding = self.binding_lists()
        if not self.index_built or any(
            c.status == "not_checked"
            and c.severity != "informational"
            and (binding is None or c.list_id in binding)
            for c in self.coverage
        ):
            out.add("dd.not_checked")
        if any(v.stale for v in self.list_versions):
            out.add("dd.stale")
        if self.controlled_technology:
            out.add("dd.controlled_tech")
        if self.investment_review:
            out.add("dd.investment_review")
        if self.research_security is not None:
            out |= self.research_security.flags()
        return out

    def summary_rows(self) -> list[dict[str, str]]:
        """One row per screened subject: who, status, best match, its meaning and list version."""
        versions = {v.source_id: v for v in self.list_versions}
        rows = []
        for r in self.results():
            best = r.matches[0] if r.matches else None
            v = versions.get(best.source_id) if best else None
            rows.append(
                {
                    "subject": f"{r.subject}: {r.name}",
                    "status": r.status,
                    "list": best.list_name if best else "",
                    "severity": best.severity if best else "",
                    "entry": best.entry_name if best else "",
                    "score": f"{best.score:.2f}" if best else "",
                    "meaning": (best.relation or best.meaning) if best else r.note,
                    "list_version": (
                        f"{v.source_id} {v.snapshot_id} (published {v.published or 'unknown'}{', STALE' if v.stale else ''})"
                        if v
                        else ""
                    ),
                }
            )
        return rows
