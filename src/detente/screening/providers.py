"""Détente's own list loaders (one per list file format) and the screening enricher.

Registered through the ``detente.list_loaders`` and ``detente.enrichers`` entry points exactly
as a third-party distribution would register its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.registry import Enricher, ListLoader
from detente.screening import loaders

if TYPE_CHECKING:
    from detente.model.diligence import DueDiligence
    from detente.model.proposal import Proposal


ofac_csv = ListLoader(
    load=loaders.load_ofac_csv,
    description="OFAC SDN / consolidated legacy CSV (sdn, add, alt, comments)",
)
ofac_xml = ListLoader(load=loaders.load_ofac_xml, description="OFAC SDN XML")
csl_csv = ListLoader(
    load=loaders.load_csl_csv, description="trade.gov Consolidated Screening List, CSV"
)
csl_json = ListLoader(
    load=loaders.load_csl_json, description="trade.gov Consolidated Screening List, JSON"
)
os_1260h_csv = ListLoader(
    load=loaders.load_os_1260h, description="OpenSanctions' DoD 1260H list, CSV"
)
os_special_leg_csv = ListLoader(
    load=loaders.load_os_special_leg, description="OpenSanctions' special-legislation lists, CSV"
)
os_mieu_csv = ListLoader(
    load=loaders.load_os_mieu, description="OpenSanctions' BIS military end-user list, CSV"
)
el_universities_json = ListLoader(
    load=loaders.load_el_universities, description="Entity List universities, JSON"
)
kaist_json = ListLoader(load=loaders.load_kaist, description="KAIST restricted parties, JSON")
os_cn_sanctions_csv = ListLoader(
    load=loaders.load_os_cn_sanctions, description="China's countermeasures lists, CSV"
)
user_csv = ListLoader(
    load=loaders.load_user_csv, description="An organisation's own list: CSV with a name column"
)


def _screen(proposal: Proposal, options: Any) -> DueDiligence | None:
    from detente.packs.diligence import with_packs
    from detente.screening import diligence_for

    dd = diligence_for(
        proposal,
        as_of=options.as_of,
        max_age_days=options.max_list_age_days,
        dispositions=options.dispositions,
    )
    # research-security rule packs in force on the as-of date, as pack.* flags (issue 13)
    return with_packs(dd, proposal, options.as_of)


screening = Enricher(
    run=_screen,
    description="Restricted-party screening of both sides' parties and people, controlled "
    "technology, investment review and the research-security rule packs.",
)
