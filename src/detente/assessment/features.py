"""From a proposal to flags: the vocabulary that rules are written in.

A proposal becomes one frozenset of flag names *per side* (the parties of one
country, or of one declared side).  Flags that do not depend on the side
(``form.*``, ``activity.*``, ``strategic.*`` …) are the same for every side;
``self.*`` and ``other.*`` flags describe the side being assessed and the
other sides, because R2 and R3 are not symmetric: who leads, who gives what.

:data:`~detente.model.vocabulary.VOCABULARY` documents every flag; rule files are checked against it on
load, so a misspelt flag in a rule pack is an error, not a silently dead rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.model.proposal import (
    TALK_FORMS,
    AccessLevel,
    AccessOf,
    Activity,
    Asset,
    CodeKind,
    Form,
    FundingType,
    Governance,
    Hosting,
    InfraScope,
    Maturity,
    ModelAccess,
    OrgType,
    Proposal,
    Publication,
    Purpose,
    Rivalry,
    StrategicTech,
    Track,
)

# The vocabulary moved to the contracts layer; re-exported for old import paths.
from detente.model.vocabulary import DILIGENCE_FLAGS as DILIGENCE_FLAGS
from detente.model.vocabulary import SAFEGUARD_PREFIX as SAFEGUARD_PREFIX
from detente.model.vocabulary import VERDICT_FLAGS as VERDICT_FLAGS
from detente.model.vocabulary import VOCABULARY as VOCABULARY

_GOVERNMENT = {OrgType.government_lab, OrgType.government_agency, OrgType.military_affiliated}

#: Activities that touch systems or build shared artefacts: their presence means "not dialogue only".
HANDS_ON_ACTIVITIES = frozenset(
    {
        Activity.train_models,
        Activity.improve_capabilities,
        Activity.build_tooling,
        Activity.build_data_pipeline,
        Activity.operate_compute,
        Activity.run_evaluations,
        Activity.elicitation_research,
        Activity.red_teaming,
        Activity.human_uplift_study,
        Activity.agent_evaluation,
        Activity.apply_verification,
    }
)
#: Assets whose exchange is more than talk (anything but published knowledge, expertise, funding).
TALK_ASSETS = frozenset({Asset.published_knowledge, Asset.expertise, Asset.funding})
_FUNDS = frozenset({Asset.funding})  # what a funding-only side gives or gets (self.funds_only)
#: Assets that cannot be explained without revealing sensitive detail (the PAL condition, §2).
SENSITIVE_ASSETS = frozenset(
    {
        Asset.model_weights,
        Asset.model_internals,
        Asset.training_data,
        Asset.elicitation_techniques,
        Asset.hardware_designs,
        Asset.chip_details,
        Asset.infrastructure_details,
        Asset.datacentre_details,
        Asset.operational_details,
        Asset.non_public_know_how,
        Asset.personal_data,
    }
)
#: Declared work that makes code capability-relevant (``code.capability_relevant``): training or
#: improving models, building data pipelines, elicitation research (framework.md §6.3 R1 "compute,
#: training or data pipelines"; §6.4 R2 elicitation "applies directly to raising capability").
CAPABILITY_CODE_ACTIVITIES = frozenset(
    {
        Activity.train_models,
        Activity.improve_capabilities,
        Activity.build_data_pipeline,
        Activity.elicitation_research,
    }
)
#: The assets other than source code whose gift by the leader raises its R2 (rules.yaml
#: X-R2-LEADER-GIVES; a test checks the two agree): with one of them given, whether the leader's
#: code is capability code changes no level, so it is not asked (``unstated.code_relevance``).
LEADER_CAPABILITY_ASSETS = frozenset(
    {
        Asset.model_weights,
        Asset.model_internals,
        Asset.training_data,
        Asset.non_public_know_how,
        Asset.compute,
        Asset.elicitation_techniques,
    }
)
#: Model assets and the access level each stands for (redundant ways of writing one fact).
_MODEL_ASSET_LEVEL = {
    Asset.model_api_access: AccessLevel.api,
    Asset.model_internals: AccessLevel.internals,
    Asset.model_weights: AccessLevel.weights,
}
_LEVEL_ASSET = {v: k for k, v in _MODEL_ASSET_LEVEL.items()}
_HANDS_ON_LEVELS = frozenset(
    {AccessLevel.supervised_on_site, AccessLevel.internals, AccessLevel.weights}
)
_SELF_GIVES = {a: f"self.gives.{a.value}" for a in Asset}
_SELF_GETS = {a: f"self.receives.{a.value}" for a in Asset}
_OTHER_GIVES = {a: f"other.gives.{a.value}" for a in Asset}
_OTHER_GETS = {a: f"other.receives.{a.value}" for a in Asset}
# flag names of enum members, built once (an enum's .value is a slow descriptor in a hot loop)
_FORM_FLAG = {x: f"form.{x.value}" for x in Form}
_ACTIVITY_FLAG = {x: f"activity.{x.value}" for x in Activity}
_STRATEGIC_FLAG = {x: f"strategic.{x.value}" for x in StrategicTech}
_PURPOSE_FLAG = {x: f"purpose.{x.value}" for x in Purpose}
# flag names of the single-valued fields, built once (no enum .value look-up per proposal)
_MODEL_ACCESS_FLAG = {x: f"model_access.{x.value}" for x in ModelAccess}
_ACCESS_MODEL_FLAG = {x: f"access.model.{x.value}" for x in ModelAccess}
_OTHER_GETS_MODEL_FLAG = {x: f"other.gets.model.{x.value}" for x in ModelAccess}
_MATURITY_FLAG = {x: f"maturity.{x.value}" for x in Maturity}
_PUBLICATION_FLAG = {x: f"publication.{x.value}" for x in Publication}
_TRACK_FLAG = {x: f"track.{x.value}" for x in Track}
_HOSTING_FLAG = {x: f"hosting.{x.value}" for x in Hosting}
_SCOPE_FLAG = {x: f"infra.{x.value}" for x in InfraScope}
_CODE_FLAG = {x: f"source_code.{x.value}" for x in CodeKind}
_GOVERNANCE_FLAG = {x: f"governance.{x.value}" for x in Governance}
_FUNDING_FLAG = {x: f"funding.{x.value}" for x in FundingType}
_GIVES_FLAG = {a: f"any.gives.{a.value}" for a in Asset}
_HANDS_ON_OTHER = frozenset(f"other.gets.model.{lv.value}" for lv in _HANDS_ON_LEVELS)
_HANDS_ON_ACCESS = frozenset(f"access.model.{lv.value}" for lv in _HANDS_ON_LEVELS)
# flag names of access grants, by (what, level)
_ACCESS_FLAG = {(o, lv): f"access.{o.value}.{lv.value}" for o in AccessOf for lv in AccessLevel}
_OTHER_GETS_FLAG = {
    (o, lv): f"other.gets.{o.value}.{lv.value}" for o in AccessOf for lv in AccessLevel
}
_MODEL_ACCESS_LEVEL_FLAG = {lv: f"model_access.{lv.value}" for lv in AccessLevel}
_STABILITY_PURPOSES = frozenset(
    {
        Purpose.restraint,
        Purpose.confidence_building,
        Purpose.verify_commitments,
        Purpose.reduce_uncertainty,
        Purpose.crisis_communication,
        Purpose.accident_prevention,
    }
)


_THIRD_PARTY = "\0third-party"  # an access grant's owner that is on no side (never a side id)


@dataclass(frozen=True, slots=True)
class SideFeatures:
    side: str
    parties: tuple[str, ...]
    flags: frozenset[str]


def _global_flags(p: Proposal, safeguards: frozenset[str], lead: str | None) -> set[str]:
    # map over the prebuilt flag tables: no enum .value and no generator frame per item
    forms = p.forms
    f: set[str] = set(map(_FORM_FLAG.__getitem__, forms))
    f.update(map(_ACTIVITY_FLAG.__getitem__, p.activities))
    if p.model_access is not ModelAccess.none:
        f.add(_MODEL_ACCESS_FLAG[p.model_access])
    strategic = p.strategic_intersections
    if strategic:
        f.update(map(_STRATEGIC_FLAG.__getitem__, strategic))
        f.add("strategic.any")
        if StrategicTech.nuclear in strategic or StrategicTech.bio_chem in strategic:
            f.add("strategic.cbrn")
    f.add(_MATURITY_FLAG[p.maturity] if p.maturity else "maturity.unstated")
    f.add(_PUBLICATION_FLAG[p.publication])
    if p.track is not None:
        f.add(_TRACK_FLAG[p.track])
    infra = p.infrastructure
    f.add(_HOSTING_FLAG[infra.hosting])
    if infra.scope is not None:
        f.add(_SCOPE_FLAG[infra.scope])
    if infra.builds_on_national_infrastructure:
        f.add("infra.national")
    # what the code given is: declared (``source_code``), or read from the declared work. A
    # declared `safety_tooling` answers the question but does not undo what the work says: code
    # given in work that trains models or builds pipelines is still read as capability code.
    code = p.source_code
    if code is not None:
        f.add(_CODE_FLAG[code])
    if (
        code is CodeKind.capability
        or infra.scope is InfraScope.general_purpose
        or not CAPABILITY_CODE_ACTIVITIES.isdisjoint(p.activities)
    ):
        f.add("code.capability_relevant")
    if p.governance is not None:
        f.add(_GOVERNANCE_FLAG[p.governance])
    f.update(map(_PURPOSE_FLAG.__getitem__, p.purposes))
    if not _STABILITY_PURPOSES.isdisjoint(p.purposes):
        f.add("purpose.stability_aim")
    for funding in p.funding:
        f.add(_FUNDING_FLAG[funding.type])
    if p.capability_lead == "parity":
        f.add("lead.parity")
    elif lead is None:
        f.add("lead.unknown")
    else:
        f.add("lead.declared")
    for party in p.parties:
        if party.type is OrgType.military_affiliated:
            f.add("party.military_affiliated")
        f.update(map(_GIVES_FLAG.__getitem__, party.contributes))
    if Form.personnel_exchange in forms or Form.visiting_researchers in forms:
        f.add("form.people_move")
    f.update([SAFEGUARD_PREFIX + s for s in safeguards])
    return f


def _dialogue_only(p: Proposal, access_flags: set[str]) -> bool:
    """Talk and writing only: every form a talk form, no hands-on activity, no access, no asset
    beyond published knowledge, expertise and funding."""
    # no form at all counts only when declared so (`forms: []`: nothing joint, e.g. funding only)
    if not p.forms and "forms" not in p.model_fields_set:
        return False
    if not set(p.forms) <= TALK_FORMS:
        return False
    if HANDS_ON_ACTIVITIES & set(p.activities) or access_flags:
        return False
    return all(set(x.contributes) <= TALK_ASSETS for x in p.parties) and all(
        set(x.receives) <= TALK_ASSETS for x in p.parties
    )


def side_features(
    p: Proposal, safeguards: frozenset[str] | None = None, rivalry: Rivalry | None = None
) -> list[SideFeatures]:
    """One flag set per side, in the order sides first appear among the parties.

    Sides come from the rivalry (the proposal's, else ``rivalry``, else the default): allies share a
    side, neutral and third-country parties form none. Facts that can be written in more than one
    field (model_access, access grants, contributes/receives) are merged into one normalised set
    of flags, so the result does not depend on which field the writer filled.
    """
    planned = frozenset(p.safeguards) if safeguards is None else safeguards
    of_party = p.party_sides(rivalry)
    sides = list(dict.fromkeys(s for s in of_party.values() if s is not None))
    lead = p.lead_side(rivalry, of_party)
    base = _global_flags(p, planned, lead)
    host = p.infrastructure.hosted_by
    if len(sides) > 1:
        base.add("sides.multiple")

    # Per side: what it gives, what it receives, what it runs (contributes/receives/administers).
    gives: dict[str, set[Asset]] = {s: set() for s in sides}
    gets: dict[str, set[Asset]] = {s: set() for s in sides}
    own: dict[str, set[str]] = {s: set() for s in sides}
    members: dict[str, list[str]] = {s: [] for s in sides}
    neutral: set[str] = set()
    for party in p.parties:
        key = party.key
        side = of_party.get(key)
        if side is None:
            if party.administers_infrastructure:
                neutral.add("neutral.administers")
            if host and key == host:
                neutral.add("neutral.hosts")
            continue
        members[side].append(key)
        gives[side].update(party.contributes)
        gets[side].update(party.receives)
        if party.administers_infrastructure:
            own[side].add("administers")
        if host and key == host:
            own[side].add("hosts")
        if party.type is OrgType.military_affiliated:
            own[side].add("military_affiliated")
        if party.type in _GOVERNMENT:
            own[side].add("government")
        if key == p.controlled_by and p.governance is Governance.one_party_controls:
            own[side].add("controls_process")
    # One fact, several fields: an asset received by one side and contributed by none is deemed
    # given by the other sides; one contributed and received by none is deemed received by them.
    if len(sides) > 1:  # with one side there is no other side to deem anything of
        for asset in set().union(*gives.values(), *gets.values()):
            givers = [s for s in sides if asset in gives[s]]
            takers = [s for s in sides if asset in gets[s]]
            if takers and not givers:
                for s in sides:
                    if s not in takers:
                        gives[s].add(asset)
            elif givers and not takers and asset not in TALK_ASSETS:
                for s in sides:
                    if s not in givers:
                        gets[s].add(asset)
    # Access grants: (receiving side, owning side or None for "every other side", of, level).
    grants: list[tuple[str | None, str | None, AccessOf, AccessLevel]] = []
    for g in p.access:
        if g.level is AccessLevel.none:
            continue
        to_side = of_party.get(g.to)
        # owner not stated: every other side; an owner on no side (a third party): no side gives
        owner_side = (of_party.get(g.owner) or _THIRD_PARTY) if g.owner else None
        grants.append((to_side, owner_side, g.of, g.level))
        if (
            g.of is AccessOf.model
            and g.level in _LEVEL_ASSET
            and to_side is not None
            and owner_side
            != _THIRD_PARTY  # a third party's model: no side gives, none is deemed to
        ):
            asset = _LEVEL_ASSET[g.level]
            gets[to_side].add(asset)
            for s in sides:
                if s != to_side and (owner_side is None or owner_side == s):
                    gives[s].add(asset)
        if g.of is AccessOf.infrastructure and g.level is AccessLevel.administration:
            if to_side is None:
                neutral.add("neutral.administers")
            else:
                own[to_side].add("administers")
    for s in sides:
        for asset, level in _MODEL_ASSET_LEVEL.items():
            if asset in gets[s]:
                # received from the other sides that give it (a side's own or a third party's
                # model, which no other side gives, is not access across sides)
                for o in sides:
                    if o != s and asset in gives[o]:
                        grants.append((s, o, AccessOf.model, level))
    access_flags: set[str] = set()
    for to_side, owner_side, of, level in grants:
        if to_side is not None and owner_side is not None and to_side == owner_side:
            continue  # access to one's own side's systems is not cooperation across sides
        access_flags.add(_ACCESS_FLAG[of, level])
        if of is AccessOf.model and owner_side != _THIRD_PARTY:
            base.add(_MODEL_ACCESS_LEVEL_FLAG[level])  # a side's model reaches another side
    # model_access (undirected) is access both ways
    if p.model_access is not ModelAccess.none:
        access_flags.add(_ACCESS_MODEL_FLAG[p.model_access])
    if not _HANDS_ON_ACCESS.isdisjoint(access_flags) or Form.joint_red_teaming in p.forms:
        access_flags.add("access.hands_on")
    base |= access_flags
    dialogue_only = _dialogue_only(p, access_flags)
    if dialogue_only:
        base.add("form.dialogue_only")
    # what the proposal does not say (a field never given is unknown, an empty list given is "none"):
    # the rules then read the area's baseline, and the verdict asks (rules.yaml V-UNSTATED-*)
    given = p.model_fields_set
    if "forms" not in given:
        base.add("unstated.forms")
    if "strategic_intersections" not in given:
        base.add("unstated.focus")
    if p.governance is Governance.one_party_controls and p.controlled_by is None:
        base.add("unstated.controller")
    # joint red-teaming alone (access.hands_on from the form, no grant) does not say whose model
    # is probed: that is asked too (rules 2.6.0: meanwhile no side is raised, the baseline is read)
    if (
        access_flags <= {"access.hands_on"}
        and not dialogue_only
        and "model_access" not in given
        and "access" not in given
    ):
        base.add("unstated.access")
    # the leader gives source code and nothing declared says whether it carries strategic AI
    # capability (no `source_code` kind, no capability work, no other capability asset): R2 is not
    # raised for it (X-R2-LEADER-GIVES), and the verdict asks what the code is (rules.yaml
    # V-UNSTATED-CODE). A declared kind (`source_code: capability | safety_tooling`) or tooling
    # declared narrowly safety-specific (infrastructure scope) is an answer: not asked.
    if (
        lead is not None
        and len(sides) > 1
        and p.source_code is None
        and Asset.source_code in gives.get(lead, ())
        and "code.capability_relevant" not in base
        and "infra.safety_specific" not in base
        and LEADER_CAPABILITY_ASSETS.isdisjoint(gives[lead])
    ):
        base.add("unstated.code_relevance")
    given = set().union(*gives.values())  # what the sides give (a third party's gift is not)
    if (
        not SENSITIVE_ASSETS.isdisjoint(given)
        or "model_access.internals" in base
        or "model_access.weights" in base
    ):
        base.add("shared.sensitive")
    funders = {s for s in sides if Asset.funding in gives[s] or Asset.compute in gives[s]}
    # rivals pool resources (framework.md §2): parties on two or more sides bear the cost; a
    # declared purpose of cost sharing alone is the applicant's label, not a pooled cost
    if len(funders) >= 2:
        base.add("costs.pooled")
    if lead is not None and lead in gives and (gives[lead] - {Asset.funding}):
        base.add("leader.shares")
    base |= neutral

    # per side, its flags as seen by itself ("self.*") and by the others ("other.*")
    as_self: dict[str, set[str]] = {}
    as_other: dict[str, set[str]] = {}
    for side in sides:
        mine = set(map(_SELF_GIVES.__getitem__, gives[side]))
        mine.update(map(_SELF_GETS.__getitem__, gets[side]))
        theirs = set(map(_OTHER_GIVES.__getitem__, gives[side]))
        theirs.update(map(_OTHER_GETS.__getitem__, gets[side]))
        for x in own[side]:
            mine.add("self." + x)
            theirs.add("other." + x)
        as_self[side] = mine
        as_other[side] = theirs
    if p.model_access is not ModelAccess.none and len(sides) > 1:
        base.add(_OTHER_GETS_MODEL_FLAG[p.model_access])  # the same on every other side
    # a side that only funds or is funded: no joint form declared (`forms: []`), no access across
    # sides, and it gives and gets nothing but money (activities are not attributed to a party, so
    # with no joint form and no access they are the other side's own work, not cooperation)
    no_joint = "forms" in p.model_fields_set and not p.forms and not access_flags
    for side in sides:
        if (
            no_joint
            and gives[side] <= _FUNDS
            and gets[side] <= _FUNDS
            and not own[side] & {"administers", "hosts"}
        ):
            as_self[side].add("self.funds_only")
    out: list[SideFeatures] = []
    for side in sides:
        flags = base | as_self[side]
        for other in sides:
            if other != side:
                flags |= as_other[other]
        # access another side gets to this side's systems
        for to_side, owner_side, of, level in grants:
            if to_side is not None and to_side != side and owner_side in (None, side):
                flags.add(_OTHER_GETS_FLAG[of, level])
        if not _HANDS_ON_OTHER.isdisjoint(flags):
            flags.add("other.gets.hands_on")
        if lead is not None:
            flags.add("self.leads" if lead == side else "other.leads")
        out.append(SideFeatures(side, tuple(members[side]), frozenset(flags)))
    return out
