"""The admin view of restricted-party lists, through whatever the screening capability offers.

Screening is another capability; when it does not (yet) expose a list-status
function the page says so instead of guessing.
"""

from __future__ import annotations

import importlib
from typing import Any


def list_status() -> dict[str, Any]:
    try:
        mod = importlib.import_module("detente.screening")
    except ImportError:
        return {
            "available": False,
            "reason": "the screening capability is not installed",
            "lists": [],
        }
    fn = getattr(mod, "list_status", None)
    if fn is None:
        return {
            "available": False,
            "reason": "this version's screening capability offers no list status; "
            "update lists with the `detente lists` commands on the server",
            "lists": [],
        }
    try:
        lists = list(fn())
    except Exception as exc:  # a broken list store must not break the admin page
        return {
            "available": False,
            "reason": f"the list status could not be read: {exc}",
            "lists": [],
        }
    return {"available": True, "reason": "", "lists": lists}
