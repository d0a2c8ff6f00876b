"""Household devices: what the hub knows of each, with availability, datapoints and error counts."""

from __future__ import annotations

from fastapi import Response

from homebound.adapters.http import bounded
from homebound.adapters.http.deps import ServicesDep
from homebound.adapters.http.services import DeviceView
from homebound.hub.core import Hub
from homebound.hub.errors import UnknownThing
from homebound.model.errors import UnknownPath

router = bounded.router(prefix="/api/v1/devices", tags=["devices"])


def _summary(hub: Hub, device: DeviceView) -> dict[str, object]:
    return {"id": device.id, "name": device.name, "online": device.online,
            "manufacturer": device.info.get("manufacturer"), "model": device.info.get("model"),
            "entities": len(device.entities), "datapoints": len(hub.describe(device.id).catalog),
            "errors": device.errors}


def _detail(hub: Hub, device: DeviceView) -> dict[str, object]:
    catalog = hub.describe(device.id).catalog
    values = hub.known_values(device.id)
    datapoints: dict[str, object] = {}
    for path, meta in sorted(catalog.signals.items()):
        reading = values.get(path)
        datapoints[path] = {"value": None if reading is None else reading.value,
                            "ts": None if reading is None else reading.ts, "kind": meta.kind.value,
                            "datatype": meta.datatype.value, "unit": meta.unit,
                            "allowed": list(meta.allowed) if meta.allowed else None}
    return {"id": device.id, "name": device.name, "info": dict(device.info), "online": device.online,
            "entities": list(device.entities), "datapoints": datapoints, "errors": device.errors,
            "last_error": device.last_error}


@router.get("")
async def list_devices(services: ServicesDep) -> list[dict[str, object]]:
    """Every device that joined (by MQTT discovery), with availability; empty when MQTT is not configured."""
    directory = services.devices
    if directory is None:
        return []
    devices = [directory.device(device_id) for device_id in directory.device_ids()]
    return [_summary(services.hub, device) for device in devices if device is not None]


@router.get("/{device_id}")
async def get_device(device_id: str, services: ServicesDep) -> dict[str, object]:
    directory = services.devices
    device = None if directory is None else directory.device(device_id)
    if device is None:
        raise UnknownThing(device_id, directory.device_ids() if directory else [])
    return _detail(services.hub, device)


@router.get("/{device_id}/images/{path}", responses={200: {"content": {"image/*": {}}}})
async def get_image(device_id: str, path: str, services: ServicesDep) -> Response:
    """The last picture of a camera or image datapoint; its datapoint's value (`sha256:...`) is the ETag."""
    directory = services.devices
    if directory is None or directory.device(device_id) is None:
        raise UnknownThing(device_id, directory.device_ids() if directory else [])
    picture = directory.image(device_id, path)
    if picture is None:
        raise UnknownPath(path, [], device_id)
    return Response(picture.data, media_type=picture.content_type, headers={"ETag": f'"{picture.reference}"'})
