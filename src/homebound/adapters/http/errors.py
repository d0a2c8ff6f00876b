"""Every error as JSON with a clear message and a stable code: `{"error": {"code", "message", ...}}`.

Bad input is never a 500, and never echoed whole: paths, values and locations from the request are shown cut to
a readable length. A refusal while the database is down is a 503 with `Retry-After`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from homebound.adapters.http.bounded import JsonResponse
from homebound.history.session_queries import UnknownSession
from homebound.hub.errors import AlreadyProvided, CommandRejected, RejectedValue, UnknownThing
from homebound.model.errors import ErrorCode, HomeboundError, UnknownPath

log = logging.getLogger(__name__)

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400, ErrorCode.UNKNOWN_THING: 404, ErrorCode.UNKNOWN_PATH: 404,
    ErrorCode.UNKNOWN_COMMAND: 404, ErrorCode.INVALID_VALUE: 422, ErrorCode.NOT_ACTUATOR: 400,
    ErrorCode.UNSAFE: 409, ErrorCode.UNAVAILABLE: 503, ErrorCode.COMMAND_CONFLICT: 409,
    ErrorCode.ALREADY_PROVIDED: 409, ErrorCode.TOO_LARGE: 413, ErrorCode.STORAGE_UNAVAILABLE: 503,
    ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404, ErrorCode.UNKNOWN_SESSION: 404,
    ErrorCode.INVALID_SIGNATURE: 403, ErrorCode.REPLAYED: 409, ErrorCode.ENVELOPE_EXPIRED: 403,
}
RETRY_AFTER_S = 5
SHOWN_CHARS = 120
PROBLEMS_SHOWN = 20
_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def clip(text: object, limit: int = SHOWN_CHARS) -> str:
    value = str(text)
    return value if len(value) <= limit else value[:limit] + "…"


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": {"code": code, "message": clip(message, 2000), **details}}


def _details(error: HomeboundError) -> dict[str, object]:
    if isinstance(error, UnknownPath):
        return {"path": clip(error.path), "suggestions": error.suggestions}
    if isinstance(error, UnknownThing):
        return {"thing": clip(error.thing)}
    if isinstance(error, RejectedValue):
        return {"path": clip(error.path), "valid": error.valid}
    if isinstance(error, CommandRejected | AlreadyProvided):
        return {"path": clip(error.path)}
    if isinstance(error, UnknownSession):
        return {"kind": error.kind, "id": clip(error.session_id, 64)}
    return {}


def _status_and_body(error: HomeboundError) -> tuple[int, dict[str, object]]:
    return HTTP_STATUS[error.code], error_body(error.code.value, str(error), **_details(error))


def _describe(loc: tuple[int | str, ...]) -> str:
    return ".".join(clip(part, 60) for part in loc if part != "body") or "body"


def _problem(error: Mapping[str, Any]) -> str:
    """Pydantic's message; for a body that is not JSON, with the parser's reason (`JSON decode error: no low
    surrogate in string`), and the location is then a character offset into the body."""
    reason = (error.get("ctx") or {}).get("error") if error.get("type") == "json_invalid" else None
    return f"{error['msg']}: {reason}" if reason else str(error["msg"])


def error_response(error: HomeboundError) -> JsonResponse:
    status, body = _status_and_body(error)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
    return JsonResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HomeboundError)
    async def _homebound_error(_request: Request, error: HomeboundError) -> JsonResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, error: RequestValidationError) -> JsonResponse:
        errors = error.errors()
        problems = [f"{_describe(tuple(e['loc']))}: {clip(_problem(e), 200)}" for e in errors[:PROBLEMS_SHOWN]]
        if len(errors) > PROBLEMS_SHOWN:
            problems.append(f"… and {len(errors) - PROBLEMS_SHOWN} more")
        return JsonResponse(error_body("invalid_request", "; ".join(problems), problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JsonResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return JsonResponse(error_body(code, clip(error.detail, 300)), status_code=error.status_code,
                            headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JsonResponse:
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", incident, request.method, clip(request.url.path))
        return JsonResponse(error_body("internal", f"an unexpected error, logged as {incident}"), status_code=500)
