"""Due diligence: restricted-party screening, controlled technology and investment-review flags.

Public API (heavy modules are imported on first use)::

    score_pair(a, b, schema="org", country_a=None, country_b=None) -> MatchScore
    screen_name(name, *, schema="org", country=None, home=None, threshold=None) -> ScreeningResult
    diligence_for(proposal, *, home=None, threshold=None, max_age_days=90, as_of=None,
                  dispositions=None) -> DueDiligence
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detente.model.diligence import DueDiligence, MatchScore, ScreeningResult
    from detente.model.proposal import Proposal
    from detente.screening.dispositions import DispositionSet

__all__ = ["diligence_for", "list_status", "score_pair", "screen_name"]


def score_pair(
    a: str,
    b: str,
    schema: str = "org",
    country_a: str | None = None,
    country_b: str | None = None,
    *,
    home: Path | None = None,
    use_index_weights: bool = False,
) -> MatchScore:
    """Score one pair of names with the matching rules; ``.score`` and ``.features`` explain it.

    By default tokens are weighted only by the data-file discounts (deterministic, no index
    needed); with ``use_index_weights=True`` the rare-token weights of the loaded index are used,
    exactly as screening does.
    """
    from detente.model.diligence import MatchScore
    from detente.screening.diligence import _features
    from detente.screening.matching import score_pair as _sp
    from detente.screening.store import open_index

    weights = None
    if use_index_weights:
        idx = open_index(home)
        weights = idx.matcher.weights if idx else None
    ps = _sp(a, b, schema=schema, country_a=country_a, country_b=country_b, weights=weights)
    return MatchScore(score=ps.score, features=_features(ps.features), via=ps.via)


def screen_name(
    name: str,
    *,
    schema: str = "org",
    country: str | None = None,
    aliases: list[str] | None = None,
    home: Path | None = None,
    threshold: float | None = None,
) -> ScreeningResult:
    from detente.screening.diligence import screen
    from detente.screening.store import open_index

    return screen(
        open_index(home),
        name,
        schema=schema,
        country=country,
        aliases=aliases or [],
        threshold=threshold,
    )


def diligence_for(
    proposal: Proposal,
    *,
    home: Path | None = None,
    threshold: float | None = None,
    max_age_days: int = 90,
    as_of: date | None = None,
    dispositions: DispositionSet | None = None,
) -> DueDiligence:
    from detente.screening.diligence import diligence_for as _dd

    return _dd(
        proposal,
        home=home,
        threshold=threshold,
        max_age_days=max_age_days,
        as_of=as_of,
        dispositions=dispositions,
    )


def list_status(
    home: Path | None = None, *, max_age_days: int = 90, as_of: date | None = None
) -> list[dict[str, object]]:
    """One row per list: coverage status, the sources loaded for it, their vintage and staleness."""
    from detente.screening.diligence import coverage, versions
    from detente.screening.registry import load_registry
    from detente.screening.store import open_index

    reg = load_registry()
    idx = open_index(home)
    vs = {v.source_id: v for v in versions(idx, reg, as_of or date.today(), max_age_days)}
    rows: list[dict[str, object]] = []
    for c in coverage(idx, reg):
        srcs = [vs[s] for s in c.sources if s in vs]
        rows.append(
            {
                "list_id": c.list_id,
                "list_name": c.list_name,
                "severity": c.severity,
                "jurisdiction": c.jurisdiction,
                "status": c.status,
                "reason": c.reason,
                "sources": [
                    {
                        "source_id": v.source_id,
                        "snapshot_id": v.snapshot_id,
                        "published": v.published,
                        "retrieved_at": v.retrieved_at,
                        "age_days": v.age_days,
                        "stale": v.stale,
                        "content_hash": v.content_hash,
                    }
                    for v in srcs
                ],
                "stale": any(v.stale for v in srcs),
            }
        )
    return rows
