"""Smart charging over REST: the charge points' status and plans, modes and targets, sessions, and prices.

The routes see only the narrow `ChargingControl` protocol (the energy service, `HttpServices.energy`);
without charge points configured every route answers 404 with how to configure them. Modes, targets and
departures are changed by `Hub.command` on the charge point's thing, like any actuator, so they are recorded and
confirmed the same way. A price series is read in bounded chunks: a body larger than the limit is refused
before it is all in memory.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from homebound.adapters.http import bounded
from homebound.adapters.http.bounded import JsonResponse
from homebound.adapters.http.deps import PrincipalDep, ServicesDep
from homebound.adapters.http.errors import error_body
from homebound.energy.config import ChargeMode
from homebound.energy.price_series import MAX_PAYLOAD_BYTES, PriceSeriesError, parse_price_series
from homebound.energy.service import ChargingControl, EnergyNotConfigured

router = bounded.router(prefix="/api/v1/energy", tags=["energy"])


def get_energy(services: ServicesDep) -> ChargingControl:
    energy = services.energy
    if energy is None:
        raise EnergyNotConfigured("smart charging is not configured: add energy.charge_points to the configuration "
                            "(docs/energy.md)")
    return energy


EnergyDep = Annotated[ChargingControl, Depends(get_energy)]


class ModeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: ChargeMode


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_soc: float | None = Field(None, ge=1, le=100)
    departure: str | None = Field(None, max_length=40, description="'HH:MM', an ISO date and time, or '' to clear")


@router.get("/charge-points")
async def charge_points(energy: EnergyDep) -> list[dict[str, object]]:
    """Every charge point with its mode, what it is doing, the plan and the session so far."""
    return [energy.status(name) for name in energy.charge_points()]


@router.get("/charge-points/{name}")
async def charge_point(name: str, energy: EnergyDep) -> dict[str, object]:
    return energy.status(name)


@router.put("/charge-points/{name}/mode")
async def set_mode(name: str, body: ModeBody, energy: EnergyDep, principal: PrincipalDep) -> dict[str, object]:
    """Change the mode (off, now, solar, solar_min, plan): a command on `chargepoint.<name>`."""
    command = await energy.set_mode(name, body.mode.value, principal)
    return {"command": command.to_json(), "status": energy.status(name)}


@router.put("/charge-points/{name}/plan")
async def set_plan(name: str, body: PlanBody, energy: EnergyDep, principal: PrincipalDep) -> dict[str, object]:
    """Set the plan's target and/or a one-off departure; answers with the new plan in words."""
    commands = await energy.set_plan(name, body.target_soc, body.departure, principal)
    return {"commands": [c.to_json() for c in commands], "status": energy.status(name)}


@router.get("/sessions")
async def sessions(energy: EnergyDep) -> list[dict[str, object]]:
    return energy.sessions()


@router.get("/months")
async def months(energy: EnergyDep) -> list[dict[str, object]]:
    return energy.months()


@router.get("/tariff")
async def tariff(energy: EnergyDep) -> dict[str, object]:
    return energy.tariff_info()


@router.put("/tariff/prices", response_model=None)
async def put_prices(request: Request, energy: EnergyDep) -> dict[str, object] | JsonResponse:
    """Feed a dynamic tariff's price series (the JSON an MQTT feed would carry)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PAYLOAD_BYTES:
            return JsonResponse(error_body("too_large", f"a price series is at most {MAX_PAYLOAD_BYTES} bytes"),
                                status_code=413)
    try:
        slots, problems = parse_price_series(bytes(body), energy.tz)
    except PriceSeriesError as error:
        return JsonResponse(error_body("invalid_value", str(error)), status_code=422)
    result = energy.update_prices(slots, "rest")
    return {"accepted": result.accepted, "errors": problems + result.errors}
