"""Refusals a Kuksa client must see with Kuksa's own codes, through the real kuksa-client: an unsafe command is
FAILED_PRECONDITION (v2) or 409 (v1), and a second provider for an actuator another one owns is ALREADY_EXISTS."""

from __future__ import annotations

import asyncio
import contextlib

import grpc
import pytest
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa_client.grpc import Datapoint, VSSClient, VSSClientError
from kuksa_client.grpc.aio import VSSClient as AsyncVSSClient

from tests.support.live import LiveServer

DRIVER_LOCK = "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


async def provide(port: int, paths: list[str], received: list[dict[str, object]]) -> None:
    """A car's gateway: claims `paths` on a provider stream and records every actuation it is asked for."""
    async with AsyncVSSClient("127.0.0.1", port) as provider:
        async for updates in provider.subscribe_target_values(paths):
            received.append({path: point.value for path, point in updates.items()})


async def until(condition: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, VSSClientError):
        await task


async def test_unlocking_while_moving_is_failed_precondition_and_never_reaches_the_car(
        hub_server: LiveServer) -> None:
    received: list[dict[str, object]] = []
    gateway = asyncio.create_task(provide(hub_server.grpc_port, [DRIVER_LOCK], received))
    hub = hub_server.runtime.hub
    await until(lambda: hub_server.run(hub.has_provider, "car1", DRIVER_LOCK))
    try:
        with VSSClient("127.0.0.1", hub_server.grpc_port) as client:
            client.set_current_values({"Vehicle.Speed": Datapoint(48.0), DRIVER_LOCK: Datapoint(True)})
            with pytest.raises(grpc.RpcError) as v2_refusal:
                client.client_stub_v2.Actuate(v2.ActuateRequest(signal_id=t2.SignalID(path=DRIVER_LOCK),
                                                                value=t2.Value(bool=False)))
            with pytest.raises(VSSClientError) as v1_refusal:
                client.set_target_values({DRIVER_LOCK: Datapoint(False)})
        assert v2_refusal.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert ("(no_unlock_while_moving): cannot unlock Vehicle.Cabin.Door.Row1.DriverSide while the vehicle moves "
                "at 48.0 km/h") in str(v2_refusal.value.details())
        assert v1_refusal.value.errors[0]["error"]["code"] == 409
        await asyncio.sleep(0.2)
        assert received == []  # refused before the car was asked
        assert hub_server.run(hub.pending_commands) == []
    finally:
        await stop(gateway)


async def test_the_same_unlock_goes_through_once_the_car_has_stopped(hub_server: LiveServer) -> None:
    received: list[dict[str, object]] = []
    gateway = asyncio.create_task(provide(hub_server.grpc_port, [DRIVER_LOCK], received))
    hub = hub_server.runtime.hub
    await until(lambda: hub_server.run(hub.has_provider, "car1", DRIVER_LOCK))
    try:
        with VSSClient("127.0.0.1", hub_server.grpc_port) as client:
            client.set_current_values({"Vehicle.Speed": Datapoint(0.0), "Vehicle.IsMoving": Datapoint(False),
                                       DRIVER_LOCK: Datapoint(True)})
            client.client_stub_v2.Actuate(v2.ActuateRequest(signal_id=t2.SignalID(path=DRIVER_LOCK),
                                                            value=t2.Value(bool=False)))
        await until(lambda: received == [{DRIVER_LOCK: False}])
    finally:
        await stop(gateway)


async def test_a_second_provider_for_an_owned_actuator_is_already_exists(hub_server: LiveServer) -> None:
    first: list[dict[str, object]] = []
    owner = asyncio.create_task(provide(hub_server.grpc_port, [LIMIT], first))
    hub = hub_server.runtime.hub
    await until(lambda: hub_server.run(hub.has_provider, "car1", LIMIT))
    second: list[dict[str, object]] = []
    try:
        with pytest.raises(VSSClientError) as refused:
            await asyncio.wait_for(provide(hub_server.grpc_port, [LIMIT], second), 5)
        assert refused.value.error["code"] == grpc.StatusCode.ALREADY_EXISTS.value[0]
        assert f"car1: {LIMIT} is already provided" in refused.value.error["message"]
        # The first provider keeps the actuator: a command still reaches it, and only it.
        hub_server.call(hub.command("rest:ana", "car1", LIMIT, 80))
        await until(lambda: first == [{LIMIT: 80}])
        assert second == []
    finally:
        await stop(owner)
