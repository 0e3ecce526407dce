"""Reading proposals from YAML or JSON with messages people can act on.

Every problem names the file, the line where the YAML/JSON node starts and the
field path (``parties[1].country``), whether the problem is a syntax error, a
type error, an unknown field, or an id the framework does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from detente._yamlio import (
    DOCUMENT_LIMITS,
    LineMap,
    decode_text,
    line_for,
    parse_document,
    path_str,
)
from detente.assessment.features import SideFeatures, side_features
from detente.errors import InputLimitError, NotFoundError, Problem, ProposalError
from detente.framework.conditions import describe, fired_flags
from detente.framework.model import Framework
from detente.model.proposal import Proposal

PROPOSAL_SUFFIXES = (".yaml", ".yml", ".json")
MAX_PROPOSAL_BYTES = 1_000_000


# fields holding an ISO 3166-1 alpha-2 country code
_COUNTRY_FIELDS = frozenset(
    {"country", "funder_country", "countries", "citizenships", "permanent_residency", "nationality"}
)


def _friendly(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind.startswith("string_") and _COUNTRY_FIELDS.intersection(
        x for x in err.get("loc", ()) if isinstance(x, str)
    ):
        return (
            f"{err.get('input')!r} is not a two-letter ISO 3166-1 country code such as US, CN "
            f"or GB ({msg[:1].lower()}{msg[1:]})"
        )
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; `detente schema` lists every field)"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{err.get('input')!r} is not one of {expected}"
    if kind in ("model_type", "dict_type") and not isinstance(err.get("input"), (dict, list)):
        value = err.get("input")
        hint = (
            f"write `- id: {value}`"
            if err.get("loc", ())[:1] == ("areas",)
            else "`detente schema` lists its fields"
        )
        return f"{value!r} is a single value where fields (key: value) are expected: {hint}"
    if kind == "too_short" and err.get("loc") == ("parties",):
        return "a proposal needs at least one party"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def validation_problems(exc: ValidationError, source: str, lines: LineMap) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        problems.append(
            Problem(
                _friendly(dict(err)),
                file=source,
                line=line_for(lines, loc),
                field=path_str(loc) or None,
            )
        )
    return problems


def _problem(message: str, source: str, lines: LineMap, *loc: str | int) -> Problem:
    return Problem(message, file=source, line=line_for(lines, loc), field=path_str(loc))


# Where parse_proposal records, on the instance it validated, that the instance passed
# check_against_framework (see `_Checked`).  Not a field: pydantic's equality, hash, repr and
# serialisers read the fields only and ignore other keys of the instance's ``__dict__``.
_CHECKED = "_detente_checked"


def _untrusted() -> None:
    return None


class _Checked:
    """parse_proposal's record that the instance it validated fits a framework: the engine does
    not check that instance against that framework again.

    Per-instance, not a cache: it is never looked up by content.  It is trusted only while the
    instance is the one validated: ``owner`` is the id of that instance's ``__dict__``
    (``model_copy``, ``copy`` and ``deepcopy`` give a new ``__dict__``, so a copy, even with
    updated fields, is checked again; pickling drops the record), and only for the same
    framework object.  A proposal is frozen: its lists are read-only after validation, as
    everywhere else in the package (mutating them in place is not supported; use
    ``model_copy(update=...)``).  Nothing else is recorded: keeping the side features the check
    computed alive with every parsed proposal made a batch parse that keeps its proposals 4-8 %
    slower (the garbage collector walks their flag sets; encoding them costs as much).
    """

    __slots__ = ("framework", "owner")  # a plain class: cheaper to build than a dataclass

    def __init__(self, owner: int, framework: Framework) -> None:
        self.owner = owner
        self.framework = framework

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_untrusted, ())


def parse_checked(proposal: Proposal, framework: Framework) -> bool:
    """Whether parse_proposal checked this very instance against ``framework`` (it fits it)."""
    rec = proposal.__dict__.get(_CHECKED)
    return (
        type(rec) is _Checked and rec.framework is framework and rec.owner == id(proposal.__dict__)
    )


def check_against_framework(
    proposal: Proposal,
    framework: Framework,
    source: str,
    lines: LineMap,
    sides: Sequence[SideFeatures] | None = None,
) -> list[SideFeatures] | None:
    """Ids that must exist in the framework, the rule set or the catalogue; planned safeguards
    that the proposal's own facts contradict.  Returns the side features it computed (None when
    none were needed or ``sides`` was given)."""
    problems: list[Problem] = []
    areas = framework.area_index
    for i, ref in enumerate(proposal.areas):
        area = areas.get(ref.id)
        if area is None:
            msg = f"unknown area id {ref.id!r} (known: {', '.join(areas)})"
            problems.append(_problem(msg, source, lines, "areas", i, "id"))
            continue
        known = {s.id for s in area.subtopics}
        for j, sub in enumerate(ref.subtopics):
            if sub not in known:
                msg = f"unknown sub-topic {sub!r} for area {ref.id!r} (known: {', '.join(sorted(known))})"
                problems.append(_problem(msg, source, lines, "areas", i, "subtopics", j))
    catalogue = framework.safeguard_index
    for i, sg in enumerate(proposal.safeguards):
        if sg not in catalogue:
            msg = f"unknown safeguard {sg!r} (see `detente framework show --safeguards`)"
            problems.append(_problem(msg, source, lines, "safeguards", i))
    computed: list[SideFeatures] | None = None
    if not problems and proposal.safeguards:
        if sides is None:
            sides = computed = side_features(proposal, rivalry=framework.rivalry)
        all_sides = sides
        for i, sid in enumerate(proposal.safeguards):
            sg_def = catalogue[sid]
            for side in all_sides:
                if sg_def.contradicted_by(side.flags):
                    why = ", ".join(fired_flags(sg_def.incompatible_when, side.flags))
                    msg = (
                        f"safeguard {sid!r} contradicts the proposal itself "
                        f"({why or describe(sg_def.incompatible_when)}); "
                        "change the plan or drop the safeguard"
                    )
                    problems.append(_problem(msg, source, lines, "safeguards", i))
                    break
    if problems:
        raise ProposalError(f"{source}: the proposal does not fit the framework", problems=problems)
    return computed


def parse_proposal(
    text: str, source: str = "<proposal>", framework: Framework | None = None
) -> Proposal:
    """Parse and validate one proposal from YAML or JSON text."""
    if len(text.encode("utf-8", "replace")) > MAX_PROPOSAL_BYTES:
        raise ProposalError(
            f"{source}: the proposal is larger than {MAX_PROPOSAL_BYTES:,} bytes",
            problems=[Problem("file too large", file=source)],
        )
    data, lines = parse_document(text, source, ProposalError, "proposal")
    if data is None:
        raise ProposalError(
            f"{source}: the proposal is empty",
            problems=[Problem("empty document", file=source, line=1)],
        )
    if not isinstance(data, dict):
        raise ProposalError(
            f"{source}: a proposal must be a mapping of fields",
            problems=[
                Problem(f"found a {type(data).__name__} at the top level", file=source, line=1)
            ],
        )
    try:
        proposal = Proposal.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, source, lines)
        raise ProposalError(f"{source}: the proposal is not valid", problems=problems) from None
    if framework is not None:
        check_against_framework(proposal, framework, source, lines)
        d = proposal.__dict__
        d[_CHECKED] = _Checked(id(d), framework)
    return proposal


def load_proposal(path: str | Path, framework: Framework | None = None) -> Proposal:
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"{p}: no such file")
    size = p.stat().st_size
    if size > DOCUMENT_LIMITS.max_bytes:  # refused before it is read into memory
        raise InputLimitError(
            f"{p}: the proposal is refused: the document is {size:,} bytes; "
            f"the limit is {DOCUMENT_LIMITS.max_bytes:,} (limit max_bytes)",
            limit="max_bytes",
            problems=[Problem(f"{size:,} bytes (max_bytes)", file=str(p))],
        )
    return parse_proposal(decode_proposal(p.read_bytes(), str(p)), str(p), framework)


def decode_proposal(raw: bytes, source: str) -> str:
    """A proposal file's bytes as text: UTF-8 (with or without a byte-order mark), or UTF-16 when
    it starts with a UTF-16 byte-order mark (Windows editors save either); anything else is one
    clear error naming the first byte that is not UTF-8."""
    return decode_text(
        raw, source, "the proposal is not UTF-8 text", ProposalError, utf16=True, encoding="utf-8"
    )


def iter_proposal_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files given directly, and proposal files found (sorted) in folders."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in PROPOSAL_SUFFIXES:
                    yield f
        else:
            yield p
