"""The real kuksa-client SDK (sync and asyncio) against the hub's Kuksa door."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from kuksa_client.grpc import Datapoint, DataType, EntryType, VSSClient, VSSClientError
from kuksa_client.grpc.aio import VSSClient as AsyncVSSClient

from homebound.hub import CommandState
from tests.kuksa.conftest import kuksa_config
from tests.support.live import LiveServer, live_server

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"


def test_connect_set_and_get_current_values(hub_server: LiveServer) -> None:
    with VSSClient("127.0.0.1", hub_server.grpc_port) as client:
        assert client.get_server_info().name == "Homebound"  # type: ignore[union-attr]
        client.set_current_values({"Vehicle.Speed": Datapoint(42.5), SOC: Datapoint(77.0),
                                   "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen": Datapoint(True)})
        values = client.get_current_values(["Vehicle.Speed", SOC, "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen",
                                            "Vehicle.IsMoving"])
    assert values["Vehicle.Speed"].value == 42.5
    assert values[SOC].value == 77.0
    assert values["Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"].value is True
    assert values["Vehicle.IsMoving"] is None
    entry = hub_server.run(hub_server.runtime.hub.read, "car1", "Vehicle.Speed")
    assert entry[0] == 42.5 and entry[2] == "kuksa:anonymous"


def test_metadata(hub_server: LiveServer) -> None:
    with VSSClient("127.0.0.1", hub_server.grpc_port) as client:
        metadata = client.get_metadata([LIMIT, "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging"])
    limit = metadata[LIMIT]
    assert (limit.data_type, limit.entry_type, limit.unit) == (DataType.UINT8, EntryType.ACTUATOR, "percent")
    assert (limit.value_restriction.min, limit.value_restriction.max) == (0, 100)  # type: ignore[union-attr]
    start_stop = metadata["Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging"]
    assert start_stop.value_restriction.allowed_values == ["START", "STOP"]  # type: ignore[union-attr]


def test_errors_as_kuksa_gives_them(hub_server: LiveServer) -> None:
    with VSSClient("127.0.0.1", hub_server.grpc_port) as client:
        with pytest.raises(VSSClientError) as out_of_range:
            client.set_current_values({SOC: Datapoint(150.0)})
        assert out_of_range.value.error["code"] == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        assert "[0..100]" in out_of_range.value.error["message"]
        with pytest.raises(VSSClientError) as unknown:
            client.get_current_values(["Vehicle.Sped"])
        assert unknown.value.error["code"] == 404 and "did you mean Vehicle.Speed" in unknown.value.error["message"]
        with pytest.raises(VSSClientError) as bad_target:
            client.set_target_values({LIMIT: Datapoint(101)})
        assert bad_target.value.errors[0]["error"]["code"] == 400
        with pytest.raises(VSSClientError) as allowed:
            client.set_target_values({"Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging":
                                      Datapoint("PAUSE")})
        assert allowed.value.errors[0]["error"]["code"] == 400
        assert "one of 'START', 'STOP'" in allowed.value.errors[0]["error"]["message"]


def test_actuation_without_provider_fails_at_once(hub_server: LiveServer) -> None:
    with VSSClient("127.0.0.1", hub_server.grpc_port) as client, pytest.raises(VSSClientError) as v1_error:
        client.set_target_values({LIMIT: Datapoint(80)})
    assert v1_error.value.errors[0]["error"]["code"] == 503
    with grpc.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}") as channel:
        stub = v2_grpc.VALStub(channel)
        with pytest.raises(grpc.RpcError) as v2_error:
            stub.Actuate(v2.ActuateRequest(signal_id=t2.SignalID(path=LIMIT), value=t2.Value(uint32=80)))
    assert v2_error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert hub_server.run(hub_server.runtime.hub.pending_commands) == []


async def _provider(port: int, paths: list[str], received: list[dict[str, object]], confirm: bool) -> None:
    async with AsyncVSSClient("127.0.0.1", port) as provider:
        async for updates in provider.subscribe_target_values(paths):
            received.append({path: point.value for path, point in updates.items()})
            if confirm:
                await provider.set_current_values({path: Datapoint(point.value) for path, point in updates.items()})


async def _wait(condition: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_v1_target_set_reaches_the_v2_provider_and_is_confirmed(hub_server: LiveServer) -> None:
    received: list[dict[str, object]] = []
    provider = asyncio.create_task(_provider(hub_server.grpc_port, [LIMIT], received, confirm=True))
    hub = hub_server.runtime.hub
    await _wait(lambda: hub_server.run(lambda: hub.has_provider("car1", LIMIT)))
    async with AsyncVSSClient("127.0.0.1", hub_server.grpc_port) as client:
        await client.set_target_values({LIMIT: Datapoint(80)})
        await _wait(lambda: received == [{LIMIT: 80}])
        await _wait(lambda: (client_value := hub_server.run(hub.read, "car1", LIMIT)) is not None
                    and client_value[0] == 80)
        targets = await client.get_target_values([LIMIT])
        assert targets[LIMIT].value == 80
        current = await client.get_current_values([LIMIT])
        assert current[LIMIT].value == 80
    commands = hub_server.run(hub.recent_commands)
    assert [c.state for c in commands] == [CommandState.CONFIRMED]
    provider.cancel()


async def test_rest_and_v2_actuate_reach_the_provider(hub_server: LiveServer) -> None:
    received: list[dict[str, object]] = []
    temperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
    provider = asyncio.create_task(_provider(hub_server.grpc_port, [LIMIT, temperature], received, confirm=False))
    hub = hub_server.runtime.hub
    await _wait(lambda: hub_server.run(lambda: hub.has_provider("car1", temperature)))
    command = hub_server.call(hub.command("rest:ana", "car1", temperature, 21.5))
    await _wait(lambda: {temperature: 21.5} in received)
    assert command.state is CommandState.PENDING
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}")
    stub = v2_grpc.VALStub(channel)
    await stub.Actuate(v2.ActuateRequest(signal_id=t2.SignalID(path=LIMIT), value=t2.Value(uint32=70)))
    await _wait(lambda: {LIMIT: 70} in received)
    with pytest.raises(grpc.aio.AioRpcError) as not_actuator:
        await stub.Actuate(v2.ActuateRequest(signal_id=t2.SignalID(path="Vehicle.Speed"), value=t2.Value(float=1)))
    assert not_actuator.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    await channel.close()
    provider.cancel()


async def test_subscribe_current_values_with_wildcards_and_branches(hub_server: LiveServer) -> None:
    async with AsyncVSSClient("127.0.0.1", hub_server.grpc_port) as client:
        await client.set_current_values({"Vehicle.Speed": Datapoint(10.0)})
        updates: list[dict[str, object]] = []

        async def listen() -> None:
            async for batch in client.subscribe_current_values(["Vehicle.Cabin.Door.*.*.IsOpen", "Vehicle.Speed"]):
                updates.append({path: point.value for path, point in batch.items()})

        listener = asyncio.create_task(listen())
        await _wait(lambda: len(updates) == 1)
        assert updates[0]["Vehicle.Speed"] == 10.0 and len(updates[0]) == 5
        await client.set_current_values({"Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen": Datapoint(True)})
        await _wait(lambda: len(updates) == 2)
        assert updates[1] == {"Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen": True}
        listener.cancel()


async def test_v2_subscription_with_an_unknown_path_serves_the_rest(hub_server: LiveServer) -> None:
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}")
    stub = v2_grpc.VALStub(channel)
    call = stub.Subscribe(v2.SubscribeRequest(signal_paths=["Vehicle.Speed", "Vehicle.Warp.Factor"]))
    metadata = dict(await call.initial_metadata())
    assert metadata["x-homebound-unknown-paths"] == "Vehicle.Warp.Factor"
    first = await call.read()
    assert list(first.entries) == ["Vehicle.Speed"]
    call.cancel()
    only_unknown = stub.Subscribe(v2.SubscribeRequest(signal_paths=["Vehicle.Warp.Factor"]))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await only_unknown.read()
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    await channel.close()


def test_values_survive_a_restart(tmp_path: Path) -> None:
    config = kuksa_config(tmp_path)
    with live_server(config) as first, VSSClient("127.0.0.1", first.grpc_port) as client:
        client.set_current_values({"Vehicle.TraveledDistance": Datapoint(123456)})
    with live_server(config) as second, VSSClient("127.0.0.1", second.grpc_port) as client:
        assert client.get_current_values(["Vehicle.TraveledDistance"])["Vehicle.TraveledDistance"].value == 123456


def test_list_metadata_and_ids(hub_server: LiveServer) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}") as channel:
        stub = v2_grpc.VALStub(channel)
        branch = stub.ListMetadata(v2.ListMetadataRequest(root="Vehicle.Cabin.Door.Row1.DriverSide"))
        assert {m.path for m in branch.metadata} >= {"Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"}
        speed = stub.ListMetadata(v2.ListMetadataRequest(root="Vehicle.Speed")).metadata[0]
        assert speed.unit == "km/h" and speed.entry_type == t2.ENTRY_TYPE_SENSOR
        value = stub.GetValue(v2.GetValueRequest(signal_id=t2.SignalID(id=speed.id)))
        assert not value.data_point.HasField("value")
        with pytest.raises(grpc.RpcError) as missing:
            stub.ListMetadata(v2.ListMetadataRequest(root="Vehicle.Nope"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
