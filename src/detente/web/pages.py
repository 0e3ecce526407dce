"""Server-rendered pages: sign-in, dashboard, proposal form, assessment, comparison, review, admin."""

from __future__ import annotations

import difflib
import hmac
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from detente.assessment.result import Assessment
from detente.errors import (
    AuthenticationError,
    ConflictError,
    DataSourceError,
    DetenteError,
    InputError,
    LoginThrottledError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    Problem,
    http_status_for,
)
from detente.report.diligence import diligence_rows
from detente.report.html import heatmap
from detente.report.placement import fact_rows, not_credited_lines, placement_lines
from detente.store.accounts import new_secret
from detente.store.models import OUTCOMES, ROLES, STATUSES
from detente.store.service import Workflow
from detente.store.views import Actor, RevisionView
from detente.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfForm,
    LoginForm,
    PageActor,
    Session,
    client_address,
    settings,
    workflow,
)
from detente.web.errors import wants_json
from detente.web.exports import export_response
from detente.web.forms import (
    FormState,
    document_from_form,
    form_problems,
    framework_choices,
    given_document,
    proposal_text_from_request,
    to_yaml,
)
from detente.web.render import page
from detente.web.screening_admin import ListJobs

router = APIRouter(include_in_schema=False)

Id = Annotated[int, Query(ge=1, le=2_147_483_647)]
MAX_ID = 2_147_483_647


def _bounded(value: int, what: str = "proposal") -> int:
    """Ids beyond the database's integer range cannot exist: 404, like the API (not a 500)."""
    if not 1 <= value <= MAX_ID:
        raise NotFoundError(f"no {what} with id {value}")
    return value


PAGE_SIZE = 25


def _wf(request: Request) -> Workflow:
    return workflow(request)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(nxt: str | None) -> str:
    if not nxt:
        return "/"
    parts = urlsplit(nxt)
    if parts.scheme or parts.netloc or not nxt.startswith("/") or nxt.startswith("//"):
        return "/"
    return nxt


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings(request).secure_cookies,
        path="/",
    )


# --------------------------------------------------------------------------- sign in


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, sess: Session, next: str | None = None) -> Response:
    if sess is not None:
        return _redirect(_safe_next(next))
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_secret()
    resp = page(request, "login.html.j2", login_csrf=token, next=_safe_next(next), error=None)
    _set_cookie(request, resp, LOGIN_CSRF_COOKIE, token, 3600)
    return resp


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, form: LoginForm) -> Response:
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    nxt = _safe_next(str(form.get("next") or "/"))
    try:
        actor = _wf(request).authenticate(username, password, client=client_address(request))
    except AuthenticationError as exc:
        if wants_json(request):
            raise
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        failed = page(
            request,
            "login.html.j2",
            status_code=http_status_for(exc),
            login_csrf=token,
            next=nxt,
            error=exc,
            username=username,
        )
        failed.headers.update(exc.headers())
        return failed
    token, _csrf = _wf(request).create_session(actor)
    resp = _redirect(nxt)
    _set_cookie(request, resp, SESSION_COOKIE, token, 12 * 3600)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, form: CsrfForm) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        _wf(request).end_session(token)
    resp = _redirect("/login")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# --------------------------------------------------------------------------- dashboard


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    actor: PageActor,
    status: str | None = None,
    verdict: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    wf = _wf(request)
    status = status or None
    verdict = verdict or None
    items, total = wf.list_proposals(
        actor, status=status, verdict=verdict, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    counts = wf.counts(actor)
    verdicts = ["suitable", "suitable_with_safeguards", "needs_senior_review", "not_advisable"]
    by_status = {s: sum(n for (st, _), n in counts.items() if st == s) for s in STATUSES}
    return page(
        request,
        "dashboard.html.j2",
        items=items,
        total=total,
        counts=counts,
        statuses=STATUSES,
        verdicts=verdicts,
        by_status=by_status,
        status=status,
        verdict=verdict,
        page_no=page_no,
        pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
    )


# --------------------------------------------------------------------------- new / revise


def _form_page(
    request: Request,
    *,
    state: FormState,
    title: str,
    action: str,
    base_revision: int | None = None,
    mode: str = "form",
    status_code: int = 200,
    proposal_id: int | None = None,
    requests: list[Any] | None = None,
) -> HTMLResponse:
    wf = _wf(request)
    return page(
        request,
        "proposal_form.html.j2",
        status_code=status_code,
        state=state,
        title=title,
        action=action,
        base_revision=base_revision,
        mode=mode,
        choices=framework_choices(wf.framework),
        proposal_id=proposal_id,
        max_upload=settings(request).max_upload_bytes,
        requests=requests or [],
    )


@router.get("/proposals/new", response_class=HTMLResponse)
def new_proposal(request: Request, actor: PageActor) -> Response:
    return _form_page(request, state=FormState(), title="New proposal", action="/proposals/new")


def _text_and_state(
    request: Request, form: FormData, base: dict[str, Any] | None
) -> tuple[str, str, str, FormState]:
    text, source, mode = proposal_text_from_request(form, settings(request).max_upload_bytes)
    if mode == "form":
        doc = document_from_form(form, base)
        return to_yaml(doc), "form", mode, FormState(data=doc)
    return text, source, mode, FormState(data=dict(base or {}), text=text)


@router.post("/proposals/new", response_class=HTMLResponse)
def create_proposal(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    wf = _wf(request)
    state = FormState()
    mode = str(form.get("mode") or "form")
    try:
        text, source, mode, state = _text_and_state(request, form, None)
        note = str(form.get("note") or "")
        created = wf.submit(actor, text, source=source, note=note)
    except InputError as exc:
        state.problems = (
            form_problems(exc) if mode == "form" else list(exc.problems) or form_problems(exc)
        )
        if mode != "form":
            state.text = state.text or str(form.get("text") or "")
        return _form_page(
            request,
            state=state,
            title="New proposal",
            action="/proposals/new",
            mode=mode,
            status_code=http_status_for(exc),
        )
    return _redirect(f"/proposals/{created.id}?done=submitted")


def _given(rev: RevisionView) -> dict[str, Any]:
    return given_document(rev.source_text, f"revision {rev.number}", rev.data)


@router.get("/proposals/{proposal_id}/revise", response_class=HTMLResponse)
def revise_page(request: Request, proposal_id: int, actor: PageActor) -> Response:
    _bounded(proposal_id, "proposal")
    wf = _wf(request)
    detail = wf.get(actor, proposal_id)
    if detail.owner_id != actor.id and not actor.is_admin:
        raise PermissionDeniedError("only the proposal's submitter (or an admin) can revise it")
    rev = wf.revision(actor, proposal_id)
    requested = [
        c for c in detail.comments if c.kind != "comment" and c.revision_number == rev.number
    ]
    return _form_page(
        request,
        state=FormState(data=_given(rev), text=rev.source_text),
        title=f"Revise “{detail.title}” (revision {rev.number} → {rev.number + 1})",
        action=f"/proposals/{proposal_id}/revise",
        base_revision=rev.number,
        proposal_id=proposal_id,
        requests=requested,
    )


@router.post("/proposals/{proposal_id}/revise", response_class=HTMLResponse)
def revise_submit(request: Request, proposal_id: int, actor: PageActor, form: CsrfForm) -> Response:
    _bounded(proposal_id, "proposal")
    wf = _wf(request)
    raw_base = str(form.get("base_revision") or "")
    if not raw_base.isdigit() or not (1 <= int(raw_base) <= 2_147_483_647):
        raise InputError("the form has no valid base revision: reload the page")
    base = int(raw_base)
    try:
        base_data = _given(wf.revision(actor, proposal_id, base))
    except NotFoundError:
        base_data = _given(wf.revision(actor, proposal_id))
    mode = str(form.get("mode") or "form")
    state = FormState()
    try:
        text, source, mode, state = _text_and_state(request, form, base_data)
        wf.revise(actor, proposal_id, base, text, source=source, note=str(form.get("note") or ""))
    except InputError as exc:
        state.problems = (
            form_problems(exc) if mode == "form" else list(exc.problems) or form_problems(exc)
        )
        return _form_page(
            request,
            state=state,
            title=f"Revise proposal {proposal_id}",
            action=f"/proposals/{proposal_id}/revise",
            base_revision=base,
            mode=mode,
            proposal_id=proposal_id,
            status_code=http_status_for(exc),
        )
    return _redirect(f"/proposals/{proposal_id}?done=revised")


# --------------------------------------------------------------------------- assessment page


def _view_model(a: Assessment) -> dict[str, Any]:
    return {
        "a": a,
        "heat": heatmap(a),
        "dd": diligence_rows(a.due_diligence) if a.due_diligence is not None else None,
        "short": {r.risk: r.short for r in a.risks},
        "placement": placement_lines(a),
        "facts": fact_rows(a),
        "not_credited": not_credited_lines(a),
    }


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request,
    proposal_id: int,
    actor: PageActor,
    rev: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    _bounded(proposal_id, "proposal")
    wf = _wf(request)
    detail = wf.get(actor, proposal_id)
    meta, a = wf.assessment(actor, proposal_id, rev)
    screening = wf.screening(actor, proposal_id, meta.revision_number)
    return page(
        request,
        "assessment.html.j2",
        p=detail,
        meta=meta,
        screening=screening,
        is_current=meta.revision_number == detail.current_revision,
        outcomes=OUTCOMES,
        safeguard_names={s.id: s.name for s in wf.framework.catalogue.safeguards},
        **_view_model(a),
    )


@router.get("/proposals/{proposal_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    proposal_id: int,
    actor: PageActor,
    a: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    b: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    _bounded(proposal_id, "proposal")
    wf = _wf(request)
    detail = wf.get(actor, proposal_id)
    nb = b or detail.current_revision
    na = a or max(1, nb - 1)
    ra, rb = wf.revision(actor, proposal_id, na), wf.revision(actor, proposal_id, nb)
    (ma, aa), (mb, ab) = (
        wf.assessment(actor, proposal_id, na),
        wf.assessment(actor, proposal_id, nb),
    )
    risks = []
    for x, y in zip(aa.risks, ab.risks, strict=False):
        risks.append({"short": x.short, "name": x.name, "a": x, "b": y})
    diff = difflib.HtmlDiff(wrapcolumn=60).make_table(
        ra.source_text.splitlines(),
        rb.source_text.splitlines(),
        f"revision {na}",
        f"revision {nb}",
        context=True,
    )
    planned_a = {s.id for s in aa.safeguards if s.planned}
    planned_b = {s.id for s in ab.safeguards if s.planned}
    return page(
        request,
        "compare.html.j2",
        p=detail,
        ra=ra,
        rb=rb,
        ma=ma,
        mb=mb,
        aa=aa,
        ab=ab,
        risks=risks,
        diff=diff,
        added=sorted(planned_b - planned_a),
        removed=sorted(planned_a - planned_b),
        heat_a=heatmap(aa),
        heat_b=heatmap(ab),
    )


# --------------------------------------------------------------------------- review


@router.post("/proposals/{proposal_id}/comment")
def comment_submit(
    request: Request, proposal_id: int, actor: PageActor, form: CsrfForm
) -> Response:
    _bounded(proposal_id, "proposal")
    kind = str(form.get("kind") or "comment")
    _wf(request).comment(
        actor,
        proposal_id,
        str(form.get("body") or ""),
        kind=kind,
        safeguard_id=str(form.get("safeguard_id") or "") or None,
    )
    return _redirect(f"/proposals/{proposal_id}?done={quote(kind)}#review")


@router.post("/proposals/{proposal_id}/decision")
def decision_submit(
    request: Request, proposal_id: int, actor: PageActor, form: CsrfForm
) -> Response:
    _bounded(proposal_id, "proposal")
    raw_base = str(form.get("base_revision") or "")
    if not raw_base.isdigit() or not (1 <= int(raw_base) <= 2_147_483_647):
        raise InputError("the form has no valid base revision: reload the page")
    outcome = str(form.get("outcome") or "")
    # the page shows the conditions only for "approved with conditions": text left in the hidden
    # field after choosing another outcome is not part of that decision
    conditions = str(form.get("conditions") or "") if outcome == "approved_with_conditions" else ""
    _wf(request).decide(
        actor,
        proposal_id,
        outcome=outcome,
        reasoning=str(form.get("reasoning") or ""),
        conditions=conditions,
        base_revision=int(raw_base),
    )
    return _redirect(f"/proposals/{proposal_id}?done=decided#review")


@router.get("/proposals/{proposal_id}/export.{fmt}")
def export(
    request: Request,
    proposal_id: int,
    fmt: str,
    actor: PageActor,
    rev: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    _bounded(proposal_id, "proposal")
    return export_response(_wf(request), actor, proposal_id, fmt, rev)


# --------------------------------------------------------------------------- account & admin


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError("only an admin can open this page")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, actor: PageActor) -> Response:
    return page(request, "account.html.j2", tokens=_wf(request).list_tokens(actor), new_token=None)


@router.post("/account/tokens", response_class=HTMLResponse)
def token_create(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    wf = _wf(request)
    raw, _view = wf.create_token(actor, str(form.get("name") or ""))
    return page(request, "account.html.j2", tokens=wf.list_tokens(actor), new_token=raw)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: int, actor: PageActor, form: CsrfForm) -> Response:
    _bounded(token_id, "API token")
    _wf(request).revoke_token(actor, token_id)
    return _redirect("/account?done=revoked")


@router.post("/account/password")
def password_change(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    wf = _wf(request)
    try:
        wf.authenticate(
            actor.username, str(form.get("current") or ""), client=client_address(request)
        )
    except LoginThrottledError:
        raise
    except AuthenticationError:  # the user is signed in: a field to correct, not a sign-in
        raise InputError(
            "the current password is wrong",
            problems=[Problem("the current password is wrong", field="current")],
        ) from None
    new = str(form.get("new") or "")
    if not hmac.compare_digest(new, str(form.get("repeat") or "")):
        raise InputError("the two new passwords differ")
    wf.update_user(actor.username, actor.id, password=new)
    return _redirect("/account?done=password")


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, actor: PageActor) -> Response:
    _require_admin(actor)
    return page(request, "users.html.j2", users=_wf(request).list_users(), roles=ROLES)


@router.post("/admin/users")
def users_create(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    _require_admin(actor)
    _wf(request).create_user(
        str(form.get("username") or ""),
        str(form.get("password") or ""),
        str(form.get("role") or "submitter"),
        by=actor.username,
    )
    return _redirect("/admin/users?done=created")


@router.post("/admin/users/{user_id}")
def users_update(request: Request, user_id: int, actor: PageActor, form: CsrfForm) -> Response:
    _bounded(user_id, "user")
    _require_admin(actor)
    role = str(form.get("role") or "") or None
    active_raw = str(form.get("active") or "")
    active = None if not active_raw else active_raw == "1"
    if user_id == actor.id and (active is False or (role is not None and role != "admin")):
        raise InputError("you cannot disable yourself or drop your own admin role")
    _wf(request).update_user(actor, user_id, role=role, active=active)
    return _redirect("/admin/users?done=updated")


def _require_reviewer(actor: Actor) -> None:
    if not actor.can_review:
        raise PermissionDeniedError("only a reviewer or admin can open this page")


@router.get("/dispositions", response_class=HTMLResponse)
def dispositions_page(
    request: Request,
    actor: PageActor,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Reviewers' dispositions of screening matches, and a form to record one."""
    _require_reviewer(actor)
    items, total = _wf(request).list_dispositions(actor, limit=50, offset=(page_no - 1) * 50)
    return page(
        request,
        "dispositions.html.j2",
        items=items,
        total=total,
        page_no=page_no,
        pages=max(1, (total + 49) // 50),
    )


@router.post("/dispositions")
def dispositions_submit(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    _require_reviewer(actor)
    _wf(request).record_disposition(
        actor,
        subject=str(form.get("subject") or ""),
        entry=str(form.get("entry") or ""),
        entry_fingerprint=str(form.get("entry_fingerprint") or ""),
        decision=str(form.get("decision") or ""),
        reason=str(form.get("reason") or ""),
        schema=str(form.get("type") or "org"),
    )
    return _redirect("/dispositions?done=recorded")


@router.post("/admin/users/{user_id}/unlock")
def users_unlock(request: Request, user_id: int, actor: PageActor, form: CsrfForm) -> Response:
    _bounded(user_id, "user")
    _require_admin(actor)
    wf = _wf(request)
    name = next((u.username for u in wf.list_users() if u.id == user_id), None)
    if name is None:
        raise NotFoundError(f"no user with id {user_id}")
    wf.unlock_user(actor, name)
    return _redirect("/admin/users?done=unlocked")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    actor: PageActor,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    _require_admin(actor)
    wf = _wf(request)
    entries, total = wf.audit_entries(limit=50, offset=(page_no - 1) * 50)
    return page(
        request,
        "audit.html.j2",
        entries=entries,
        total=total,
        page_no=page_no,
        pages=max(1, (total + 49) // 50),
        check=wf.verify_audit(),
    )


def _lists_page(
    request: Request,
    *,
    status_code: int = 200,
    loaded: list[dict[str, Any]] | None = None,
    error: DetenteError | None = None,
) -> HTMLResponse:
    from detente.web import screening_admin as sa

    jobs = sa.recent_jobs(_wf(request))
    try:
        downloadable, sources = sa.downloadable_sources(), sa.all_sources()
    except DetenteError:
        downloadable, sources = [], []
    return page(
        request,
        "lists.html.j2",
        status_code=status_code,
        lists=sa.list_status(),
        jobs=jobs,
        running=any(j["state"] == "running" for j in jobs),
        downloadable=downloadable,
        sources=sources,
        loaded=loaded,
        error=error,
        mirror=settings(request).lists_mirror,
        max_list_upload=settings(request).max_list_upload_bytes,
    )


def _list_jobs(request: Request) -> ListJobs:
    jobs: ListJobs = request.app.state.list_jobs
    return jobs


@router.get("/admin/lists", response_class=HTMLResponse)
def lists_page(request: Request, actor: PageActor) -> Response:
    _require_admin(actor)
    return _lists_page(request)


@router.post("/admin/lists/update", response_class=HTMLResponse)
def lists_update(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    _require_admin(actor)
    cfg = settings(request)
    sources = [v for v in form.getlist("sources") if isinstance(v, str)]
    try:
        job = _list_jobs(request).start_update(
            _wf(request),
            actor,
            sources,
            mirror=cfg.lists_mirror,
            timeout=cfg.lists_timeout,
            retries=cfg.lists_retries,
        )
    except (InputError, ConflictError) as exc:
        return _lists_page(request, status_code=http_status_for(exc), error=exc)
    return _redirect(f"/admin/lists?done=update-started#job-{job}")


@router.post("/admin/lists/load", response_class=HTMLResponse)
async def lists_load(request: Request, actor: PageActor, form: CsrfForm) -> Response:
    _require_admin(actor)
    from detente.web.screening_admin import Upload

    limit = settings(request).max_list_upload_bytes
    uploads = []
    for f in form.getlist("files"):
        if isinstance(f, UploadFile) and f.filename:
            data = await f.read(limit + 1)
            if len(data) > limit:
                raise PayloadTooLargeError(f"{f.filename}: the file is larger than {limit:,} bytes")
            uploads.append(Upload(f.filename, data))
    source = str(form.get("source") or "").strip() or None
    published = str(form.get("published") or "").strip() or None
    try:
        rows = await run_in_threadpool(
            _list_jobs(request).load,
            _wf(request),
            actor,
            uploads,
            source=source,
            published=published,
        )
    except (InputError, ConflictError, NotFoundError, DataSourceError) as exc:
        return await run_in_threadpool(
            _lists_page, request, status_code=http_status_for(exc), error=exc
        )
    return await run_in_threadpool(_lists_page, request, loaded=rows)


@router.get("/framework", response_class=HTMLResponse)
def framework_page(request: Request, actor: PageActor) -> Response:
    return page(request, "framework.html.j2", fw=_wf(request).framework)
