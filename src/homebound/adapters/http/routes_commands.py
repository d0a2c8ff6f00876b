"""Commands: send one to an actuator, read its state (pending, confirmed, failed, timed out)."""

from __future__ import annotations

from homebound.adapters.http import bounded
from homebound.adapters.http.bounded import JsonResponse
from homebound.adapters.http.deps import PrincipalDep, ServicesDep
from homebound.adapters.http.schemas import SendCommand
from homebound.adapters.http.services import HttpServices
from homebound.hub.errors import UnknownCommand

router = bounded.router(prefix="/api/v1", tags=["commands"])


async def _start(services: HttpServices, principal: str, thing_id: str, body: SendCommand) -> JsonResponse:
    """A command is durable (it survives a crash and resumes) before it is acknowledged."""
    services.hub.check_writable()
    command = await services.hub.command(principal, thing_id, body.path, body.target,
                                         command_id=body.id, timeout=body.timeout_s)
    await services.hub.committed(commands=True)
    return JsonResponse(command.to_json(), status_code=202)


@router.post("/vehicles/{vehicle_id}/commands", status_code=202)
async def send_vehicle_command(vehicle_id: str, body: SendCommand, services: ServicesDep,
                               principal: PrincipalDep) -> JsonResponse:
    """Start a command. 202 with the command (usually pending); poll it or watch it over the WebSocket."""
    return await _start(services, principal, vehicle_id, body)


@router.post("/devices/{device_id}/commands", status_code=202)
async def send_device_command(device_id: str, body: SendCommand, services: ServicesDep,
                              principal: PrincipalDep) -> JsonResponse:
    """Start a command on a household device; confirmed when the device reports the new state."""
    return await _start(services, principal, device_id, body)


@router.get("/vehicles/{vehicle_id}/commands")
async def list_pending(vehicle_id: str, services: ServicesDep) -> list[dict[str, object]]:
    await services.hub.refresh(vehicle_id)
    return [command.to_json() for command in services.hub.pending_commands(vehicle_id)]


@router.get("/commands/{command_id}")
async def get_command(command_id: str, services: ServicesDep) -> dict[str, object]:
    try:
        return services.hub.get_command(command_id).to_json()
    except UnknownCommand:
        stored = await services.history.stored_command(command_id)
        if stored is None:
            raise
        return stored.to_json()
