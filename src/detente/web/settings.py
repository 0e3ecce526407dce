"""Settings of the web app, from arguments or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from detente.assessment.loader import MAX_PROPOSAL_BYTES


def _env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    try:
        return int(v) if v else default
    except ValueError:
        return default


def _env_str(name: str) -> str | None:
    v = os.environ.get(name)
    return v.strip() if v and v.strip() else None


def _env_bool(name: str, default: bool) -> bool:
    v = os.environ.get(name)
    if v is None or v == "":
        return default
    return v.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """What the app needs to run.

    * ``database_url`` — None means ``DATABASE_URL`` or the SQLite file under ``$DETENTE_HOME``;
    * ``secure_cookies`` — mark cookies ``Secure`` (set it behind HTTPS; ``DETENTE_SECURE_COOKIES=1``);
    * ``max_upload_bytes`` — largest proposal accepted (413 above it);
    * ``migrate`` — run the migrations when the app starts;
    * ``lists_mirror`` — fetch list updates from ``<mirror>/<source>/<file>`` instead of the
      official URLs (``DETENTE_LISTS_MIRROR``; like ``detente lists update --mirror``);
    * ``lists_timeout`` / ``lists_retries`` — per-download timeout (s) and retries of an update;
    * ``max_list_upload_bytes`` — largest upload of list files (``DETENTE_MAX_LIST_UPLOAD_BYTES``);
    * ``login_max_failures`` / ``login_window_seconds`` — failed sign-ins allowed per user name
      and per client address within the window before further attempts get 429;
    * ``trust_forwarded_for`` — take the client address from the last ``X-Forwarded-For`` hop
      (set it only behind a reverse proxy that sets the header; ``DETENTE_TRUST_FORWARDED_FOR=1``).
    """

    database_url: str | None = None
    secure_cookies: bool = field(default_factory=lambda: _env_bool("DETENTE_SECURE_COOKIES", False))
    max_upload_bytes: int = MAX_PROPOSAL_BYTES
    migrate: bool = True
    framework_path: str | None = None
    lists_mirror: str | None = field(default_factory=lambda: _env_str("DETENTE_LISTS_MIRROR"))
    lists_timeout: float = 60.0
    lists_retries: int = 2
    max_list_upload_bytes: int = field(
        default_factory=lambda: _env_int("DETENTE_MAX_LIST_UPLOAD_BYTES", 200 * 1024 * 1024)
    )
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    trust_forwarded_for: bool = field(
        default_factory=lambda: _env_bool("DETENTE_TRUST_FORWARDED_FOR", False)
    )

    @property
    def max_body_bytes(self) -> int:
        """Whole request bodies: the largest proposal plus room for form fields and multipart framing."""
        return self.max_upload_bytes + 64 * 1024

    @property
    def max_form_body_bytes(self) -> int:
        """Posts of the proposal pages: they carry the proposal twice (the guided form's fields
        and the YAML text, both sent by the browser) plus room for the rest."""
        return 2 * self.max_upload_bytes + 64 * 1024

    @property
    def max_list_body_bytes(self) -> int:
        """Whole request bodies of a list upload: the files plus room for form fields and framing."""
        return self.max_list_upload_bytes + 64 * 1024
