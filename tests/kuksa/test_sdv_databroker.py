"""sdv.databroker.v1 (Broker and Collector) on the Kuksa port, called with stubs generated from Kuksa's .proto files.

The Velocitas SDK itself is run against the hub in test_velocitas.py; these tests pin the protocol's details:
error codes per datapoint, failures, metadata, the query subscription, the Collector, and the access policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from kuksa_client.grpc import Datapoint
from kuksa_client.grpc.aio import VSSClient

from homebound.adapters.kuksa.sdv_stubs import broker_pb2 as broker
from homebound.adapters.kuksa.sdv_stubs import broker_pb2_grpc, collector_pb2_grpc
from homebound.adapters.kuksa.sdv_stubs import collector_pb2 as collector
from homebound.adapters.kuksa.sdv_stubs import types_pb2 as sdv
from homebound.hub import CommandState
from tests.kuksa.conftest import token
from tests.kuksa.test_v1_providers import has_provider, running, v1_provider, wait_for
from tests.support.live import LiveServer

SPEED = "Vehicle.Speed"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"


@pytest.fixture
async def channel(hub_server: LiveServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}") as opened:
        yield opened


def ingest(server: LiveServer, values: dict[str, object]) -> None:
    server.run(server.runtime.hub.ingest, "car1", values, None, "test:car")


async def test_get_datapoints_gives_values_and_failures(hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    ingest(hub_server, {SPEED: 42.5})
    reply = await broker_pb2_grpc.BrokerStub(channel).GetDatapoints(
        broker.GetDatapointsRequest(datapoints=[SPEED, SOC, "Vehicle.Sped"]))
    assert reply.datapoints[SPEED].float_value == 42.5 and reply.datapoints[SPEED].timestamp.seconds > 0
    assert reply.datapoints[SOC].failure_value == sdv.Datapoint.NOT_AVAILABLE
    assert reply.datapoints["Vehicle.Sped"].failure_value == sdv.Datapoint.UNKNOWN_DATAPOINT
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await broker_pb2_grpc.BrokerStub(channel).GetDatapoints(broker.GetDatapointsRequest())
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_set_datapoints_refuses_per_datapoint_with_the_databrokers_codes(hub_server: LiveServer,
                                                                               channel: grpc.aio.Channel) -> None:
    reply = await broker_pb2_grpc.BrokerStub(channel).SetDatapoints(broker.SetDatapointsRequest(datapoints={
        SPEED: sdv.Datapoint(float_value=10.0),  # a sensor: not through the Broker API
        "Vehicle.Nope": sdv.Datapoint(bool_value=True),
        LIMIT: sdv.Datapoint(float_value=80.0),  # ChargeLimit is uint8: its value travels in uint32_value
    }))
    assert dict(reply.errors) == {SPEED: sdv.ACCESS_DENIED, "Vehicle.Nope": sdv.UNKNOWN_DATAPOINT,
                                  LIMIT: sdv.INVALID_TYPE}
    out_of_range = await broker_pb2_grpc.BrokerStub(channel).SetDatapoints(broker.SetDatapointsRequest(
        datapoints={LIMIT: sdv.Datapoint(uint32_value=101)}))
    assert dict(out_of_range.errors) == {LIMIT: sdv.OUT_OF_BOUNDS}
    no_provider = await broker_pb2_grpc.BrokerStub(channel).SetDatapoints(broker.SetDatapointsRequest(
        datapoints={LIMIT: sdv.Datapoint(uint32_value=80)}))
    assert dict(no_provider.errors) == {LIMIT: sdv.INTERNAL_ERROR}
    assert hub_server.run(hub_server.runtime.hub.pending_commands) == []


async def test_set_datapoints_on_an_actuator_is_a_command_its_provider_carries_out(
        hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    seen: list[object] = []
    async with running(v1_provider(hub_server.grpc_port, [LIMIT], seen)):
        await wait_for(lambda: has_provider(hub_server))
        reply = await broker_pb2_grpc.BrokerStub(channel).SetDatapoints(broker.SetDatapointsRequest(
            datapoints={LIMIT: sdv.Datapoint(uint32_value=75)}))
        assert dict(reply.errors) == {}
        await wait_for(lambda: seen == [75])
        await wait_for(lambda: [c.state for c in hub_server.run(hub_server.runtime.hub.recent_commands)]
                       == [CommandState.CONFIRMED])
    command = hub_server.run(hub_server.runtime.hub.recent_commands)[0]
    assert command.principal == "kuksa:anonymous"


async def test_subscribe_replies_at_once_then_on_each_change_of_a_signal_it_names(
        hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    ingest(hub_server, {SPEED: 0.0, SOC: 50.0})
    call = broker_pb2_grpc.BrokerStub(channel).Subscribe(broker.SubscribeRequest(
        query=f"SELECT {SOC}, ({SPEED} = 0) AS parked WHERE {SOC} > 20"))
    first = await asyncio.wait_for(call.read(), 5)
    assert first.fields[SOC].float_value == 50.0 and first.fields["parked"].bool_value is True
    ingest(hub_server, {SPEED: 30.0})
    second = await asyncio.wait_for(call.read(), 5)
    assert second.fields["parked"].bool_value is False and second.fields[SOC].float_value == 50.0
    ingest(hub_server, {SOC: 10.0})  # the condition is false: no reply
    ingest(hub_server, {"Vehicle.IsMoving": True})  # not in the query: no reply
    ingest(hub_server, {SOC: 60.0})
    third = await asyncio.wait_for(call.read(), 5)
    assert third.fields[SOC].float_value == 60.0
    call.cancel()


async def test_a_bad_query_is_invalid_argument_naming_the_problem(channel: grpc.aio.Channel) -> None:
    call = broker_pb2_grpc.BrokerStub(channel).Subscribe(broker.SubscribeRequest(query="SELECT Vehicle.Sped"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call.read()
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown signal 'Vehicle.Sped'" in (refused.value.details() or "")
    deep = broker_pb2_grpc.BrokerStub(channel).Subscribe(broker.SubscribeRequest(
        query=f"SELECT {SPEED} WHERE " + "(" * 5000 + ")" * 5000))
    with pytest.raises(grpc.aio.AioRpcError) as too_big:
        await deep.read()
    assert too_big.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_get_metadata_of_named_or_all_signals(hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    stub = broker_pb2_grpc.BrokerStub(channel)
    reply = await stub.GetMetadata(broker.GetMetadataRequest(names=[LIMIT, "Vehicle.Nope"]))
    [limit] = reply.list
    assert (limit.name, limit.entry_type, limit.data_type) == (LIMIT, sdv.ENTRY_TYPE_ACTUATOR, sdv.UINT8)
    assert (limit.min.uint32, limit.max.uint32, limit.change_type) == (0, 100, sdv.ON_CHANGE)
    [start_stop] = (await stub.GetMetadata(broker.GetMetadataRequest(
        names=["Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging"]))).list
    assert list(start_stop.allowed.string_values.values) == ["START", "STOP"] and start_stop.data_type == sdv.STRING
    listing = await v2_grpc.VALStub(channel).ListMetadata(v2.ListMetadataRequest(root=LIMIT))
    assert limit.id == listing.metadata[0].id  # one id per signal, whichever API asks
    everything = await stub.GetMetadata(broker.GetMetadataRequest())
    assert len(everything.list) == len(hub_server.runtime.hub.describe("car1").catalog.signals)


async def test_the_collector_registers_known_signals_and_updates_them_through_ingest(
        hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    stub = collector_pb2_grpc.CollectorStub(channel)
    registered = await stub.RegisterDatapoints(collector.RegisterDatapointsRequest(list=[
        collector.RegistrationMetadata(name=SPEED, data_type=sdv.FLOAT, change_type=sdv.CONTINUOUS)]))
    speed_id = registered.results[SPEED]
    reply = await stub.UpdateDatapoints(collector.UpdateDatapointsRequest(datapoints={
        speed_id: sdv.Datapoint(float_value=88.0), 999999: sdv.Datapoint(float_value=1.0)}))
    assert dict(reply.errors) == {999999: sdv.UNKNOWN_DATAPOINT}
    reading = hub_server.run(hub_server.runtime.hub.read, "car1", SPEED)
    assert reading[0] == 88.0 and reading[2] == "kuksa:anonymous"
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await stub.RegisterDatapoints(collector.RegisterDatapointsRequest(list=[
            collector.RegistrationMetadata(name="Vehicle.Sped", data_type=sdv.FLOAT)]))
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND and "Vehicle.Speed" in (unknown.value.details() or "")


async def test_stream_datapoints_ingests_each_message_and_replies_only_with_errors(
        hub_server: LiveServer, channel: grpc.aio.Channel) -> None:
    stub = collector_pb2_grpc.CollectorStub(channel)
    soc_id = (await stub.RegisterDatapoints(collector.RegisterDatapointsRequest(list=[
        collector.RegistrationMetadata(name=SOC, data_type=sdv.FLOAT)]))).results[SOC]
    outgoing: asyncio.Queue[collector.StreamDatapointsRequest | None] = asyncio.Queue()

    async def requests() -> AsyncIterator[collector.StreamDatapointsRequest]:
        while (item := await outgoing.get()) is not None:
            yield item

    call = stub.StreamDatapoints(requests())
    outgoing.put_nowait(collector.StreamDatapointsRequest(datapoints={soc_id: sdv.Datapoint(float_value=55.0)}))
    outgoing.put_nowait(collector.StreamDatapointsRequest(datapoints={soc_id: sdv.Datapoint(float_value=150.0)}))
    errors = await asyncio.wait_for(call.read(), 5)
    assert dict(errors.errors) == {soc_id: sdv.OUT_OF_BOUNDS}
    assert hub_server.run(hub_server.runtime.hub.read, "car1", SOC)[0] == 55.0
    outgoing.put_nowait(collector_pb2_nan(soc_id))  # hostile values do not end the stream
    outgoing.put_nowait(collector.StreamDatapointsRequest(datapoints={soc_id: sdv.Datapoint(string_value="x")}))
    outgoing.put_nowait(collector.StreamDatapointsRequest(datapoints={soc_id: sdv.Datapoint(float_value=57.0)}))
    assert dict((await asyncio.wait_for(call.read(), 5)).errors) == {soc_id: sdv.OUT_OF_BOUNDS}
    assert dict((await asyncio.wait_for(call.read(), 5)).errors) == {soc_id: sdv.INVALID_TYPE}
    await wait_for(lambda: hub_server.run(hub_server.runtime.hub.read, "car1", SOC)[0] == 57.0)
    outgoing.put_nowait(None)
    call.cancel()


def collector_pb2_nan(signal_id: int) -> collector.StreamDatapointsRequest:
    return collector.StreamDatapointsRequest(datapoints={signal_id: sdv.Datapoint(float_value=float("nan"))})


async def test_the_same_access_policy_as_every_other_door(secured: LiveServer) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{secured.grpc_port}") as channel:
        stub = broker_pb2_grpc.BrokerStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.GetDatapoints(broker.GetDatapointsRequest(datapoints=[SPEED]))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        reader = (("authorization", f"Bearer {token(f'read:{SPEED}')}"),)
        reply = await stub.GetDatapoints(broker.GetDatapointsRequest(datapoints=[SPEED, SOC]), metadata=reader)
        assert reply.datapoints[SOC].failure_value == sdv.Datapoint.ACCESS_DENIED
        denied = await stub.SetDatapoints(broker.SetDatapointsRequest(
            datapoints={LIMIT: sdv.Datapoint(uint32_value=80)}), metadata=reader)
        assert dict(denied.errors) == {LIMIT: sdv.ACCESS_DENIED}
        call = stub.Subscribe(broker.SubscribeRequest(query=f"SELECT {SPEED} WHERE {SOC} > 1"), metadata=reader)
        with pytest.raises(grpc.aio.AioRpcError) as unreadable:
            await call.read()
        assert unreadable.value.code() == grpc.StatusCode.PERMISSION_DENIED
        feeder = collector_pb2_grpc.CollectorStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as not_provider:
            await feeder.RegisterDatapoints(collector.RegisterDatapointsRequest(list=[
                collector.RegistrationMetadata(name=SPEED, data_type=sdv.FLOAT)]), metadata=reader)
        assert not_provider.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_interlock_refuses_what_every_door_refuses(hub_server: LiveServer,
                                                             channel: grpc.aio.Channel) -> None:
    door = "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"
    async with VSSClient("127.0.0.1", hub_server.grpc_port) as car:
        await car.set_current_values({SPEED: Datapoint(80.0), "Vehicle.IsMoving": Datapoint(True)})
    async with running(v1_provider(hub_server.grpc_port, [door], [])):
        await wait_for(lambda: hub_server.run(hub_server.runtime.hub.has_provider, "car1", door))
        reply = await broker_pb2_grpc.BrokerStub(channel).SetDatapoints(broker.SetDatapointsRequest(
            datapoints={door: sdv.Datapoint(bool_value=False)}))
    assert dict(reply.errors) == {door: sdv.ACCESS_DENIED}
