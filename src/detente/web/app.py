"""The ASGI app: pages, the REST API, static files, one error handler."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from detente._version import __version__
from detente.framework.loader import get_framework
from detente.store.db import Database
from detente.store.service import Workflow
from detente.web import errors
from detente.web.middleware import BodyLimit, SecurityHeaders
from detente.web.screening_admin import LIST_UPLOAD_PATHS, ListJobs
from detente.web.settings import Settings

# the pages that post a proposal (guided form and YAML text together): their own body limit
PROPOSAL_FORM_PATHS = (r"/proposals/new", r"/proposals/\d+/revise")

API_DESCRIPTION = """\
The Détente review workflow over HTTP: submit cooperation proposals (every
revision kept), read their assessments and screening, comment, request
safeguards and record decisions.

* **Authentication**: personal API tokens, `Authorization: Bearer dtk_…`
  (create one on the Account page or with `detente users token NAME`).
* **Errors**: every error has the same body,
  `{"error": {"code", "message", "problems": [{"message", "file", "line", "column", "field"}]}}`.
* **Optimistic locking**: a proposal's `ETag` names its current revision; send
  it as `If-Match` (or `base_revision`) when adding a revision or a decision —
  a stale one gets 409 and nothing is lost.
* **Pagination**: `limit` and `offset`; responses carry `total` and `next_offset`.
"""


def create_app(settings: Settings | None = None, *, workflow: Workflow | None = None) -> FastAPI:
    """Build the app. Opens (and by default migrates) the database now, not per request."""
    settings = settings or Settings()
    if workflow is None:
        db = Database(settings.database_url)
        if settings.migrate:
            db.upgrade()
        else:
            db.check_current()
        workflow = Workflow(
            db,
            get_framework(settings.framework_path),
            login_max_failures=settings.login_max_failures,
            login_window=timedelta(seconds=settings.login_window_seconds),
        )

    app = FastAPI(
        title="Détente API",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.workflow = workflow
    app.state.list_jobs = ListJobs()
    errors.install(app)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        overrides={path: settings.max_list_body_bytes for path in LIST_UPLOAD_PATHS},
        patterns={path: settings.max_form_body_bytes for path in PROPOSAL_FORM_PATHS},
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(packages=[("detente.web", "static")]), name="static")

    from detente.web import api, pages, research_security

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(research_security.router)  # issue 13: packs and researcher look-back

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        from detente.web.render import page

        spec: dict[str, Any] = app.openapi()
        return page(request, "api_docs.html.j2", spec=spec)

    return app
