"""The review web app and the REST API (FastAPI, server-rendered Jinja2 pages).

``create_app(settings)`` builds the ASGI app; ``detente serve`` runs it with uvicorn.
"""

from __future__ import annotations

from detente.web.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from detente.web.app import create_app

        return create_app
    raise AttributeError(name)
