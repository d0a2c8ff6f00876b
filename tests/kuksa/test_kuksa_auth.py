"""Kuksa-style JWT authorization, when a public key is configured."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from kuksa_client.grpc import Datapoint, VSSClient, VSSClientError

from tests.kuksa.conftest import token
from tests.support.live import LiveServer


def test_no_token_is_refused(secured: LiveServer) -> None:
    with VSSClient("127.0.0.1", secured.grpc_port, ensure_startup_connection=False) as client, \
            pytest.raises(VSSClientError) as error:
        client.get_current_values(["Vehicle.Speed"])
    assert error.value.error["code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]


def test_read_scope_reads_but_cannot_provide_or_actuate(secured: LiveServer) -> None:
    with VSSClient("127.0.0.1", secured.grpc_port, token=token("read:Vehicle.Speed provide:Vehicle.Speed")) as c:
        c.set_current_values({"Vehicle.Speed": Datapoint(50.0)})
        assert c.get_current_values(["Vehicle.Speed"])["Vehicle.Speed"].value == 50.0
    with VSSClient("127.0.0.1", secured.grpc_port, token=token("read")) as reader:
        assert reader.get_current_values(["Vehicle.Speed"])["Vehicle.Speed"].value == 50.0
        with pytest.raises(VSSClientError) as denied:
            reader.set_current_values({"Vehicle.Speed": Datapoint(10.0)})
        assert denied.value.error["code"] == grpc.StatusCode.PERMISSION_DENIED.value[0]
        with pytest.raises(VSSClientError) as target:
            reader.set_target_values({"Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit": Datapoint(80)})
        assert target.value.errors[0]["error"]["code"] == 403


def test_path_patterns_with_branches_and_one_level_wildcards(secured: LiveServer) -> None:
    scoped = token("read:Vehicle.Cabin provide:Vehicle.Cabin.Door.*.*.IsOpen")
    with VSSClient("127.0.0.1", secured.grpc_port, token=scoped) as client:
        client.set_current_values({"Vehicle.Cabin.Door.Row1.DriverSide.IsOpen": Datapoint(True)})
        assert client.get_current_values(["Vehicle.Cabin.HVAC.AmbientAirTemperature"])
        with pytest.raises(VSSClientError):
            client.get_current_values(["Vehicle.Speed"])
        with pytest.raises(VSSClientError):
            client.set_current_values({"Vehicle.Cabin.Door.Row1.DriverSide.IsLocked": Datapoint(True)})


def test_expired_token_is_refused(secured: LiveServer) -> None:
    with VSSClient("127.0.0.1", secured.grpc_port, token=token("read", lifetime=-10),
                   ensure_startup_connection=False) as client, pytest.raises(VSSClientError) as error:
        client.get_current_values(["Vehicle.Speed"])
    assert error.value.error["code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]
    assert "expired" in error.value.error["message"]


def test_audience_names_the_vehicle(secured: LiveServer) -> None:
    with VSSClient("127.0.0.1", secured.grpc_port, token=token("read provide", audience="car2/kuksa.val")) as c:
        c.set_current_values({"Vehicle.Speed": Datapoint(7.0)})
    assert secured.run(secured.runtime.hub.read, "car2", "Vehicle.Speed")[0] == 7.0
    assert secured.run(secured.runtime.hub.read, "car1", "Vehicle.Speed") is None
    with VSSClient("127.0.0.1", secured.grpc_port, token=token("read", audience="car9/kuksa.val"),
                   ensure_startup_connection=False) as c, pytest.raises(VSSClientError):
        c.get_current_values(["Vehicle.Speed"])


async def test_subscription_is_closed_when_its_token_expires(secured: LiveServer) -> None:
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{secured.grpc_port}")
    stub = v2_grpc.VALStub(channel)
    call = stub.Subscribe(v2.SubscribeRequest(signal_paths=["Vehicle.Speed"]),
                          metadata=[("authorization", "Bearer " + token("read", lifetime=1.5))])
    await call.read()
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await asyncio.wait_for(call.read(), 10)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert time.monotonic() - started < 5
    await channel.close()
