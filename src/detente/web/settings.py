"""Settings of the web app, from arguments or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from detente.assessment.loader import MAX_PROPOSAL_BYTES


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
    * ``migrate`` — run the migrations when the app starts.
    """

    database_url: str | None = None
    secure_cookies: bool = field(default_factory=lambda: _env_bool("DETENTE_SECURE_COOKIES", False))
    max_upload_bytes: int = MAX_PROPOSAL_BYTES
    migrate: bool = True
    framework_path: str | None = None

    @property
    def max_body_bytes(self) -> int:
        """Whole request bodies: the largest proposal plus room for form fields and multipart framing."""
        return self.max_upload_bytes + 64 * 1024
