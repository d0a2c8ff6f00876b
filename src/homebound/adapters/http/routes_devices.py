"""Household devices: what the hub knows of each, with availability, datapoints and error counts."""

from __future__ import annotations

from fastapi import APIRouter

from homebound.adapters.http.deps import RuntimeDep
from homebound.hub.errors import UnknownThing

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


@router.get("")
async def list_devices(runtime: RuntimeDep) -> list[dict[str, object]]:
    """Every device that joined (by MQTT discovery), with availability; empty when MQTT is not configured."""
    if runtime.devices is None:
        return []
    out = []
    for record in sorted(runtime.devices.devices.values(), key=lambda r: r.id):
        thing = runtime.hub.thing(record.id)
        out.append({"id": record.id, "name": record.name, "online": record.online(),
                    "manufacturer": record.info.get("manufacturer"), "model": record.info.get("model"),
                    "entities": len(record.entities), "datapoints": len(thing.catalog), "errors": record.errors})
    return out


@router.get("/{device_id}")
async def get_device(device_id: str, runtime: RuntimeDep) -> dict[str, object]:
    record = None if runtime.devices is None else runtime.devices.devices.get(device_id)
    if record is None:
        known = sorted(runtime.devices.devices) if runtime.devices else []
        raise UnknownThing(device_id, known)
    return record.to_json(runtime.hub)
