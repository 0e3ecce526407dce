"""The versioned REST API under ``/api/v1`` (personal API tokens; one error shape)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, File, Form, Header, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from detente.errors import InputError, PayloadTooLargeError, PermissionDeniedError, Problem
from detente.framework.model import Verdict
from detente.store.service import Workflow
from detente.store.views import (
    Actor,
    AssessmentMeta,
    AuditView,
    CommentKind,
    CommentView,
    DecisionView,
    DispositionView,
    Outcome,
    ProposalDetail,
    ProposalSummary,
    RevisionMeta,
    RevisionView,
    ScreeningView,
    Status,
)
from detente.web import screening_admin as sa
from detente.web.deps import ApiActor, settings, workflow
from detente.web.exports import export_response
from detente.web.screening_admin import ListJobs

T = TypeVar("T")
MAX_ID = 2_147_483_647
MAX_TEXT = 1_000_000


class ProblemOut(BaseModel):
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Machine-readable error code, e.g. invalid_proposal, not_found, conflict."
    )
    message: str
    problems: list[ProblemOut]


class ErrorOut(BaseModel):
    """The one error shape of the API (``DetenteError.to_dict()``)."""

    error: ErrorDetail


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "No or bad API token",
        403: "Not allowed for this user",
        404: "Unknown id",
        409: "Stale revision (optimistic locking), or a list update already running",
        413: "Body too large",
        422: "Invalid input",
    }
    return {c: {"model": ErrorOut, "description": text.get(c, "Error")} for c in codes}


COMMON = _errors(401, 422)
router = APIRouter(prefix="/api/v1", responses=COMMON)

ProposalId = Annotated[int, Path(ge=1, le=MAX_ID, description="Proposal id")]
RevisionNo = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Revision number (default: current)")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="Offset of the next page, or null on the last page."
    )


class ProposalIn(BaseModel):
    """A proposal as YAML/JSON text (``source``) or as a JSON object (``proposal``) — exactly one."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        None, max_length=MAX_TEXT, description="The proposal's YAML or JSON text."
    )
    # raw input, free-form on purpose: parsed and validated as a Proposal with the same
    # field-located problems as the YAML/JSON text
    proposal: dict[str, Any] | None = Field(None, description="The proposal as a JSON object.")
    filename: str = Field(
        "proposal.yaml", max_length=200, description="Name used in problem locations."
    )
    note: str = Field("", max_length=20_000, description="What changed and why.")


class RevisionIn(ProposalIn):
    base_revision: int | None = Field(
        None, ge=1, le=MAX_ID, description="The revision this one was made from (or send If-Match)."
    )


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field("", max_length=20_000)
    kind: CommentKind = "comment"
    safeguard_id: str | None = Field(None, max_length=100)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reasoning: str = Field(min_length=1, max_length=20_000)
    conditions: str = Field("", max_length=20_000)
    base_revision: int = Field(ge=1, le=MAX_ID, description="The revision the decision is about.")


class DispositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(
        min_length=1,
        max_length=500,
        description="The screened name (or its key, 'org:…' / 'person:…').",
    )
    entry: str = Field(
        min_length=3, max_length=300, description="The list entry: LIST_ID:ENTRY_ID."
    )
    entry_fingerprint: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[0-9a-f]+$",
        description="The entry's fingerprint as screened (the disposition expires when it changes).",
    )
    decision: Literal["true_match", "false_positive"]
    reason: str = Field(min_length=1, max_length=2000)
    type: Literal["org", "person"] = Field(
        "org", description="Whether the subject is an organisation or a person."
    )


class AssessmentOut(BaseModel):
    meta: AssessmentMeta
    # the stored record verbatim (what the audit chain hashed), not a re-serialisation; the typed
    # Assessment is Workflow.assessment(), and docs/schema/assessment.schema.json describes it
    assessment: dict[str, Any] = Field(
        description="The stored Assessment JSON (schema detente.assessment/1)."
    )


class AssessIn(ProposalIn):
    pass


class MeOut(BaseModel):
    id: int
    username: str
    role: str


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    first_broken: int | None
    reason: str
    head_hash: str
    problems: list[str] = Field(
        default_factory=list,
        description="Every altered, deleted or unrecorded record the content check found.",
    )
    records_checked: int = 0


def _wf(request: Request) -> Workflow:
    return workflow(request)


def _text(body: ProposalIn) -> tuple[str, str]:
    if (body.source is None) == (body.proposal is None):
        raise InputError(
            "send the proposal either as `source` (YAML/JSON text) or as `proposal` (a JSON object)",
            problems=[Problem("exactly one of source and proposal is required", field="source")],
        )
    if body.proposal is not None:
        name = body.filename if body.filename.endswith(".json") else "proposal.json"
        return json.dumps(body.proposal, ensure_ascii=False, indent=2), name
    assert body.source is not None
    return body.source, body.filename or "proposal.yaml"


def _page(items: list[T], total: int, limit: int, offset: int) -> Page[T]:
    nxt = offset + len(items)
    return Page[T](
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        next_offset=nxt if nxt < total else None,
    )


def _base_from(if_match: str | None, proposal_id: int) -> int | None:
    if not if_match:
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    prefix = f"p{proposal_id}-r"
    if tag.startswith(prefix) and tag[len(prefix) :].isdigit():
        return int(tag[len(prefix) :])
    raise InputError(f"If-Match {if_match!r} is not an ETag of proposal {proposal_id}")


@router.get("/me", response_model=MeOut, summary="The user the token belongs to")
def me(actor: ApiActor) -> MeOut:
    return MeOut(id=actor.id, username=actor.username, role=actor.role)


@router.get("/framework", summary="The framework, rule pack and safeguard catalogue in use")
def framework(request: Request, actor: ApiActor) -> dict[str, Any]:
    fw = _wf(request).framework
    return {
        "stamps": {k: v.model_dump() for k, v in fw.stamps.items()},
        "framework": fw.doc.model_dump(mode="json"),
        "rules": fw.rules.model_dump(mode="json"),
        "safeguards": fw.catalogue.model_dump(mode="json"),
    }


@router.post(
    "/assess",
    summary="Assess a proposal without storing it",
    responses=_errors(413),
)
def assess_only(request: Request, body: AssessIn, actor: ApiActor) -> dict[str, Any]:
    text, name = _text(body)
    _proposal, a, _reason = _wf(request).assess_text(text, name)
    return a.model_dump(mode="json", by_alias=True)


@router.get(
    "/proposals", response_model=Page[ProposalSummary], summary="Proposals this user may see"
)
def list_proposals(
    request: Request,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    status: Annotated[Status | None, Query()] = None,
    verdict: Annotated[Verdict | None, Query()] = None,
) -> Page[ProposalSummary]:
    items, total = _wf(request).list_proposals(
        actor, status=status, verdict=verdict, limit=limit, offset=offset
    )
    return _page(items, total, limit, offset)


@router.post(
    "/proposals",
    response_model=ProposalSummary,
    status_code=201,
    summary="Submit a new proposal (it is assessed at once)",
    responses=_errors(413),
)
def create_proposal(
    request: Request, response: Response, body: ProposalIn, actor: ApiActor
) -> ProposalSummary:
    text, name = _text(body)
    p = _wf(request).submit(actor, text, source=name, note=body.note)
    response.headers["Location"] = f"/api/v1/proposals/{p.id}"
    response.headers["ETag"] = p.etag
    return p


@router.get("/proposals/{proposal_id}", response_model=ProposalDetail, responses=_errors(404))
def get_proposal(
    request: Request, response: Response, proposal_id: ProposalId, actor: ApiActor
) -> ProposalDetail:
    p = _wf(request).get(actor, proposal_id)
    response.headers["ETag"] = p.etag
    return p


@router.get(
    "/proposals/{proposal_id}/revisions", response_model=list[RevisionMeta], responses=_errors(404)
)
def list_revisions(
    request: Request, proposal_id: ProposalId, actor: ApiActor
) -> list[RevisionMeta]:
    return _wf(request).get(actor, proposal_id).revisions


@router.get(
    "/proposals/{proposal_id}/revisions/{number}",
    response_model=RevisionView,
    responses=_errors(404),
)
def get_revision(
    request: Request,
    proposal_id: ProposalId,
    number: Annotated[int, Path(ge=1, le=MAX_ID)],
    actor: ApiActor,
) -> RevisionView:
    return _wf(request).revision(actor, proposal_id, number)


@router.post(
    "/proposals/{proposal_id}/revisions",
    response_model=ProposalSummary,
    status_code=201,
    summary="Add a revision (send base_revision or If-Match; 409 if it is stale)",
    responses=_errors(403, 404, 409, 413),
)
def create_revision(
    request: Request,
    response: Response,
    proposal_id: ProposalId,
    body: RevisionIn,
    actor: ApiActor,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> ProposalSummary:
    base = body.base_revision or _base_from(if_match, proposal_id)
    if base is None:
        raise InputError(
            "say which revision you changed: `base_revision` in the body or an If-Match header with the ETag",
            problems=[Problem("required", field="base_revision")],
        )
    text, name = _text(body)
    p = _wf(request).revise(actor, proposal_id, base, text, source=name, note=body.note)
    response.headers["ETag"] = p.etag
    return p


@router.get(
    "/proposals/{proposal_id}/assessment", response_model=AssessmentOut, responses=_errors(404)
)
def get_assessment(
    request: Request, proposal_id: ProposalId, actor: ApiActor, revision: RevisionNo = None
) -> AssessmentOut:
    meta, data = _wf(request).assessment_data(actor, proposal_id, revision)
    return AssessmentOut(meta=meta, assessment=data)


@router.get(
    "/proposals/{proposal_id}/report",
    summary="The stored assessment rendered as JSON, HTML, Markdown or PDF, or its mitigation plan "
    "(plan.md, plan.pdf, plan.docx)",
    responses={
        **_errors(404),
        200: {
            "content": {
                "application/pdf": {},
                "text/html": {},
                "text/markdown": {},
                "application/json": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
            }
        },
    },
)
def get_report(
    request: Request,
    proposal_id: ProposalId,
    actor: ApiActor,
    format: Annotated[
        Literal["json", "html", "md", "pdf", "plan.md", "plan.pdf", "plan.docx"], Query()
    ] = "json",
    revision: RevisionNo = None,
) -> Response:
    return export_response(_wf(request), actor, proposal_id, format, revision)


@router.get(
    "/proposals/{proposal_id}/screening", response_model=ScreeningView, responses=_errors(404)
)
def get_screening(
    request: Request, proposal_id: ProposalId, actor: ApiActor, revision: RevisionNo = None
) -> ScreeningView:
    return _wf(request).screening(actor, proposal_id, revision)


@router.get(
    "/proposals/{proposal_id}/comments", response_model=list[CommentView], responses=_errors(404)
)
def list_comments(request: Request, proposal_id: ProposalId, actor: ApiActor) -> list[CommentView]:
    return _wf(request).get(actor, proposal_id).comments


@router.post(
    "/proposals/{proposal_id}/comments",
    response_model=CommentView,
    status_code=201,
    responses=_errors(403, 404),
)
def add_comment(
    request: Request, proposal_id: ProposalId, body: CommentIn, actor: ApiActor
) -> CommentView:
    return _wf(request).comment(
        actor, proposal_id, body.body, kind=body.kind, safeguard_id=body.safeguard_id
    )


@router.get(
    "/proposals/{proposal_id}/decisions", response_model=list[DecisionView], responses=_errors(404)
)
def list_decisions(
    request: Request, proposal_id: ProposalId, actor: ApiActor
) -> list[DecisionView]:
    return _wf(request).get(actor, proposal_id).decisions


@router.post(
    "/proposals/{proposal_id}/decisions",
    response_model=DecisionView,
    status_code=201,
    summary="Record a reviewer's decision (reasoning required)",
    responses=_errors(403, 404, 409),
)
def add_decision(
    request: Request, proposal_id: ProposalId, body: DecisionIn, actor: ApiActor
) -> DecisionView:
    return _wf(request).decide(
        actor,
        proposal_id,
        outcome=body.outcome,
        reasoning=body.reasoning,
        conditions=body.conditions,
        base_revision=body.base_revision,
    )


@router.get(
    "/dispositions",
    response_model=Page[DispositionView],
    responses=_errors(403),
    summary="Reviewers' dispositions of screening matches (reviewer/admin)",
)
def list_dispositions(
    request: Request,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Page[DispositionView]:
    items, total = _wf(request).list_dispositions(actor, limit=limit, offset=offset)
    return _page(items, total, limit, offset)


@router.post(
    "/dispositions",
    response_model=DispositionView,
    status_code=201,
    responses=_errors(403),
    summary="Record a true-match / false-positive disposition of one match (reviewer/admin)",
)
def add_disposition(request: Request, body: DispositionIn, actor: ApiActor) -> DispositionView:
    return _wf(request).record_disposition(
        actor,
        subject=body.subject,
        entry=body.entry,
        entry_fingerprint=body.entry_fingerprint,
        decision=body.decision,
        reason=body.reason,
        schema=body.type,
    )


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError("only an admin can read the audit log")


@router.get(
    "/audit",
    response_model=Page[AuditView],
    responses=_errors(403),
    summary="The audit log (admin)",
)
def audit_log(
    request: Request,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Page[AuditView]:
    _admin(actor)
    items, total = _wf(request).audit_entries(limit=limit, offset=offset)
    return _page(items, total, limit, offset)


@router.get(
    "/audit/verify",
    response_model=VerifyOut,
    responses=_errors(403),
    summary="Check the audit hash chain",
)
def audit_verify(request: Request, actor: ApiActor) -> VerifyOut:
    _admin(actor)
    r = _wf(request).verify_audit()
    return VerifyOut(
        ok=r.ok,
        entries=r.entries,
        first_broken=r.first_broken,
        reason=r.reason,
        head_hash=r.head_hash,
        problems=list(r.problems),
        records_checked=r.records_checked,
    )


# --------------------------------------------------------------------------- restricted-party lists


class ListsOut(BaseModel):
    available: bool = Field(description="False when the screening lists cannot be read.")
    reason: str
    lists: list[dict[str, Any]] = Field(
        description="One row per list (detente.screening.list_status()): list_id, list_name, "
        "severity, status (checked, partial, not_checked), reason, sources, stale."
    )
    busy: str = Field(description="'update' or 'load' while one runs in this server process.")
    jobs: list[dict[str, Any]] = Field(description="The newest list updates and loads.")


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=100,
        description="Source ids to update (default: every source with download URLs).",
    )


class ListJobOut(BaseModel):
    id: int = Field(description="Job id (the audit entry that started it).")
    kind: Literal["update", "load"]
    by: str
    started_at: str
    finished_at: str | None
    state: Literal["running", "done", "partial", "failed"]
    sources: Any = None
    error: str = ""
    outcomes: list[dict[str, Any]] = Field(
        description="Per source: source_id, result (updated, kept_previous, failed, not_published), message, "
        "snapshot_id, entries."
    )
    snapshots: list[dict[str, Any]] = Field(
        description="Snapshots made by a load: source_id, snapshot_id, entries, lists, files, published."
    )


class LoadOut(BaseModel):
    snapshots: list[dict[str, Any]]


def _list_jobs(request: Request) -> ListJobs:
    jobs: ListJobs = request.app.state.list_jobs
    return jobs


@router.get(
    "/lists",
    response_model=ListsOut,
    responses=_errors(403),
    summary="Restricted-party list status and recent updates (reviewers, admins)",
)
def lists_status(request: Request, actor: ApiActor) -> ListsOut:
    if not actor.can_review:
        raise PermissionDeniedError("only a reviewer or admin can read the list status")
    st = sa.list_status()
    return ListsOut(
        available=bool(st["available"]),
        reason=str(st["reason"]),
        lists=list(st["lists"]),
        busy=_list_jobs(request).busy,
        jobs=sa.recent_jobs(_wf(request)),
    )


@router.post(
    "/lists/update",
    response_model=ListJobOut,
    status_code=202,
    responses=_errors(403, 409),
    summary="Start an update from the official sources (admin); poll the job",
)
def lists_update(
    request: Request, response: Response, body: UpdateIn, actor: ApiActor
) -> ListJobOut:
    if not actor.is_admin:
        raise PermissionDeniedError("only an admin can update the lists")
    cfg = settings(request)
    job_id = _list_jobs(request).start_update(
        _wf(request),
        actor,
        body.sources,
        mirror=cfg.lists_mirror,
        timeout=cfg.lists_timeout,
        retries=cfg.lists_retries,
    )
    response.headers["Location"] = f"/api/v1/lists/jobs/{job_id}"
    return ListJobOut.model_validate(sa.job(_wf(request), job_id))


@router.get(
    "/lists/jobs/{job_id}",
    response_model=ListJobOut,
    responses=_errors(403, 404),
    summary="One list update or load (admin)",
)
def lists_job(
    request: Request, job_id: Annotated[int, Path(ge=1, le=MAX_ID)], actor: ApiActor
) -> ListJobOut:
    if not actor.is_admin:
        raise PermissionDeniedError("only an admin can read list updates")
    return ListJobOut.model_validate(sa.job(_wf(request), job_id))


@router.post(
    "/lists/load",
    response_model=LoadOut,
    status_code=201,
    responses=_errors(403, 409, 413),
    summary="Load uploaded list files as new snapshots (admin; multipart)",
)
async def lists_load(
    request: Request,
    actor: ApiActor,
    files: Annotated[list[UploadFile], File(description="List files (one or more).")],
    source: Annotated[
        str | None, Form(max_length=100, description="Source id (default: detected).")
    ] = None,
    published: Annotated[
        str | None, Form(max_length=10, description="Publication date YYYY-MM-DD.")
    ] = None,
) -> LoadOut:
    if not actor.is_admin:
        raise PermissionDeniedError("only an admin can load lists")
    limit = settings(request).max_list_upload_bytes
    uploads = []
    for f in files:
        data = await f.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLargeError(f"{f.filename}: the file is larger than {limit:,} bytes")
        uploads.append(sa.Upload(f.filename or "", data))
    rows = await run_in_threadpool(
        _list_jobs(request).load,
        _wf(request),
        actor,
        uploads,
        source=source or None,
        published=published or None,
    )
    return LoadOut(snapshots=rows)
