"""Vehicles and their signals: list, read a leaf or a branch, write a batch, read history."""

from __future__ import annotations

from fastapi import Query

from homebound.adapters.http import bounded
from homebound.adapters.http.bounded import JsonResponse
from homebound.adapters.http.deps import PrincipalDep, ServicesDep
from homebound.adapters.http.errors import clip
from homebound.adapters.http.schemas import WriteValues
from homebound.hub.core import Hub
from homebound.hub.errors import RejectedValue
from homebound.hub.reading import ThingInfo, ThingKind
from homebound.model.errors import UnknownPath
from homebound.model.signal import SignalKind

router = bounded.router(prefix="/api/v1/vehicles", tags=["vehicles"])


def _summary(thing: ThingInfo) -> dict[str, object]:
    return {"id": thing.id, "name": thing.name, "vin": thing.vin, "signals": len(thing.catalog),
            "signals_with_value": thing.values_known, "pending_commands": thing.pending_commands}


def _signal(hub: Hub, thing: ThingInfo, path: str, with_metadata: bool) -> dict[str, object]:
    reading = hub.read(thing.id, path)
    out: dict[str, object] = {
        "path": path,
        "value": None if reading is None else reading.value,
        "ts": None if reading is None else reading.ts,
        "principal": None if reading is None else reading.principal,
    }
    meta = thing.catalog.signals[path]
    if meta.kind is SignalKind.ACTUATOR:
        target = hub.read_target(thing.id, path)
        out["target"] = None if target is None else target.value
        out["target_ts"] = None if target is None else target.ts
        pending = hub.pending_command(thing.id, path)
        out["pending_command"] = None if pending is None else pending.id
    if with_metadata:
        out["metadata"] = meta.to_json()
    return out


@router.get("")
async def list_vehicles(services: ServicesDep) -> list[dict[str, object]]:
    hub = services.hub
    return [_summary(hub.describe(thing)) for thing in hub.thing_ids(ThingKind.VEHICLE)]


@router.get("/{vehicle_id}")
async def get_vehicle(vehicle_id: str, services: ServicesDep) -> dict[str, object]:
    await services.hub.refresh(vehicle_id)
    return _summary(services.hub.describe(vehicle_id))


@router.get("/{vehicle_id}/signals/{path}")
async def read_signals(vehicle_id: str, path: str, services: ServicesDep,
                       metadata: bool = Query(False, description="include each signal's metadata")
                       ) -> dict[str, object]:
    """One leaf, or every leaf of a branch or wildcard (`Vehicle.Cabin`, `Vehicle.Cabin.Door.*.*.IsOpen`)."""
    hub = services.hub
    await hub.refresh(vehicle_id)
    thing = hub.describe(vehicle_id)
    if path in thing.catalog.signals:
        return _signal(hub, thing, path, metadata)
    leaves = hub.expand(thing.id, path)
    return {"path": path, "signals": [_signal(hub, thing, leaf, metadata) for leaf in leaves]}


@router.post("/{vehicle_id}/signals")
async def write_signals(vehicle_id: str, body: WriteValues, services: ServicesDep,
                        principal: PrincipalDep) -> JsonResponse:
    """Write current values. Good values are kept; each bad one is reported. 422 only if none was kept.

    The answer comes once the accepted values are durable (`storage.durability: durable`); while the database
    is down the write is refused with 503 and Retry-After, never acknowledged and then lost."""
    result = await services.hub.write(vehicle_id, body.values, body.ts, principal)
    rejected = [_rejection(error) for error in result.errors]
    status = 200 if result.accepted else 422
    return JsonResponse({"accepted": result.accepted, "rejected": rejected}, status_code=status)


def _rejection(error: Exception) -> dict[str, object]:
    if isinstance(error, RejectedValue):
        return {**error.to_json(), "code": error.code.value}
    if isinstance(error, UnknownPath):
        return {"path": clip(error.path), "error": str(error), "suggestions": error.suggestions,
                "code": error.code.value}
    return {"error": clip(error, 500), "code": "bad_request"}


@router.get("/{vehicle_id}/history/{path}")
async def read_history(vehicle_id: str, path: str, services: ServicesDep,
                       since: float | None = None, until: float | None = None,
                       limit: int = Query(1000, ge=1, le=100_000)) -> dict[str, object]:
    """Accepted values of one signal over time, oldest first (what is still buffered is written first)."""
    thing = services.hub.describe(vehicle_id)
    services.hub.metadata(thing.id, path)
    rows = await services.history.values(thing.id, path, since, until, limit)
    return {"path": path, "points": [{"ts": ts, "value": value, "principal": who} for ts, value, who in rows]}
