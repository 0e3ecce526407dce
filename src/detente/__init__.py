"""Détente: decide whether, and how, to cooperate across geopolitical lines on technical AI-safety research.

The public API::

    import detente

    fw = detente.get_framework()                       # the bundled framework, rules and safeguards
    proposal = detente.load_proposal("examples/01-incident-reporting-protocol.yaml", fw)
    result = detente.assess(proposal, fw)              # an Assessment (pydantic), deterministic
    print(result.verdict.label)
    html = detente.render(result, "html")              # also "md", "json", "text"

Everything not imported here is private and may change.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from detente._version import __version__

if TYPE_CHECKING:  # the names below are imported on first use, so `detente --help` stays fast
    from detente.assessment.engine import assess
    from detente.assessment.loader import load_proposal, parse_proposal
    from detente.assessment.result import Assessment
    from detente.errors import (
        AuthenticationError,
        ConflictError,
        DataSourceError,
        DetenteError,
        FrameworkError,
        InputError,
        IntegrityError,
        ListFormatError,
        MissingExtraError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        ProposalError,
        RecordFormatError,
    )
    from detente.framework.loader import get_framework, load_framework
    from detente.framework.model import Framework
    from detente.model.proposal import Party, Person, Proposal
    from detente.report import render

_LAZY: dict[str, str] = {
    "assess": "detente.assessment.engine",
    "load_proposal": "detente.assessment.loader",
    "parse_proposal": "detente.assessment.loader",
    "Party": "detente.model.proposal",
    "Person": "detente.model.proposal",
    "Proposal": "detente.model.proposal",
    "Assessment": "detente.assessment.result",
    "get_framework": "detente.framework.loader",
    "load_framework": "detente.framework.loader",
    "Framework": "detente.framework.model",
    "render": "detente.report",
    **{
        name: "detente.errors"
        for name in (
            "AuthenticationError",
            "ConflictError",
            "DataSourceError",
            "DetenteError",
            "FrameworkError",
            "InputError",
            "IntegrityError",
            "ListFormatError",
            "MissingExtraError",
            "NotFoundError",
            "PayloadTooLargeError",
            "PermissionDeniedError",
            "ProposalError",
            "RecordFormatError",
        )
    },
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'detente' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Assessment",
    "AuthenticationError",
    "ConflictError",
    "DataSourceError",
    "DetenteError",
    "Framework",
    "FrameworkError",
    "InputError",
    "IntegrityError",
    "ListFormatError",
    "MissingExtraError",
    "NotFoundError",
    "Party",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Person",
    "Proposal",
    "ProposalError",
    "RecordFormatError",
    "__version__",
    "assess",
    "get_framework",
    "load_framework",
    "load_proposal",
    "parse_proposal",
    "render",
]
