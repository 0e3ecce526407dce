"""The packs' hook into the assessment: pack outcomes as due-diligence flags.

:func:`with_packs` records the packs in a due-diligence result so the engine reads the pack flags
(``pack.prohibited``, ``pack.mitigation_required``, ``pack.mitigation_suggested``,
``pack.cannot_tell``) the same way it reads the screening flags, and the stored due diligence
carries the research-security report under ``research_security`` (rendered by the reports).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from detente.model.diligence import DueDiligence
from detente.model.packs import PacksReport
from detente.model.proposal import Proposal
from detente.packs.checks import CoPublication
from detente.packs.evaluate import evaluate

PACK_FLAGS: dict[str, str] = {
    "pack.prohibited": "a research-security rule pack in force prohibits part of the cooperation",
    "pack.mitigation_required": "a research-security rule pack in force requires mitigation",
    "pack.mitigation_suggested": "a research-security rule pack suggests mitigation (or a possible match needs review)",
    "pack.cannot_tell": "a research-security clause could not be evaluated: facts not stated",
}


def PackDiligence(base: DueDiligence, report: PacksReport) -> DueDiligence:
    """A due-diligence result with the research-security packs recorded in it.

    Once a wrapper class (hence the name); the result is now one typed :class:`DueDiligence` whose
    ``research_security`` field holds the report and whose flags include the pack flags.
    """
    return base.model_copy(update={"research_security": report})


def lookback_for(
    proposal: Proposal,
    as_of: date,
    *,
    index: Any,
    db: Path | None = None,
    records: list[Path] | None = None,
    years: int = 5,
) -> tuple[dict[str, list[CoPublication]] | None, list[str]]:
    """Run the look-back for every person (ORCID, else name + affiliation); None if no source."""
    from detente.researcher.lookback import RecordsSource, StoreSource, WorkSource, lookback

    if not proposal.people:
        return {}, []
    source: WorkSource | None = None
    if records:
        source = RecordsSource(records)
    elif db is not None and db.is_file():
        source = StoreSource(db)
    if source is None:
        return None, ["No bibliographic store: the co-publication look-back was not run."]
    out: dict[str, list[CoPublication]] = {}
    notes: list[str] = []
    try:
        for person in proposal.people:
            party = proposal.party(person.affiliation) if person.affiliation else None
            orcid = person.disclosures.orcid if person.disclosures else None
            rep = lookback(
                source,
                index,
                name=person.name,
                orcid=orcid,
                affiliation=party.name if party else None,
                as_of=as_of,
                years=years,
            )
            out[person.name] = rep.copublications(person.name)
            notes += [f"{person.name}: {n}" for n in rep.notes if "evidence for review" not in n]
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    return out, notes


def research_security_for(
    proposal: Proposal,
    as_of: date | None = None,
    *,
    lists_dir: Path | None = None,
    db: Path | None = None,
    records: list[Path] | None = None,
    years: int = 5,
) -> PacksReport:
    """Evaluate the packs on a proposal, with list editions and the look-back where available."""
    from detente.researcher.editions import edition_index

    day = as_of or date.today()
    index = edition_index(str(lists_dir) if lists_dir else None)
    copubs, notes = lookback_for(proposal, day, index=index, db=db, records=records, years=years)
    return evaluate(
        proposal,
        day,
        lists=index,
        copublications=copubs,
        lists_loaded=sorted(index.loaded) if index else (),
        notes=notes,
    )


def with_packs(
    base: DueDiligence | None, proposal: Proposal, as_of: date | None = None, **kw: Any
) -> DueDiligence | None:
    """The due-diligence result with the packs recorded in it (None stays None: nothing was checked)."""
    if base is None:
        return None
    if kw.get("db") is None:
        from detente.landscape.paths import default_db_path

        kw["db"] = default_db_path()
    return base.model_copy(
        update={"research_security": research_security_for(proposal, as_of, **kw)}
    )
