"""Request dependencies: the workflow, who is signed in, CSRF, API tokens."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData

from detente.errors import AuthenticationError, PermissionDeniedError
from detente.store.service import Workflow
from detente.store.views import Actor
from detente.web.settings import Settings

SESSION_COOKIE = "detente_session"
LOGIN_CSRF_COOKIE = "detente_login_csrf"


def workflow(request: Request) -> Workflow:
    wf: Workflow = request.app.state.workflow
    return wf


def settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def client_address(request: Request) -> str:
    """The client's address: the socket peer, or the last X-Forwarded-For hop behind a trusted proxy."""
    if settings(request).trust_forwarded_for:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
        hops = [h for h in hops if h]
        if hops:
            return hops[-1][:64]
    return (request.client.host if request.client else "unknown")[:64]


def page_session(request: Request) -> tuple[Actor, str] | None:
    """The signed-in user and the session's CSRF token, from the session cookie (or None)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = workflow(request).session_actor(token)
    if found is not None:
        request.state.actor, request.state.csrf = found
    return found


Session = Annotated[tuple[Actor, str] | None, Depends(page_session)]


def page_actor(sess: Session) -> Actor:
    if sess is None:
        raise AuthenticationError("please sign in")
    return sess[0]


PageActor = Annotated[Actor, Depends(page_actor)]


def _check_token(sent: object, expected: str | None) -> None:
    if (
        not isinstance(sent, str)
        or not sent
        or not expected
        or not hmac.compare_digest(sent, expected)
    ):
        raise PermissionDeniedError(
            "the form's CSRF token is missing or wrong: reload the page and submit the form again"
        )


async def _read_form(request: Request) -> FormData:
    limit = settings(request).max_body_bytes
    return await request.form(max_part_size=limit)


async def csrf_form(request: Request, sess: Session) -> FormData:
    """The posted form of a signed-in user, after checking its CSRF token against the session's."""
    if sess is None:
        raise AuthenticationError("please sign in")
    form = await _read_form(request)
    _check_token(form.get("csrf_token"), sess[1])
    return form


async def login_form(request: Request) -> FormData:
    """The posted login form, checked against the double-submit cookie set with the form."""
    form = await _read_form(request)
    _check_token(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE))
    return form


CsrfForm = Annotated[FormData, Depends(csrf_form)]
LoginForm = Annotated[FormData, Depends(login_form)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalToken",
    description="A personal API token (`detente users token NAME` or the Account page): "
    "`Authorization: Bearer dtk_…`.",
)


def api_actor(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
) -> Actor:
    if creds is None or not creds.credentials:
        raise AuthenticationError("an API token is required: send `Authorization: Bearer <token>`")
    actor = workflow(request).token_actor(creds.credentials)
    request.state.actor = actor
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]
