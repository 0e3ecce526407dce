"""Détente's one error hierarchy.

Every error the library raises on purpose is a :class:`DetenteError`.  The CLI
turns each into one line for people and an exit code; the web app and REST API
turn each into one JSON error shape and an HTTP status, both through the
single table :data:`HTTP_STATUS` below.  Nothing else in the code base maps
errors to exit codes or statuses.

::

    DetenteError                      exit 1   HTTP 500
    ├── InputError                    exit 2   HTTP 422   bad input from a person: file, line, field
    │   ├── ProposalError                                 a cooperation proposal that does not validate
    │   ├── FrameworkError                                a framework / rule pack / catalogue file
    │   ├── ListFormatError                               a restricted-party list file that cannot be read
    │   ├── RecordFormatError                             a bibliographic record file that cannot be read
    │   └── InputLimitError                               a document over a size / depth / alias / node limit
    ├── PayloadTooLargeError          exit 2   HTTP 413   an upload over the size limit
    ├── NotFoundError                 exit 2   HTTP 404   an id, file or snapshot that does not exist
    ├── ConflictError                 exit 2   HTTP 409   a stale revision (optimistic locking)
    ├── AuthenticationError           exit 2   HTTP 401   no or bad credentials
    ├── PermissionDeniedError         exit 2   HTTP 403   authenticated, but not allowed (CSRF too)
    ├── MissingExtraError             exit 2   HTTP 501   a provider needs an optional extra: pip install 'detente[X]'
    ├── DataSourceError               exit 1   HTTP 502   an official source could not be fetched or validated
    └── IntegrityError                exit 1   HTTP 500   stored data failed a check (audit chain broken)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            loc = self.file
            if self.line is not None:
                loc += f":{self.line}"
                if self.column is not None:
                    loc += f":{self.column}"
            parts.append(loc)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
        }


class DetenteError(Exception):
    """Base class of every error Détente raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The one error shape used by the REST API and the web app."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "problems": [p.to_dict() for p in self.problems],
            }
        }


class InputError(DetenteError):
    """Input from a person (a file, a form, a request body) is not valid."""

    code = "invalid_input"


class ProposalError(InputError):
    """A cooperation proposal failed to parse or validate."""

    code = "invalid_proposal"


class FrameworkError(InputError):
    """A framework, rule pack or mitigation catalogue file is not valid."""

    code = "invalid_framework"


class ListFormatError(InputError):
    """A restricted-party list file cannot be read."""

    code = "invalid_list"


class RecordFormatError(InputError):
    """A bibliographic record file cannot be read."""

    code = "invalid_records"


class InputLimitError(InputError):
    """A document breaks one of the safe reader's limits (size, depth, aliases, nodes).

    ``limit`` names the limit (``max_bytes``, ``max_depth``, ``max_aliases``,
    ``max_nodes``) so people and programs can tell which one.
    """

    code = "input_limit"

    def __init__(self, message: str, *, limit: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message, problems=problems)
        self.limit = limit

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["error"]["limit"] = self.limit
        return out


class PayloadTooLargeError(DetenteError):
    code = "payload_too_large"


class NotFoundError(DetenteError):
    code = "not_found"


class ConflictError(DetenteError):
    code = "conflict"


class AuthenticationError(DetenteError):
    code = "unauthenticated"


class PermissionDeniedError(DetenteError):
    code = "forbidden"


class MissingExtraError(DetenteError):
    """A provider (renderer, enricher, list loader, pack) needs an optional extra that is not installed.

    ``extra`` names it; the message says ``pip install 'detente[<extra>]'``.
    """

    code = "missing_extra"

    def __init__(self, what: str, extra: str, *, missing: str = "") -> None:
        because = f" ({missing} is not installed)" if missing else ""
        super().__init__(
            f"{what} needs the '{extra}' extra{because}: pip install 'detente[{extra}]'"
        )
        self.extra = extra
        self.missing = missing

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["error"]["extra"] = self.extra
        return out


class DataSourceError(DetenteError):
    """An official source could not be fetched, or what came back did not validate."""

    code = "data_source_error"


class IntegrityError(DetenteError):
    """Stored data failed an integrity check (for example a broken audit chain)."""

    code = "integrity_error"


@dataclass(frozen=True)
class _Mapping:
    exit_code: int
    http_status: int


# The single place where errors meet exit codes and HTTP statuses (most specific first).
_TABLE: tuple[tuple[type[DetenteError], _Mapping], ...] = (
    (PayloadTooLargeError, _Mapping(2, 413)),
    (InputError, _Mapping(2, 422)),
    (NotFoundError, _Mapping(2, 404)),
    (ConflictError, _Mapping(2, 409)),
    (AuthenticationError, _Mapping(2, 401)),
    (PermissionDeniedError, _Mapping(2, 403)),
    (MissingExtraError, _Mapping(2, 501)),
    (DataSourceError, _Mapping(1, 502)),
    (IntegrityError, _Mapping(1, 500)),
    (DetenteError, _Mapping(1, 500)),
)

HTTP_STATUS: dict[type[DetenteError], int] = {cls: m.http_status for cls, m in _TABLE}


def _lookup(exc: DetenteError) -> _Mapping:
    for cls, mapping in _TABLE:
        if isinstance(exc, cls):
            return mapping
    return _Mapping(1, 500)  # pragma: no cover - DetenteError is in the table


def exit_code_for(exc: DetenteError) -> int:
    return _lookup(exc).exit_code


def http_status_for(exc: DetenteError) -> int:
    return _lookup(exc).http_status


@dataclass
class ProblemCollector:
    """Gathers problems so a batch can report all of them at the end."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
