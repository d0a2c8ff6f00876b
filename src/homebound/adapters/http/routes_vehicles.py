"""Vehicles and their signals: list, read a leaf or a branch, write a batch, read history."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from homebound.adapters.http.deps import PrincipalDep, RuntimeDep
from homebound.adapters.http.schemas import WriteValues
from homebound.hub.core import ThingState
from homebound.hub.errors import RejectedValue
from homebound.model.errors import UnknownPath

router = APIRouter(prefix="/api/v1/vehicles", tags=["vehicles"])


def _summary(thing: ThingState) -> dict[str, object]:
    return {"id": thing.id, "name": thing.name, "vin": thing.vin, "signals": len(thing.catalog),
            "signals_with_value": len(thing.current), "pending_commands": len(thing.pending)}


def _signal(thing: ThingState, path: str, with_metadata: bool) -> dict[str, object]:
    entry = thing.current.get(path)
    out: dict[str, object] = {
        "path": path,
        "value": None if entry is None else entry[0],
        "ts": None if entry is None else entry[1],
        "principal": None if entry is None else entry[2],
    }
    meta = thing.catalog.signals[path]
    if meta.kind.value == "actuator":
        target = thing.targets.get(path)
        out["target"] = None if target is None else target[0]
        out["target_ts"] = None if target is None else target[1]
        pending = thing.pending.get(path)
        out["pending_command"] = None if pending is None else pending.id
    if with_metadata:
        out["metadata"] = meta.to_json()
    return out


@router.get("")
async def list_vehicles(runtime: RuntimeDep) -> list[dict[str, object]]:
    return [_summary(thing) for thing in runtime.hub.things()]


@router.get("/{vehicle_id}")
async def get_vehicle(vehicle_id: str, runtime: RuntimeDep) -> dict[str, object]:
    return _summary(runtime.hub.thing(vehicle_id))


@router.get("/{vehicle_id}/signals/{path}")
async def read_signals(vehicle_id: str, path: str, runtime: RuntimeDep,
                       metadata: bool = Query(False, description="include each signal's metadata")
                       ) -> dict[str, object]:
    """One leaf, or every leaf of a branch or wildcard (`Vehicle.Cabin`, `Vehicle.Cabin.Door.*.*.IsOpen`)."""
    thing = runtime.hub.thing(vehicle_id)
    if path in thing.catalog.signals:
        return _signal(thing, path, metadata)
    leaves = runtime.hub.expand(thing.id, path)
    return {"path": path, "signals": [_signal(thing, leaf, metadata) for leaf in leaves]}


@router.post("/{vehicle_id}/signals")
async def write_signals(vehicle_id: str, body: WriteValues, runtime: RuntimeDep,
                        principal: PrincipalDep) -> JSONResponse:
    """Write current values. Good values are kept; each bad one is reported. 422 only if none was kept."""
    result = runtime.hub.ingest(vehicle_id, body.values, body.ts, principal)
    rejected = [_rejection(error) for error in result.errors]
    status = 200 if result.accepted else 422
    return JSONResponse({"accepted": result.accepted, "rejected": rejected}, status_code=status)


def _rejection(error: Exception) -> dict[str, object]:
    if isinstance(error, RejectedValue):
        return {**error.to_json(), "code": "invalid_value"}
    if isinstance(error, UnknownPath):
        return {"path": error.path, "error": str(error), "suggestions": error.suggestions, "code": "unknown_path"}
    return {"error": str(error), "code": "bad_request"}


@router.get("/{vehicle_id}/history/{path}")
async def read_history(vehicle_id: str, path: str, runtime: RuntimeDep,
                       since: float | None = None, until: float | None = None,
                       limit: int = Query(1000, ge=1, le=100_000)) -> dict[str, object]:
    """Accepted values of one signal over time, oldest first (what is still buffered is written first)."""
    thing = runtime.hub.thing(vehicle_id)
    runtime.hub.get(thing.id, path)
    await runtime.recorder.flush()
    rows = await asyncio.to_thread(runtime.store.history, thing.id, path, since, until, limit)
    return {"path": path, "points": [{"ts": ts, "value": value, "principal": who} for ts, value, who in rows]}
