"""mqtts:// with a private CA, and a broker that wants a username and password."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from homebound.app.config import MqttConfig
from tests.conftest import service_missing
from tests.mqtt.conftest import Topics, broker_reachable, mqtt_config
from tests.mqtt.test_devices import wait
from tests.support.certificates import self_signed
from tests.support.live import free_port, live_server


@pytest.fixture
def secure_broker(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists() or not shutil.which("mosquitto_passwd"):
        service_missing("mosquitto and mosquitto_passwd are needed (apt-get install mosquitto)")
    cert, key = self_signed(tmp_path)
    passwords = tmp_path / "passwords"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), "homebound", "s3cret"], check=True,
                   capture_output=True)
    passwords.chmod(0o600)
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    # `user root`: mosquitto started as root would otherwise drop to its own user, who cannot read tmp_path.
    conf.write_text(f"user root\nlistener {port} 127.0.0.1\ncertfile {cert}\nkeyfile {key}\nallow_anonymous false\n"
                    f"password_file {passwords}\n")
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait(lambda: broker_reachable("127.0.0.1", port), 10)
    yield port, cert
    process.terminate()
    process.wait(10)


def test_mqtts_with_login_and_a_private_ca(tmp_path: Path, secure_broker: tuple[int, Path]) -> None:
    port, ca = secure_broker
    topics = Topics("tls-ha", "tls-car", "tls-dev")
    config = mqtt_config(tmp_path, topics).model_copy(update={"mqtt": MqttConfig(
        url=f"mqtts://homebound:s3cret@127.0.0.1:{port}", ca_file=ca, discovery_prefix=topics.prefix)})
    device = mqtt.Client(CallbackAPIVersion.VERSION2)
    device.username_pw_set("homebound", "s3cret")
    device.tls_set(ca_certs=str(ca), cert_reqs=ssl.CERT_REQUIRED)
    device.connect("127.0.0.1", port)
    device.loop_start()
    try:
        with live_server(config) as server:
            device.publish(f"{topics.prefix}/binary_sensor/door/config", json.dumps({
                "stat_t": "tls-dev/door", "dev": {"ids": ["door-1"]}}), qos=1, retain=True).wait_for_publish(5)
            device.publish("tls-dev/door", "ON", qos=1, retain=True).wait_for_publish(5)
            wait(lambda: server.runtime.devices is not None and "door-1" in server.runtime.devices.device_ids())
            wait(lambda: (server.run(server.runtime.hub.read, "door-1", "BinarySensor.Door.State") or [None])[0]
                 is True)
    finally:
        device.loop_stop()
        device.disconnect()


async def test_a_wrong_password_is_a_clear_error(secure_broker: tuple[int, Path]) -> None:
    from homebound.adapters.mqtt.connection import MqttConnection, MqttError

    port, ca = secure_broker
    connection = MqttConnection(f"mqtts://homebound:wrong@127.0.0.1:{port}", ca_file=str(ca))
    with pytest.raises(MqttError, match="refused the connection: Not authorized"):
        await connection.connect(timeout=2)


async def test_a_broker_whose_certificate_another_ca_signed_is_refused(tmp_path: Path,
                                                                     secure_broker: tuple[int, Path]) -> None:
    from homebound.adapters.mqtt.connection import MqttConnection, MqttError

    port, real_ca = secure_broker
    impostor = tmp_path / "impostor"
    impostor.mkdir()
    other_ca, _ = self_signed(impostor)  # a CA the broker's certificate does not come from
    connection = MqttConnection(f"mqtts://homebound:s3cret@127.0.0.1:{port}", ca_file=str(other_ca))
    with pytest.raises(MqttError, match="cannot reach the MQTT broker"):
        await connection.connect(timeout=2)
    assert not connection.connected and connection.connections == 0
    trusting = MqttConnection(f"mqtts://homebound:s3cret@127.0.0.1:{port}", ca_file=str(real_ca))
    await trusting.connect(timeout=5)  # the same broker, login and code: only the CA differed
    assert trusting.connected
    await trusting.close()


@pytest.mark.parametrize("url", ["http://broker", "mqtt://", "mqtt://host:port"])
def test_bad_urls_are_named(url: str) -> None:
    from homebound.adapters.mqtt.connection import MqttConnection, MqttError

    with pytest.raises(MqttError, match="MQTT url"):
        MqttConnection(url)
