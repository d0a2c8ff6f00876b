"""Velocitas' own sample app, seat-adjuster (shipped inside the velocitas-sdk 0.15.7 wheel), unmodified, on the hub.

It listens on MQTT for `seatadjuster/setPosition/request`, reads Vehicle.Speed, sets the driver seat's position
(sdv.databroker.v1 SetDatapoints) only when the car stands still, answers on `seatadjuster/setPosition/response`,
and publishes every position its subscription sees on `seatadjuster/currentPosition`. Here a Mosquitto of the
test's own carries MQTT, and a kuksa.val v1 provider plays the seat.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import service_missing
from tests.kuksa.test_velocitas import v1_car, velocitas_bin  # noqa: F401  (fixture)
from tests.kuksa.velocitas import vehicle_model, velocitas_config
from tests.mqtt.test_reconnect import Broker
from tests.support.live import LiveServer, free_port, live_server

SEAT = "Vehicle.Cabin.Seat.Row1.DriverSide.Position"


@pytest.fixture
def mosquitto() -> Iterator[Broker]:
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        service_missing("the mosquitto binary is not installed (apt-get install mosquitto)")
    own = Broker(free_port())
    own.start()
    yield own
    own.stop()


class Messages:
    """An MQTT client on the seat-adjuster's topics."""

    def __init__(self, port: int) -> None:
        self.received: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda _c, _u, message: self.received.put(
            (message.topic, json.loads(message.payload)))
        self.client.connect("127.0.0.1", port)
        self.client.subscribe("seatadjuster/#")
        self.client.loop_start()

    def ask(self, payload: dict[str, object], timeout: float = 30.0) -> dict[str, object]:
        """Publish the request (again each second until the app has subscribed) and return its response."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.client.publish("seatadjuster/setPosition/request", json.dumps(payload))
            answer = self.wait("seatadjuster/setPosition/response", 1.0)
            if answer is not None and answer.get("requestId") == payload["requestId"]:
                return answer
        raise AssertionError(f"no response to {payload} within {timeout} s")

    def wait(self, topic: str, timeout: float, **expected: object) -> dict[str, object] | None:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                got, payload = self.received.get(timeout=remaining)
            except queue.Empty:
                return None
            if got == topic and all(payload.get(k) == v for k, v in expected.items()):
                return payload
        return None

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_the_seat_adjuster_sample_moves_the_seat_only_when_the_car_stands_still(
        tmp_path: Path, velocitas_bin: Path, mosquitto: Broker) -> None:  # noqa: F811
    model = vehicle_model(velocitas_bin, tmp_path / "model")
    sample = next(velocitas_bin.parent.glob("lib/python3*/site-packages/velocitas_examples/seat-adjuster/src"))
    with live_server(velocitas_config(tmp_path)) as server:
        hub = server.runtime.hub
        server.run(hub.ingest, "car1", {"Vehicle.Speed": 0.0}, None, "test:car")
        messages = Messages(mosquitto.port)
        env = {**os.environ, "SDV_MIDDLEWARE_TYPE": "native", "PYTHONPATH": str(model),
               "SDV_MQTT_ADDRESS": f"mqtt://127.0.0.1:{mosquitto.port}",
               "SDV_VEHICLEDATABROKER_ADDRESS": f"grpc://127.0.0.1:{server.grpc_port}"}
        app = subprocess.Popen([str(velocitas_bin / "python"), "main.py"], cwd=sample, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            with v1_car(server.grpc_port, [SEAT]) as seat:
                wait_for_provider(server)
                allowed = messages.ask({"position": 300, "requestId": 123})
                assert allowed["result"] == {"status": 0, "message": "Set Seat position to: 300"}
                assert messages.wait("seatadjuster/currentPosition", 15, position=300) is not None
                assert seat == [300]
                assert server.run(hub.read, "car1", SEAT)[0] == 300
                server.run(hub.ingest, "car1", {"Vehicle.Speed": 50.0}, None, "test:car")
                refused = messages.ask({"position": 100, "requestId": 124})
                assert refused["result"]["status"] == 1
                assert "vehicle speed\n                is 50.0 and not 0" in str(refused["result"]["message"])
                assert seat == [300]
        finally:
            app.kill()
            _, errors = app.communicate(timeout=10)
            messages.close()
    assert "Traceback" not in errors, errors[-3000:]


def wait_for_provider(server: LiveServer) -> None:
    deadline = time.monotonic() + 10
    while not server.run(server.runtime.hub.has_provider, "car1", SEAT):
        assert time.monotonic() < deadline, "the seat's provider did not connect"
        time.sleep(0.05)
