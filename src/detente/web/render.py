"""Jinja2 templates of the pages (inside the package; no CDN, no build step)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from detente._version import __version__
from detente.errors import DetenteError
from detente.report import document as doc

LEVEL_ORDER = ("low", "moderate", "high")


def _nice(value: object) -> str:
    return str(value).replace("_", " ")


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(
        loader=PackageLoader("detente.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters["nice"] = _nice
    e.filters["dt"] = lambda d: d.strftime("%Y-%m-%d %H:%M UTC") if d is not None else ""
    e.globals["version"] = __version__
    # the verdict box shows the same findings and numbered conditions as the filed report
    e.globals["report_findings"] = doc.findings
    e.globals["report_actions"] = doc.actions
    e.globals["report_matches"] = doc.match_summary
    e.globals["report_statement"] = doc.benefit_risk_statement
    return e


def page(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    state = request.state
    ctx.setdefault("actor", getattr(state, "actor", None))
    ctx.setdefault("csrf", getattr(state, "csrf", ""))
    ctx.setdefault("flash", request.query_params.get("done", ""))
    ctx["request_path"] = request.url.path
    html = env().get_template(template).render(**ctx)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _back(request: Request) -> str:
    """Where the error page's Back button leads without JavaScript: the page the user came from
    (same site only), else the dashboard. With JavaScript it is the browser's back."""
    ref = urlsplit(request.headers.get("referer", ""))
    if (
        ref.netloc != request.url.netloc
        or not ref.path.startswith("/")
        or ref.path.startswith("//")
    ):
        return "/"
    return ref.path + (f"?{ref.query}" if ref.query else "")


def error_page(request: Request, err: DetenteError, status: int) -> HTMLResponse:
    return page(
        request, "error.html.j2", status_code=status, error=err, status=status, back=_back(request)
    )
