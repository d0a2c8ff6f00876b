"""One bad value never blocks the others: what cannot be stored is refused at the door with a clear error, or set
aside by the recorder, and a good value written afterwards is in history.

Before the fixes, one REST write with `"ts": NaN`, or one string holding a lone UTF-16 surrogate (over REST or
MQTT), stopped history for good: the recorder retried the failed batch forever while every later value was
acknowledged and never stored.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import paho.mqtt.client as mqtt
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from paho.mqtt.enums import CallbackAPIVersion

from homebound.app.config import CommandsConfig, Config, KuksaConfig, MqttConfig, StorageConfig, VehicleConfig
from homebound.history.config import HistoryConfig, RecordingConfig
from tests.mqtt.conftest import HOST, MQTT_URL, PORT
from tests.support.live import LiveServer, live_server

DISTANCE = "Vehicle.TraveledDistance"
TRACK = "Vehicle.Cabin.Infotainment.Media.Played.Track"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
EVERY_VALUE = HistoryConfig(recording=RecordingConfig(deadband=False))  # each accepted value is a row of history
_unique = itertools.count(int(time.time()) % 100_000 * 10)


def config(workdir: Path, storage_url: str | None = None, mqtt_tag: str | None = None, **storage: object) -> Config:
    return Config(storage=StorageConfig(url=storage_url or f"sqlite:///{workdir / 'hub.db'}", **storage),
                  history=EVERY_VALUE, commands=CommandsConfig(without_provider="wait"),
                  kuksa=KuksaConfig(port=0),
                  mqtt=MqttConfig(url=MQTT_URL, discovery_prefix=f"hbpoison-{mqtt_tag}", base_topic=f"hbpoison-car-"
                                  f"{mqtt_tag}") if mqtt_tag else MqttConfig(),
                  vehicles=[VehicleConfig(id="car1")])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(config(tmp_path_factory.mktemp("poison"))) as live:
        yield live


def write_raw(server: LiveServer, body: bytes) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/vehicles/car1/signals", content=body,
                      headers={"content-type": "application/json"}, timeout=10)


def history(server: LiveServer, path: str, thing: str = "car1") -> list[object]:
    """The values history holds for `path` (the recorder's buffer is written first)."""
    rows = server.call(server.runtime.history.values(thing, path, None, None, 10_000))
    return [value for _ts, value, _principal in rows]


def assert_history_goes_on(server: LiveServer) -> None:
    """A good value written now is acknowledged and then found in history: the recorder is not stuck."""
    good = float(next(_unique))
    response = write_raw(server, json.dumps({"values": {DISTANCE: good}}).encode())
    assert response.status_code == 200, response.text
    assert good in history(server, DISTANCE)
    assert server.runtime.metrics()["history"]["last_error"] is None  # type: ignore[index]


# ---- REST ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ts", ["NaN", "Infinity", "-Infinity", "1e999", "-1", "4102444800"])
def test_a_timestamp_no_car_could_report_is_refused_and_history_goes_on(server: LiveServer, ts: str) -> None:
    refused = write_raw(server, b'{"values": {"Vehicle.TraveledDistance": 1}, "ts": ' + ts.encode() + b"}")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] in ("invalid_request", "invalid_value") and error["message"], error
    assert_history_goes_on(server)


def test_a_lone_surrogate_in_a_rest_string_is_refused_and_history_goes_on(server: LiveServer) -> None:
    refused = write_raw(server, b'{"values": {"' + TRACK.encode() + b'": "a\\ud800b"}}')
    assert refused.status_code == 422, refused.text
    assert "surrogate" in refused.json()["error"]["message"]
    assert_history_goes_on(server)
    assert not any("\ud800" in str(value) for value in history(server, TRACK))


# ---- Kuksa v2 -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [10**11, -5, 2**62])
def test_an_absurd_timestamp_over_kuksa_v2_is_refused_and_history_goes_on(server: LiveServer, seconds: int) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        stub = v2_grpc.VALStub(channel)
        value = float(next(_unique))
        with pytest.raises(grpc.RpcError) as refused:
            stub.PublishValue(v2.PublishValueRequest(
                signal_id=t2.SignalID(path=DISTANCE),
                data_point=t2.Datapoint(timestamp=Timestamp(seconds=seconds), value=t2.Value(float=value))),
                timeout=10)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "timestamp" in str(refused.value.details())
        assert value not in history(server, DISTANCE)
        good = float(next(_unique))
        stub.PublishValue(v2.PublishValueRequest(signal_id=t2.SignalID(path=DISTANCE),
                                                 data_point=t2.Datapoint(value=t2.Value(float=good))), timeout=10)
    assert good in history(server, DISTANCE)


# ---- MQTT devices on Mosquitto ------------------------------------------------------------------------------------


@pytest.fixture
def mqtt_tag(mqtt_tag: str) -> str:  # the module-scoped broker check of conftest.py, one tag per test
    return f"{mqtt_tag}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def device() -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"poison-device-{uuid.uuid4().hex[:8]}")
    client.connect(HOST, int(PORT))
    client.loop_start()
    yield client
    client.loop_stop()
    client.disconnect()


def publish(client: mqtt.Client, topic: str, payload: str | bytes) -> None:
    client.publish(topic, payload, qos=1).wait_for_publish(10)


def wait_until(condition: object, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def device_errors(server: LiveServer, device_id: str) -> int:
    devices = server.runtime.devices
    assert devices is not None
    info = server.run(devices.device, device_id)
    return -1 if info is None else int(info.errors)


def test_invalid_utf8_and_surrogates_from_a_device_are_refused_and_history_goes_on(
        tmp_path: Path, mqtt_tag: str, device: mqtt.Client) -> None:
    state = f"hbpoison-dev-{mqtt_tag}/radio"
    with live_server(config(tmp_path, mqtt_tag=mqtt_tag)) as server:
        publish(device, f"hbpoison-{mqtt_tag}/sensor/radio/config", json.dumps({
            "name": "Now playing", "stat_t": state, "val_tpl": "{{ value_json.title }}",
            "dev": {"ids": ["radio"], "name": "Kitchen radio"}}))
        wait_until(lambda: device_errors(server, "radio") == 0, what="the radio to join")
        publish(device, state, b'{"title": "\xff\xfe not UTF-8"}')
        publish(device, state, b'{"title": "half a pair \\ud800"}')  # valid JSON, a lone surrogate once decoded
        wait_until(lambda: device_errors(server, "radio") == 2, what="both payloads refused")
        publish(device, state, b'{"title": "Blue in Green"}')
        path = "Sensor.Radio.Value"
        wait_until(lambda: history(server, path, "radio") == ["Blue in Green"], what="the good title in history")
        assert server.runtime.metrics()["history"]["last_error"] is None  # type: ignore[index]
        assert_history_goes_on(server)


def test_a_deeply_nested_discovery_payload_is_counted_as_a_bad_message(tmp_path: Path, mqtt_tag: str,
                                                                      device: mqtt.Client) -> None:
    with live_server(config(tmp_path, mqtt_tag=mqtt_tag)) as server:
        publish(device, f"hbpoison-{mqtt_tag}/sensor/deep/config", "[" * 100_000)
        devices = server.runtime.devices
        assert devices is not None
        wait_until(lambda: devices.errors["discovery"] == 1, what="the message counted as a bad discovery")
        assert devices.device_ids() == []
        assert_history_goes_on(server)


def test_a_device_identifier_with_a_lone_surrogate_does_not_stop_history(
        tmp_path: Path, mqtt_tag: str, device: mqtt.Client) -> None:
    """The device's own rows cannot be stored (its id is not UTF-8): they are set aside, the rest is written."""
    with live_server(config(tmp_path, mqtt_tag=mqtt_tag)) as server:
        publish(device, f"hbpoison-{mqtt_tag}/binary_sensor/door/config", json.dumps({
            "name": "Door", "stat_t": f"hbpoison-dev-{mqtt_tag}/door",
            "dev": {"ids": ["door\ud800"], "name": "Front door"}}).encode())
        wait_until(lambda: server.runtime.devices is not None and server.runtime.devices.device_ids(),
                   what="the door to join")
        publish(device, f"hbpoison-dev-{mqtt_tag}/door", "ON")
        assert_history_goes_on(server)
        wait_until(lambda: server.runtime.metrics()["history"]["rows_quarantined"] >= 1,  # type: ignore[index]
                   what="the door's rows set aside")
        quarantined = server.runtime.store.quarantined()
        assert quarantined and quarantined[0]["thing"] == "door\\ud800", quarantined


# ---- PostgreSQL ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_text_postgresql_refuses_is_set_aside_and_the_rest_of_the_batch_is_written(
        tmp_path: Path, database_url: str, mqtt_tag: str, device: mqtt.Client) -> None:
    """PostgreSQL's text type refuses NUL. Values are stored as JSON text, so a NUL inside a value is kept exactly;
    a NUL in a device's identifier (a history row's thing) or in a client's command id is not, and must neither
    stop the recorder nor take the other rows of the same transaction with it."""
    buffered = {"durability": "buffered", "flush_interval_s": 60.0}  # everything below goes in one transaction
    with live_server(config(tmp_path, database_url, mqtt_tag=mqtt_tag, **buffered)) as server:
        publish(device, f"hbpoison-{mqtt_tag}/binary_sensor/lamp/config", json.dumps({
            "name": "Lamp", "stat_t": f"hbpoison-dev-{mqtt_tag}/lamp", "dev": {"ids": ["lamp\x00x"], "name": "Lamp"}}))
        wait_until(lambda: server.runtime.devices is not None and server.runtime.devices.device_ids(),
                   what="the lamp to join")
        command = httpx.post(f"{server.base_url}/api/v1/vehicles/car1/commands",
                             json={"path": LIMIT, "target": 80, "id": "charge\x00limit"}, timeout=10)
        assert command.status_code == 202, command.text
        good = float(next(_unique))
        written = write_raw(server, json.dumps({"values": {DISTANCE: good, TRACK: "Side A\x00Side B"}}).encode())
        assert written.status_code == 200, written.text
        assert good in history(server, DISTANCE)  # the flush: one transaction for all of the above
        assert history(server, TRACK) == ["Side A\x00Side B"]
        assert [row["thing"] for row in server.runtime.store.quarantined()] == ["lamp\\x00x"]
        stored = server.run(server.runtime.store.load_pending_commands)
        assert [(c.id, c.target) for c in stored] == [("charge\\x00limit", 80)]
        assert server.runtime.metrics()["history"]["last_error"] is None  # type: ignore[index]
        assert_history_goes_on(server)
