"""The one place where exceptions become HTTP responses.

Every exception reaching the app — Détente's own errors, FastAPI's request
validation errors, Starlette's HTTP errors (unknown route, wrong method, a
body that cannot be parsed) and anything unexpected — is first turned into a
:class:`~detente.errors.DetenteError`; its HTTP status, its headers (``Retry-After``,
``Allow``) and its body come from the error itself (``http_status``, ``headers()``,
``to_dict()``).  API
paths get JSON, pages get a readable HTML page with the same content (and an
unauthenticated page request is sent to the login page).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.errors import (
    AuthenticationError,
    DetenteError,
    InputError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    Problem,
    http_status_for,
)

log = logging.getLogger("detente.web")


def _loc_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def from_validation(exc: RequestValidationError) -> InputError:
    problems = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(Problem(msg, field=_loc_str(loc) or None))
    return InputError("the request is not valid", problems=problems)


def to_detente_error(exc: Exception) -> tuple[DetenteError, int]:
    """The DetenteError an exception stands for, and its HTTP status."""
    if isinstance(exc, DetenteError):
        return exc, http_status_for(exc)
    cause = exc.__cause__
    if isinstance(cause, DetenteError):
        return cause, http_status_for(cause)
    if isinstance(exc, RequestValidationError):
        err: DetenteError = from_validation(exc)
        return err, http_status_for(err)
    if isinstance(exc, StarletteHTTPException):
        detail = str(exc.detail) if exc.detail else ""
        code = exc.status_code
        if code == 404:
            err = NotFoundError(
                detail if detail and detail != "Not Found" else "no such page or resource"
            )
        elif code == 401:
            err = AuthenticationError(detail or "authentication required")
        elif code == 403:
            err = PermissionDeniedError(detail or "not allowed")
        elif code == 413:
            err = PayloadTooLargeError(detail or "the request body is too large")
        elif code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            err = MethodNotAllowedError(
                "this path does not accept this method"
                + (f"; it accepts {allow}" if allow else ""),
                allow=allow,
            )
        elif 400 <= code < 500:
            err = InputError(f"the request could not be read: {detail or 'bad request'}")
        else:
            err = DetenteError(detail or "server error")
        return err, http_status_for(err)
    log.exception("unexpected error", exc_info=exc)
    err = DetenteError("an unexpected error occurred; it has been logged")
    return err, http_status_for(err)


def _allowed_methods(request: Request) -> str:
    """Every method some route accepts on this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    def leaves(routes: Any) -> Any:
        for r in routes:
            if getattr(r, "methods", None):
                yield r
                continue
            sub = getattr(r, "routes", None) or getattr(
                getattr(r, "original_router", None) or getattr(r, "router", None), "routes", None
            )
            if sub and not getattr(r, "path", ""):  # included routers (no prefix), not mounts
                yield from leaves(sub)

    methods: set[str] = set()
    for route in leaves(request.app.routes):
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if route_methods and match != Match.NONE:
            methods |= set(route_methods)
        elif route_methods:
            for m in route_methods:
                if route.matches({**request.scope, "method": m})[0] == Match.FULL:
                    methods.add(m)
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: order.index(m) if m in order else 99))


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def handle_error(request: Request, exc: Exception) -> Response:
    """The single exception handler registered for everything."""
    err, status = to_detente_error(exc)
    if isinstance(err, MethodNotAllowedError) and isinstance(exc, StarletteHTTPException):
        allow = _allowed_methods(request) or (exc.headers or {}).get("Allow")
        if allow:
            err = MethodNotAllowedError(
                f"{request.method} is not allowed on {request.url.path}; it accepts {allow}",
                allow=allow,
            )
    headers = err.headers()
    if wants_json(request):
        if status == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        return JSONResponse(err.to_dict(), status_code=status, headers=headers or None)
    if status == 401 and request.method == "GET":
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(nxt, safe='')}", status_code=303)
    from detente.web.render import error_page

    resp = error_page(request, err, status)
    resp.headers.update(headers)
    return resp


def install(app: FastAPI) -> None:
    for exc_type in (DetenteError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_type, handle_error)
