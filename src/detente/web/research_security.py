"""Web views of the research-security packs and the researcher look-back (issue 13)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from detente.errors import InputError
from detente.web.deps import PageActor
from detente.web.render import page

router = APIRouter(include_in_schema=False)  # HTML pages, not the API


def _day(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


@router.get("/packs", response_class=HTMLResponse)
def packs_page(
    request: Request, actor: PageActor, as_of: Annotated[str | None, Query()] = None
) -> Response:
    from detente.packs.loader import bundled_packs

    day = _day(as_of)
    packs = list(bundled_packs())
    versions = {p.id: p.version_at(day) for p in packs}
    return page(request, "packs.html.j2", packs=packs, versions=versions, as_of=day)


def _lookback(name: str, affiliation: str | None, day: date, years: int) -> object:
    from detente.landscape.paths import default_db_path
    from detente.researcher.editions import edition_index
    from detente.researcher.lookback import StoreSource, lookback

    db = default_db_path()
    if not db.is_file():
        return None
    src = StoreSource(db)
    try:
        return lookback(
            src, edition_index(), name=name, affiliation=affiliation or None, as_of=day, years=years
        )
    finally:
        src.close()


@router.get("/researcher", response_class=HTMLResponse)
async def researcher_page(
    request: Request,
    actor: PageActor,
    name: Annotated[str | None, Query(max_length=200)] = None,
    affiliation: Annotated[str | None, Query(max_length=300)] = None,
    as_of: Annotated[str | None, Query()] = None,
    years: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    day = _day(as_of)
    report = None
    ran = False
    if name and name.strip():
        ran = True
        report = await run_in_threadpool(_lookback, name.strip(), affiliation, day, years)
    return page(
        request,
        "researcher.html.j2",
        name=name or "",
        affiliation=affiliation or "",
        as_of=day,
        years=years,
        report=report,
        ran=ran,
    )
