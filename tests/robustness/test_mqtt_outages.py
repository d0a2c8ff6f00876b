"""MQTT outages: a 25 s broker restart loses no device message (a persistent session, QoS 1, PUBACK after the
commit), and Home Assistant never shows a stopped or crashed hub's car as live (the hub's status topic: online at
start, offline by the last will when the process is killed, offline at a clean stop).

Before the fixes, the hub's session was clean (the broker dropped what devices sent while the hub reconnected) and
nothing told Home Assistant that the hub was gone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from homebound.app.config import Config, KuksaConfig, MqttConfig, StorageConfig, VehicleConfig
from homebound.history.config import HistoryConfig, RecordingConfig
from tests.conftest import service_missing
from tests.mqtt.conftest import HOST, MQTT_URL, PORT, broker_reachable
from tests.robustness.conftest import hub_config
from tests.support.live import LiveServer, free_port, live_server
from tests.support.serve_process import served, start_serve

OUTAGE_S = 25.0
EVERY_S = 0.1


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)


class PersistentBroker:
    """A Mosquitto of the test's own that keeps sessions and queued messages on disk across a restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.config = directory / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                               f"persistence_location {directory}/\nautosave_interval 1\nuser root\n")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen([binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(lambda: broker_reachable("127.0.0.1", self.port), 10, "the test's Mosquitto to listen")

    def stop(self) -> None:
        """A clean stop: Mosquitto writes its sessions and queued messages to disk first."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PersistentBroker]:
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        service_missing("the mosquitto binary is not installed (apt-get install mosquitto)")
    directory = tmp_path / "broker"
    directory.mkdir()
    own = PersistentBroker(directory)
    own.start()
    yield own
    own.stop()


def history(server: LiveServer, thing: str, path: str) -> list[object]:
    try:
        rows = server.call(server.runtime.history.values(thing, path, None, None, 1_000_000))
    except Exception:  # not joined yet, or the database busy: ask again
        return []
    return [value for _ts, value, _who in rows]


def test_a_25_second_broker_restart_loses_no_device_message(tmp_path: Path, broker: PersistentBroker) -> None:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}"), kuksa=KuksaConfig(enabled=False),
                    mqtt=MqttConfig(url=f"mqtt://127.0.0.1:{broker.port}", discovery_prefix="ha", base_topic="hb"),
                    history=HistoryConfig(recording=RecordingConfig(deadband=False)),  # every reading is a row
                    vehicles=[VehicleConfig(id="car1")])
    meter = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="meter")
    meter.reconnect_delay_set(1, 2)
    meter.connect("127.0.0.1", broker.port)
    meter.loop_start()
    published: list[int] = []
    stop = threading.Event()

    def publish_every_100_ms() -> None:
        number = 0
        while not stop.wait(EVERY_S):
            number += 1
            meter.publish("meter/power", str(number), qos=1)  # queued by the device while the broker is away
            published.append(number)

    try:
        with live_server(config) as server:
            meter.publish("ha/sensor/meter/config", json.dumps({
                "name": "Power", "stat_t": "meter/power", "unit_of_meas": "W", "dev": {"ids": ["meter"]}}),
                qos=1, retain=True).wait_for_publish(5)
            devices = server.runtime.devices
            assert devices is not None and server.runtime.mqtt is not None
            wait_until(lambda: "meter" in devices.device_ids(), 10, "the meter to join")
            publisher = threading.Thread(target=publish_every_100_ms)
            publisher.start()
            time.sleep(2)
            broker.stop()
            time.sleep(OUTAGE_S)
            broker.start()
            connection = server.runtime.mqtt
            wait_until(lambda: connection.connected, 20, "the hub to reconnect")
            time.sleep(2)
            stop.set()
            publisher.join()
            last = published[-1]
            wait_until(lambda: last in history(server, "meter", "Sensor.Meter.Value"), 30,
                       f"the last reading ({last}) in history")
            stored = {int(value) for value in history(server, "meter", "Sensor.Meter.Value")}  # type: ignore[call-overload]
    finally:
        stop.set()
        meter.loop_stop()
        meter.disconnect()
    lost = sorted(set(published) - stored)
    print(f"{OUTAGE_S:g} s broker restart: {len(published)} readings published at {EVERY_S:g} s, "
          f"{len(published) - len(lost)} stored, {len(lost)} lost")
    assert not lost, f"{len(lost)} of {len(published)} readings lost: {lost[:10]}..."


# ---- the car's availability in Home Assistant ---------------------------------------------------------------------


@pytest.fixture
def observer(mqtt_tag: str) -> Iterator[tuple[mqtt.Client, dict[str, list[bytes]]]]:
    seen: dict[str, list[bytes]] = {}
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-observer-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda _c, _u, message: seen.setdefault(message.topic, []).append(bytes(message.payload))
    client.connect(HOST, int(PORT))
    client.loop_start()
    client.subscribe(f"hbavail-{mqtt_tag}/#", qos=1)
    client.subscribe(f"hbavail-ha-{mqtt_tag}/#", qos=1)
    yield client, seen
    for topic in list(seen):  # what the hubs retained
        client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def test_the_cars_availability_goes_offline_when_the_hub_is_killed_and_when_it_stops(
        tmp_path: Path, mqtt_tag: str, observer: tuple[mqtt.Client, dict[str, list[bytes]]]) -> None:
    _client, seen = observer
    status = f"hbavail-{mqtt_tag}/status"
    config = hub_config(tmp_path, mqtt={"url": MQTT_URL, "discovery_prefix": f"hbavail-ha-{mqtt_tag}",
                                        "base_topic": f"hbavail-{mqtt_tag}"})

    def last_status() -> bytes | None:
        payloads = seen.get(status)
        return payloads[-1] if payloads else None

    with served(tmp_path, config, "--no-grpc") as hub:
        wait_until(lambda: last_status() == b"online", 10, "the hub's status online")
        discovery = json.loads(seen[f"hbavail-ha-{mqtt_tag}/device/homebound_car1/config"][-1])
        assert {"topic": status} in discovery["availability"] and discovery["availability_mode"] == "all"
        hub.kill()
        wait_until(lambda: last_status() == b"offline", 10, "the last will: offline")
    hub = start_serve(tmp_path, config, "--no-grpc", name="again")
    try:
        wait_until(lambda: last_status() == b"online", 10, "the hub's status online again")
        assert hub.stop() == 0
        assert last_status() == b"offline", seen[status]
    finally:
        hub.kill()
