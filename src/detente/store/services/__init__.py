"""The store's services, one responsibility each, sharing one :class:`StoreContext`.

:class:`detente.store.service.Workflow` composes them into the facade the web app,
the REST API and the CLI call.
"""

from __future__ import annotations

from detente.store.services._base import Service, StoreContext
from detente.store.services.accounts import AccountService
from detente.store.services.audit import AuditService
from detente.store.services.dispositions import DispositionService
from detente.store.services.proposals import ProposalService
from detente.store.services.reading import ReadingService
from detente.store.services.review import ReviewService
from detente.store.services.sessions import SessionService
from detente.store.services.throttle import LoginThrottle
from detente.store.services.tokens import TokenService

__all__ = [
    "AccountService",
    "AuditService",
    "DispositionService",
    "LoginThrottle",
    "ProposalService",
    "ReadingService",
    "ReviewService",
    "Service",
    "SessionService",
    "StoreContext",
    "TokenService",
]
