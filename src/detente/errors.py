"""Détente's one error hierarchy.

Every error the library raises on purpose is a :class:`DetenteError`.  Each class
carries its own ``exit_code`` (the CLI turns the error into one line for people
and that exit code) and ``http_status`` (the web app and REST API turn it into one
JSON error shape and that status); an instance may also carry HTTP headers
(``Retry-After`` when the client should wait, ``Allow`` for a wrong method) through
:meth:`DetenteError.headers`.  Nothing else in the code base maps errors to exit
codes, statuses or headers.

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
    ├── MethodNotAllowedError         exit 2   HTTP 405   a path that exists, but not with this method (+ Allow)
    ├── ConflictError                 exit 2   HTTP 409   a stale revision (optimistic locking)
    ├── AuthenticationError           exit 2   HTTP 401   no or bad credentials
    │   └── LoginThrottledError       exit 2   HTTP 429   too many failed sign-ins: wait (+ Retry-After)
    ├── PermissionDeniedError         exit 2   HTTP 403   authenticated, but not allowed (CSRF too)
    ├── MissingExtraError             exit 2   HTTP 501   a provider needs an optional extra: pip install 'detente[X]'
    ├── DataSourceError               exit 1   HTTP 502   an official source could not be fetched or validated
    ├── IntegrityError                exit 1   HTTP 500   stored data failed a check (audit chain broken)
    └── StoreError                    exit 1   HTTP 500   the database cannot be reached or is at the wrong schema
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


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
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500
    #: Seconds the client should wait before trying again (sent as ``Retry-After``).
    retry_after: int | None = None

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems)

    def headers(self) -> dict[str, str]:
        """The HTTP headers this error carries (``Retry-After`` when set)."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(self.retry_after)}

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
    exit_code = 2
    http_status = 422


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
    exit_code = 2
    http_status = 413


class NotFoundError(DetenteError):
    code = "not_found"
    exit_code = 2
    http_status = 404


class MethodNotAllowedError(DetenteError):
    """The path exists but not with this method; ``allow`` names the methods it accepts."""

    code = "method_not_allowed"
    exit_code = 2
    http_status = 405

    def __init__(self, message: str, *, allow: str = "") -> None:
        super().__init__(message)
        self.allow = allow

    def headers(self) -> dict[str, str]:
        return {**super().headers(), **({"Allow": self.allow} if self.allow else {})}


class ConflictError(DetenteError):
    code = "conflict"
    exit_code = 2
    http_status = 409


class AuthenticationError(DetenteError):
    code = "unauthenticated"
    exit_code = 2
    http_status = 401


class LoginThrottledError(AuthenticationError):
    """Too many failed sign-ins for a user name or from a client address (HTTP 429)."""

    code = "too_many_requests"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class PermissionDeniedError(DetenteError):
    code = "forbidden"
    exit_code = 2
    http_status = 403


class MissingExtraError(DetenteError):
    """A provider (renderer, enricher, list loader, pack) needs an optional extra that is not installed.

    ``extra`` names it; the message says ``pip install 'detente[<extra>]'``.
    """

    code = "missing_extra"
    exit_code = 2
    http_status = 501

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
    http_status = 502


class IntegrityError(DetenteError):
    """Stored data failed an integrity check (for example a broken audit chain)."""

    code = "integrity_error"


class StoreError(DetenteError):
    """The database cannot be reached or is not at the expected schema."""

    code = "store_error"


#: Every error class's HTTP status (derived from the classes' own ``http_status``).
HTTP_STATUS: dict[type[DetenteError], int] = {
    cls: cls.http_status
    for cls in (
        DetenteError,
        InputError,
        PayloadTooLargeError,
        NotFoundError,
        MethodNotAllowedError,
        ConflictError,
        AuthenticationError,
        LoginThrottledError,
        PermissionDeniedError,
        MissingExtraError,
        DataSourceError,
        IntegrityError,
        StoreError,
    )
}


def exit_code_for(exc: DetenteError) -> int:
    return exc.exit_code


def http_status_for(exc: DetenteError) -> int:
    return exc.http_status


@dataclass
class ProblemCollector:
    """Gathers problems so a batch can report all of them at the end."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
