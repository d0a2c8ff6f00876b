"""Live updates over WebSocket: subscribe to leaves, branches and wildcards of one vehicle.

`/api/v1/vehicles/{id}/stream?path=Vehicle.Cabin&path=Vehicle.Speed&fields=value,target,command`

The first message says what was subscribed and which requested paths are unknown (those are reported, the rest
is served). Then each message carries the updates of one ingest call, with the subscription's drop counter so a
client can tell it fell behind.

A client that stops reading is dropped: once it is `MAILBOX_BATCHES` batches behind (or a send has not gone out
in `SEND_TIMEOUT_S`), its subscription ends and the socket is closed with 1013 ("try again later"), so stalled
clients cost the hub nothing, however many there are.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import orjson
from fastapi import Query, WebSocket, WebSocketDisconnect

from homebound.adapters.http import bounded
from homebound.adapters.http.errors import clip
from homebound.adapters.http.services import HttpServices
from homebound.hub.events import Field
from homebound.model.errors import HomeboundError

router = bounded.router(prefix="/api/v1", tags=["stream"])
MAILBOX_BATCHES = 256
SEND_TIMEOUT_S = 10.0
TOO_SLOW = 1013


def _parse_fields(raw: str) -> frozenset[Field]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    try:
        return frozenset(Field(name) for name in names) or frozenset({Field.VALUE})
    except ValueError:
        raise HomeboundError(f"fields {raw!r}: each must be one of value, target, command") from None


@router.websocket("/vehicles/{vehicle_id}/stream")
async def vehicle_stream(websocket: WebSocket, vehicle_id: str, path: list[str] = Query(default_factory=list),
                         fields: str = "value") -> None:
    await _stream(websocket, vehicle_id, path, fields)


@router.websocket("/devices/{device_id}/stream")
async def device_stream(websocket: WebSocket, device_id: str, path: list[str] = Query(default_factory=list),
                        fields: str = "value") -> None:
    await _stream(websocket, device_id, path, fields)


async def _stream(websocket: WebSocket, thing_id: str, path: list[str], fields: str) -> None:
    services: HttpServices = websocket.app.state.services
    await websocket.accept()
    try:
        if not path:
            raise HomeboundError("give at least one path: ?path=Vehicle.Speed&path=Vehicle.Cabin")
        subscription = services.hub.subscribe(thing_id, path, _parse_fields(fields), max_batches=MAILBOX_BATCHES,
                                              close_when_full=True)
    except HomeboundError as error:
        await websocket.send_json({"type": "error", "message": clip(error, 2000)})
        await websocket.close(code=1008)
        return
    with contextlib.closing(subscription):
        await websocket.send_json({
            "type": "subscribed", "thing": subscription.thing, "paths": len(subscription.paths),
            "fields": sorted(f.value for f in subscription.fields),
            "unknown_paths": [{"path": clip(p), "suggestions": s} for p, s in subscription.unknown_paths.items()],
        })
        watcher = asyncio.create_task(_close_on_disconnect(websocket, subscription.close))
        try:
            async for batch in subscription:
                message = {"type": "updates", "dropped": subscription.dropped,
                           "updates": [{"path": u.path, "field": u.field.value, "value": u.value, "ts": u.ts}
                                       for u in batch]}
                await asyncio.wait_for(websocket.send_text(orjson.dumps(message).decode()), SEND_TIMEOUT_S)
            if subscription.overflowed:
                await asyncio.wait_for(websocket.close(code=TOO_SLOW, reason="fell behind: reconnect"), 1.0)
        except TimeoutError:
            subscription.close()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            watcher.cancel()


async def _close_on_disconnect(websocket: WebSocket, close: Callable[[], None]) -> None:
    """The client sends nothing we need; reading is how a disconnect is noticed while no update flows."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    finally:
        close()
