"""The web tests use the same proposals as the store tests (one definition, in tests/store)."""

from __future__ import annotations

from store.samples import PROTOCOL_JSON, VERIFICATION, WITH_SAFEGUARD

__all__ = ["PROTOCOL_JSON", "VERIFICATION", "WITH_SAFEGUARD"]
