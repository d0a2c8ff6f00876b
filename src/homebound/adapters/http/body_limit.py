"""The request body limit (`limits.max_body_bytes`), refused in the API's own error shape.

A body declared too long (Content-Length) is answered 413 at once, before a byte of it is read; a body without a
length (chunked) is cut off as soon as it passes the limit. Starlette's limiter (FastAPI's `max_body_size`) does
the same work but answers the first case in plain text from outside the app's error handlers, so a client saw
`Content Too Large` instead of `{"error": {"code": "too_large", ...}}` like every other refusal.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homebound.adapters.http.bounded import JsonResponse
from homebound.adapters.http.errors import error_body


class BodyLimit:
    """Pure ASGI middleware: no HTTP request body over `max_bytes` is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self, size: str) -> str:
        return f"a request body of {size} is over the limit of {self.max_bytes} bytes (limits.max_body_bytes)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = JsonResponse(error_body("too_large", self._message(f"{int(declared)} bytes")),
                                    status_code=413, headers={"connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:  # the route's error handler answers, in the one JSON shape
                    raise HTTPException(413, self._message(f"more than {self.max_bytes} bytes"))
            return message

        await self.app(scope, limited, send)
