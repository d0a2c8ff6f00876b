"""JSON in and out of the REST door, with bounded work whatever a client sends.

Request bodies are parsed with orjson: strict JSON (no `NaN` or `Infinity` literals, integers within 64 bits),
nesting limited to 1,024 levels, so a crafted body is a 422 naming the problem, never a recursion error or a
value the database cannot store. Responses are rendered with orjson too, so a non-finite number can never turn
an answer into a 500. The body size limit itself is `body_limit.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute


class StrictJsonRequest(Request):
    """A request whose `json()` is orjson's strict parser (its errors are `json.JSONDecodeError`s)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class BoundedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handle(StrictJsonRequest(request.scope, request.receive))

        return strict


class JsonResponse(JSONResponse):
    """orjson-rendered JSON; NaN and infinities become null instead of failing the response."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)


def router(**options: Any) -> APIRouter:
    """An APIRouter whose routes parse and render JSON as above."""
    return APIRouter(route_class=BoundedRoute, default_response_class=JsonResponse, **options)
