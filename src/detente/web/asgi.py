"""The ASGI app for servers: ``uvicorn detente.web.asgi:app`` (configured by the environment)."""

from __future__ import annotations

from detente.web.app import create_app

app = create_app()
