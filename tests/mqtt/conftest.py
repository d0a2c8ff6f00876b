"""MQTT tests use the Mosquitto on 127.0.0.1:1883 (HOMEBOUND_TEST_MQTT_URL to change), each under its own topic
prefixes so runs never see each other's retained messages; what a test retained is cleared after it."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from homebound.app.config import CommandsConfig, Config, KuksaConfig, MqttConfig, StorageConfig, VehicleConfig
from tests.conftest import service_missing
from tests.support.live import LiveServer, live_server

MQTT_URL = os.environ.get("HOMEBOUND_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
HOST, PORT = MQTT_URL.removeprefix("mqtt://").split(":")


def broker_reachable(host: str = HOST, port: int = int(PORT)) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@dataclass
class Observer:
    """A plain paho client for the test's side of the conversation: publishes, and records what it sees."""

    client: mqtt.Client
    messages: list[tuple[str, bytes, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, topic: str, payload: str | bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic, qos=1)

    def seen(self, topic: str) -> list[bytes]:
        with self.lock:
            return [payload for t, payload, _ in self.messages if t == topic]

    def wait_for(self, condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.02)


@pytest.fixture
def observer() -> Iterator[Observer]:
    if not broker_reachable():
        service_missing(f"Mosquitto is not reachable at {MQTT_URL}: start it with "
                        "`mosquitto -d -c /etc/mosquitto/mosquitto.conf` or set HOMEBOUND_TEST_MQTT_URL")
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
    watcher = Observer(client)

    def on_message(_c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with watcher.lock:
            watcher.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    client.on_message = on_message
    client.connect(HOST, int(PORT))
    client.loop_start()
    yield watcher
    client.loop_stop()
    client.disconnect()


@dataclass
class Topics:
    prefix: str
    base: str
    sim_root: str


@pytest.fixture
def topics(observer: Observer) -> Iterator[Topics]:
    tag = uuid.uuid4().hex[:8]
    names = Topics(f"hbtest-ha-{tag}", f"hbtest-car-{tag}", f"hbtest-sim-{tag}")
    for root in (names.prefix, names.base, names.sim_root):
        observer.subscribe(f"{root}/#")
    yield names
    time.sleep(0.2)
    with observer.lock:
        retained = {topic for topic, payload, _ in observer.messages if payload}
    for topic in retained:
        observer.publish(topic, b"", retain=True)


def mqtt_config(tmp_path: Path, topics: Topics, url: str = MQTT_URL, without_provider: str = "fail") -> Config:
    return Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                  commands=CommandsConfig(timeout_s=5, without_provider=without_provider),  # type: ignore[arg-type]
                  kuksa=KuksaConfig(enabled=False),
                  mqtt=MqttConfig(url=url, discovery_prefix=topics.prefix, base_topic=topics.base),
                  vehicles=[VehicleConfig(id="car1", name="Family car")])


@pytest.fixture
def hub_server(tmp_path: Path, topics: Topics) -> Iterator[LiveServer]:
    with live_server(mqtt_config(tmp_path, topics)) as live:
        yield live
