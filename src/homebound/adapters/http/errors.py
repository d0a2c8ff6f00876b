"""Every error as JSON with a clear message and a stable code; bad input is never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from homebound.hub.errors import AlreadyProvided, CommandRejected, RejectedValue, UnknownThing
from homebound.model.errors import ErrorCode, HomeboundError, UnknownPath

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400, ErrorCode.UNKNOWN_THING: 404, ErrorCode.UNKNOWN_PATH: 404,
    ErrorCode.UNKNOWN_COMMAND: 404, ErrorCode.INVALID_VALUE: 422, ErrorCode.NOT_ACTUATOR: 400,
    ErrorCode.UNSAFE: 409, ErrorCode.UNAVAILABLE: 503, ErrorCode.COMMAND_CONFLICT: 409,
    ErrorCode.ALREADY_PROVIDED: 409,
}


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **details}}


def _details(error: HomeboundError) -> dict[str, object]:
    if isinstance(error, UnknownPath):
        return {"path": error.path, "suggestions": error.suggestions}
    if isinstance(error, UnknownThing):
        return {"thing": error.thing}
    if isinstance(error, RejectedValue):
        return {"path": error.path, "valid": error.valid}
    if isinstance(error, CommandRejected | AlreadyProvided):
        return {"path": error.path}
    return {}


def _status_and_body(error: HomeboundError) -> tuple[int, dict[str, object]]:
    return HTTP_STATUS[error.code], error_body(error.code.value, str(error), **_details(error))


def _describe(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HomeboundError)
    async def _homebound_error(_request: Request, error: HomeboundError) -> JSONResponse:
        status, body = _status_and_body(error)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [f"{_describe(tuple(e['loc']))}: {e['msg']}" for e in error.errors()]
        return JSONResponse(error_body("invalid_request", "; ".join(problems), problems=problems), status_code=422)


def error_response(error: HomeboundError) -> JSONResponse:
    status, body = _status_and_body(error)
    return JSONResponse(body, status_code=status)
