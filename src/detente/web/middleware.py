"""ASGI middleware: request-body size and JSON structure limits, security headers."""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente._yamlio import check_json
from detente.errors import PayloadTooLargeError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes while they are read.

    The error is raised from ``receive`` (inside the route), so the app's one
    exception handler turns it into a 413 with the usual error shape.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        overrides: dict[str, int] | None = None,
        patterns: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.overrides = dict(overrides or {})  # exact path -> its own limit (list uploads)
        # path regex (matched whole) -> its own limit (the proposal pages)
        self.patterns = [(re.compile(k), v) for k, v in (patterns or {}).items()]

    def _limit_for(self, path: str) -> int:
        if path in self.overrides:
            return self.overrides[path]
        return next((v for rx, v in self.patterns if rx.fullmatch(path)), self.limit)

    @staticmethod
    def _too_large(limit: int) -> PayloadTooLargeError:
        return PayloadTooLargeError(f"the request body is larger than the limit of {limit:,} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        declared: int | None = None
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = None
        seen = 0
        ctype = b""
        for k, v in scope.get("headers", []):
            if k == b"content-type":
                ctype = v.split(b";", 1)[0].strip().lower()
        # JSON bodies are read whole (they are small) and checked by the safe reader's limits
        # before the framework's json.loads sees them.
        check_json_body = ctype == b"application/json" or ctype.endswith(b"+json")
        checked = False

        async def read_one() -> Message:
            nonlocal seen
            if declared is not None and declared > limit:
                raise self._too_large(limit)
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise self._too_large(limit)
            return msg

        async def limited() -> Message:
            nonlocal checked
            if not check_json_body or checked:
                return await read_one()
            checked = True
            chunks: list[bytes] = []
            while True:
                msg = await read_one()
                if msg["type"] != "http.request":
                    return msg
                chunks.append(msg.get("body", b""))
                if not msg.get("more_body", False):
                    break
            body = b"".join(chunks)
            check_json(body.decode("utf-8", "replace"), "the request body", "request body")
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, limited, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                names = {h[0].lower() for h in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CSP.encode()),
                ]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
