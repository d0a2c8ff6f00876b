"""A broker restart: the hub reconnects with backoff, resubscribes, and keeps the devices' known state."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from homebound.app.config import MqttConfig
from tests.conftest import service_missing
from tests.mqtt.conftest import Topics, broker_reachable, mqtt_config
from tests.mqtt.test_devices import wait
from tests.support.live import free_port, live_server


class Broker:
    """A Mosquitto of the test's own, on a free port, that the test can stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen([binary, "-p", str(self.port)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait(lambda: broker_reachable("127.0.0.1", self.port), 10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def broker() -> Iterator[Broker]:
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        service_missing("the mosquitto binary is not installed (apt-get install mosquitto)")
    own = Broker(free_port())
    own.start()
    yield own
    own.stop()


def test_broker_restart_is_survived(tmp_path: Path, broker: Broker) -> None:
    topics = Topics(f"ha-{uuid.uuid4().hex[:6]}", "car", "dev")
    config = mqtt_config(tmp_path, topics)
    config = config.model_copy(update={"mqtt": MqttConfig(url=f"mqtt://127.0.0.1:{broker.port}",
                                                          discovery_prefix=topics.prefix)})
    device = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="thermometer")
    device.reconnect_delay_set(1, 2)
    device.connect("127.0.0.1", broker.port)
    device.loop_start()
    try:
        with live_server(config) as server:
            device.publish(f"{topics.prefix}/sensor/thermo/config", json.dumps({
                "name": "Temperature", "stat_t": "dev/thermo", "unit_of_meas": "°C",
                "dev": {"ids": ["thermo"]}}), qos=1).wait_for_publish(5)

            def reading() -> object:
                try:
                    entry = server.run(server.runtime.hub.read, "thermo", "Sensor.Thermo.Value")
                except Exception:
                    return None
                return None if entry is None else entry[0]

            wait(lambda: server.runtime.devices is not None and "thermo" in server.runtime.devices.device_ids())
            device.publish("dev/thermo", "21.5", qos=1, retain=True).wait_for_publish(5)
            wait(lambda: reading() == 21.5)
            connection = server.runtime.mqtt
            assert connection is not None
            broker.stop()
            wait(lambda: not connection.connected)
            assert reading() == 21.5  # known state kept while the broker is away
            time.sleep(0.5)
            broker.start()
            wait(lambda: connection.connected, 20)
            wait(lambda: device.is_connected(), 20)
            device.publish("dev/thermo", "22.0", qos=1, retain=True).wait_for_publish(5)
            wait(lambda: reading() == 22.0, 10)  # resubscribed
            assert connection.connections >= 2
    finally:
        device.loop_stop()
        device.disconnect()
