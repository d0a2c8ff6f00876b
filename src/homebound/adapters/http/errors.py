"""Every error as JSON with a clear message and a stable code; bad input is never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from homebound.energy.service import EnergyNotConfigured, UnknownChargePoint
from homebound.hub.errors import CommandConflict, CommandRejected, RejectedValue, UnknownCommand, UnknownThing
from homebound.model.errors import HomeboundError, UnknownPath

_REJECTION_STATUS = {"unsafe": 409, "unavailable": 503, "not_actuator": 400}


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **details}}


def _status_and_body(error: HomeboundError) -> tuple[int, dict[str, object]]:
    if isinstance(error, UnknownPath):
        return 404, error_body("unknown_path", str(error), path=error.path, suggestions=error.suggestions)
    if isinstance(error, UnknownThing):
        return 404, error_body("unknown_thing", str(error), thing=error.thing)
    if isinstance(error, UnknownChargePoint):
        return 404, error_body("unknown_charge_point", str(error))
    if isinstance(error, EnergyNotConfigured):
        return 404, error_body("energy_not_configured", str(error))
    if isinstance(error, UnknownCommand):
        return 404, error_body("unknown_command", str(error))
    if isinstance(error, RejectedValue):
        return 422, error_body("invalid_value", str(error), path=error.path, valid=error.valid)
    if isinstance(error, CommandRejected):
        return _REJECTION_STATUS.get(error.code, 400), error_body(error.code, str(error), path=error.path)
    if isinstance(error, CommandConflict):
        return 409, error_body("command_conflict", str(error))
    return 400, error_body("bad_request", str(error))


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
