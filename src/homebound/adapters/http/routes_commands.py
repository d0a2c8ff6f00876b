"""Commands: send one to an actuator, read its state (pending, confirmed, failed, timed out)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from homebound.adapters.http.deps import PrincipalDep, RuntimeDep
from homebound.adapters.http.schemas import SendCommand
from homebound.hub.errors import UnknownCommand

router = APIRouter(prefix="/api/v1", tags=["commands"])


@router.post("/vehicles/{vehicle_id}/commands", status_code=202)
@router.post("/devices/{vehicle_id}/commands", status_code=202)
async def send_command(vehicle_id: str, body: SendCommand, runtime: RuntimeDep,
                       principal: PrincipalDep) -> JSONResponse:
    """Start a command. 202 with the command (usually pending); poll it or watch it over the WebSocket."""
    command = await runtime.hub.command(principal, vehicle_id, body.path, body.target,
                                        command_id=body.id, timeout=body.timeout_s)
    return JSONResponse(command.to_json(), status_code=202)


@router.get("/vehicles/{vehicle_id}/commands")
async def list_pending(vehicle_id: str, runtime: RuntimeDep) -> list[dict[str, object]]:
    thing = runtime.hub.thing(vehicle_id)
    return [command.to_json() for command in thing.pending.values()]


@router.get("/commands/{command_id}")
async def get_command(command_id: str, runtime: RuntimeDep) -> dict[str, object]:
    try:
        return runtime.hub.get_command(command_id).to_json()
    except UnknownCommand:
        stored = await asyncio.to_thread(runtime.store.load_command, command_id)
        if stored is None:
            raise
        return stored.to_json()
