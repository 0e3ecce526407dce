"""The web tests use the same proposals as the store tests (one definition, in tests/store)."""

from __future__ import annotations

from store.samples import PROTOCOL_JSON, VERIFICATION, WITH_SAFEGUARD

# a workshop with a party on the test list (tests/screening/fixtures/user_list.csv): a list match
LISTED_PARTNER = """
title: Workshop on incident-reporting formats
areas: [{id: protocols}]
forms: [workshop]
parties:
  - {name: Example University, country: US, role: lead}
  - {name: Example Frontier AI Lab, country: CN}
"""

__all__ = ["LISTED_PARTNER", "PROTOCOL_JSON", "VERIFICATION", "WITH_SAFEGUARD"]
