"""`homebound mqtt acl` locks a real Mosquitto down: started with the generated configuration, it lets a device
publish its own state and nothing of the car's, lets Home Assistant command the car, and refuses anonymous clients.

Each test starts a Mosquitto of its own on a free port. "Never arrives" is shown without waiting on a clock: the
same client publishes a marker on an allowed topic right after, and once the marker has arrived the refused
message would have arrived before it (Mosquitto keeps one client's messages in order for a subscriber).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
import yaml
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from homebound.adapters.mqtt.mosquitto_passwd import check_password, read_password_file
from homebound.app.config import MqttConfig
from tests.cli.test_cli import run
from tests.conftest import service_missing
from tests.mqtt.conftest import Topics, broker_reachable, mqtt_config
from tests.mqtt.test_devices import wait
from tests.support.live import LiveServer, free_port, live_server

PLAN = """
base_topic: homebound
discovery_prefix: homeassistant
vehicles: [car1]
hub: {username: homebound, read: [owntracks/#], write: [owntracks/#]}
services:
  - username: homeassistant
    car_commands: true
    device_commands: true
    write: [homeassistant/status]
  - username: dashboard          # reads everything, commands nothing
devices:
  - username: garage
    publishes: [garage/door/state, garage/door/availability, homeassistant/cover/garage/door/config]
    commands: [garage/door/set]
  - username: lamp
    publishes: [lamp/#, homeassistant/light/lamp/config]
    commands: [lamp/set]
"""
GARAGE_DISCOVERY = ('{"name": "Garage door", "uniq_id": "garage_door", "stat_t": "garage/door/state", '
                    '"cmd_t": "garage/door/set", "dev": {"ids": ["garage-1"], "name": "Garage"}}')


@dataclass
class Peer:
    """A paho client logged in as one account, recording what it receives."""

    client: mqtt.Client
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, topic: str, payload: str, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def subscribe(self, *topics: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *_args: done.set()
        self.client.subscribe([(topic, 1) for topic in topics])
        assert done.wait(5), "no SUBACK"

    def seen(self, topic: str) -> list[bytes]:
        with self.lock:
            return [payload for t, payload in self.messages if t == topic]


@dataclass
class LockedBroker:
    port: int
    passwords: dict[str, str]
    folder: Path
    peers: list[Peer] = field(default_factory=list)

    def connect(self, user: str | None, password: str | None = None) -> tuple[Peer, ReasonCode]:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if user is not None:
            client.username_pw_set(user, password if password is not None else self.passwords[user])
        peer, answered, codes = Peer(client), threading.Event(), []

        def on_connect(_c: mqtt.Client, _u: object, _f: object, code: ReasonCode, _p: object) -> None:
            codes.append(code)
            answered.set()

        def on_message(_c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
            with peer.lock:
                peer.messages.append((message.topic, bytes(message.payload)))

        client.on_connect, client.on_message = on_connect, on_message
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        self.peers.append(peer)
        assert answered.wait(5), "no CONNACK"
        return peer, codes[0]

    def login(self, user: str) -> Peer:
        peer, code = self.connect(user)
        assert not code.is_failure, f"{user} could not log in: {code}"
        return peer


def generate(tmp_path: Path, plan: str = PLAN, *options: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    (tmp_path / "plan.yaml").write_text(plan)
    folder = tmp_path / "mosquitto"
    return folder, run("mqtt", "acl", str(tmp_path / "plan.yaml"), "--out", str(folder), *options)


def kept_passwords(folder: Path) -> dict[str, str]:
    return dict(yaml.safe_load((folder / "secrets.yaml").read_text()))


@pytest.fixture
def locked_broker(tmp_path: Path) -> Iterator[LockedBroker]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        service_missing("the mosquitto binary is not installed (apt-get install mosquitto)")
    folder, result = generate(tmp_path)
    assert result.returncode == 0, result.stderr
    port = free_port()
    conf = tmp_path / "broker.conf"
    # `user root`: mosquitto started as root would otherwise drop to its own user, who cannot read tmp_path.
    conf.write_text(f"user root\nlistener {port} 127.0.0.1\n" + (folder / "mosquitto.conf").read_text())
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait(lambda: broker_reachable("127.0.0.1", port), 10)
    broker = LockedBroker(port, kept_passwords(folder), folder)
    yield broker
    for peer in broker.peers:
        peer.client.loop_stop()
        peer.client.disconnect()
    process.terminate()
    process.wait(10)


# ---- the broker enforces it ----------------------------------------------------------------------------------

def test_a_device_publishes_its_own_state(locked_broker: LockedBroker) -> None:
    hub = locked_broker.login("homebound")
    hub.subscribe("garage/door/state")
    locked_broker.login("garage").publish("garage/door/state", "closed")
    wait(lambda: hub.seen("garage/door/state") == [b"closed"])


def test_a_device_cannot_publish_the_cars_command_topic(locked_broker: LockedBroker) -> None:
    hub = locked_broker.login("homebound")
    hub.subscribe("homebound/+/set/#", "garage/door/state")
    garage = locked_broker.login("garage")
    garage.publish("homebound/car1/set/lock", "UNLOCK")
    garage.publish("garage/door/state", "marker")
    wait(lambda: hub.seen("garage/door/state") == [b"marker"])
    assert hub.seen("homebound/car1/set/lock") == []


def test_home_assistant_may_publish_the_cars_command_topic(locked_broker: LockedBroker) -> None:
    hub = locked_broker.login("homebound")
    hub.subscribe("homebound/+/set/#")
    locked_broker.login("homeassistant").publish("homebound/car1/set/lock", "UNLOCK")
    wait(lambda: hub.seen("homebound/car1/set/lock") == [b"UNLOCK"])


def test_a_service_without_car_commands_cannot_command_the_car(locked_broker: LockedBroker) -> None:
    hub = locked_broker.login("homebound")
    hub.subscribe("homebound/+/set/#", "homeassistant/status")
    dashboard = locked_broker.login("dashboard")
    dashboard.publish("homebound/car1/set/lock", "UNLOCK")
    locked_broker.login("homeassistant").publish("homeassistant/status", "marker")
    wait(lambda: hub.seen("homeassistant/status") == [b"marker"])
    assert hub.seen("homebound/car1/set/lock") == []


def test_a_device_cannot_speak_for_another_device(locked_broker: LockedBroker) -> None:
    hub = locked_broker.login("homebound")
    hub.subscribe("lamp/#", "garage/door/state")
    garage = locked_broker.login("garage")
    garage.publish("lamp/state", "ON")
    garage.publish("garage/door/state", "marker")
    wait(lambda: hub.seen("garage/door/state") == [b"marker"])
    assert hub.seen("lamp/state") == []


def test_a_device_cannot_read_the_cars_topics(locked_broker: LockedBroker) -> None:
    garage = locked_broker.login("garage")
    garage.subscribe("homebound/#", "garage/door/set")
    hub = locked_broker.login("homebound")
    hub.publish("homebound/car1/location", '{"latitude": 48.1}')
    hub.publish("garage/door/set", "OPEN")
    wait(lambda: garage.seen("garage/door/set") == [b"OPEN"])
    assert garage.seen("homebound/car1/location") == []


def test_anonymous_clients_are_refused(locked_broker: LockedBroker) -> None:
    _peer, code = locked_broker.connect(None)
    assert code.is_failure and code.getName() == "Not authorized"


def test_a_wrong_password_is_refused(locked_broker: LockedBroker) -> None:
    _peer, code = locked_broker.connect("garage", "not-the-password")
    assert code.is_failure


def test_the_hub_runs_on_the_locked_broker_with_its_generated_login(tmp_path: Path,
                                                                    locked_broker: LockedBroker) -> None:
    topics = Topics("homeassistant", "homebound", "unused")
    login = f"homebound:{locked_broker.passwords['homebound']}"
    config = mqtt_config(tmp_path, topics, without_provider="wait").model_copy(update={"mqtt": MqttConfig(
        url=f"mqtt://{login}@127.0.0.1:{locked_broker.port}", discovery_prefix="homeassistant",
        base_topic="homebound", discovery_form="both")})
    home_assistant = locked_broker.login("homeassistant")
    home_assistant.subscribe("homeassistant/device/homebound_car1/config",
                             "homeassistant/lock/homebound_car1/lock/config")
    with live_server(config) as server:
        wait(lambda: home_assistant.seen("homeassistant/device/homebound_car1/config")
             and home_assistant.seen("homeassistant/lock/homebound_car1/lock/config"))
        garage = locked_broker.login("garage")
        garage.publish("homeassistant/cover/garage/door/config", GARAGE_DISCOVERY, retain=True)
        garage.publish("garage/door/state", "closed", retain=True)
        wait(lambda: server.run(server.runtime.hub.exists, "garage-1")
             and server.run(server.runtime.hub.read, "garage-1", "Cover.Door.State") is not None)
        garage.publish("homebound/car1/set/charge_limit", "50")
        home_assistant.publish("homebound/car1/set/charge_limit", "85")
        wait(lambda: server.run(server.runtime.hub.read_target, "car1", LIMIT) is not None)
        target = server.run(server.runtime.hub.read_target, "car1", LIMIT)
        assert target[0] == 85 and server.runtime.metrics()["mqtt"]["vehicle_commands"] == 1  # type: ignore[index]


LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


# ---- the files ---------------------------------------------------------------------------------------------

def test_the_password_file_is_mosquittos_format_7(tmp_path: Path) -> None:
    folder, result = generate(tmp_path)
    assert result.returncode == 0, result.stderr
    hashes = read_password_file((folder / "passwords").read_text())
    for user, password in kept_passwords(folder).items():
        assert hashes[user].startswith("$7$1000$") and check_password(hashes[user], password)


def test_a_password_file_written_by_mosquitto_passwd_reads_back(tmp_path: Path) -> None:
    if not shutil.which("mosquitto_passwd"):
        service_missing("mosquitto_passwd is not installed (apt-get install mosquitto)")
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(tmp_path / "pw"), "ana", "s3cret"], check=True,
                   capture_output=True)
    encoded = read_password_file((tmp_path / "pw").read_text())["ana"]
    assert check_password(encoded, "s3cret") and not check_password(encoded, "s3cret!")


def test_secrets_and_passwords_are_private_and_new_passwords_are_printed_once(tmp_path: Path) -> None:
    folder, first = generate(tmp_path)
    passwords = kept_passwords(folder)
    assert all(password in first.stdout for password in passwords.values())
    assert (folder / "secrets.yaml").stat().st_mode & 0o777 == 0o600
    assert (folder / "passwords").stat().st_mode & 0o777 == 0o600
    _folder, again = generate(tmp_path)
    assert kept_passwords(folder) == passwords
    assert not any(password in again.stdout for password in passwords.values())


def test_rotate_makes_a_new_password_for_one_account_only(tmp_path: Path) -> None:
    folder, _ = generate(tmp_path)
    before = kept_passwords(folder)
    _folder, result = generate(tmp_path, PLAN, "--rotate", "garage")
    after = kept_passwords(folder)
    assert after["garage"] != before["garage"] and after["garage"] in result.stdout
    assert {k: v for k, v in after.items() if k != "garage"} == {k: v for k, v in before.items() if k != "garage"}


def test_the_acl_gives_anonymous_clients_nothing_and_turns_them_away(tmp_path: Path) -> None:
    folder, _ = generate(tmp_path)
    acl = (folder / "acl").read_text()
    rules = [line for line in acl.splitlines() if line and not line.startswith("#")]
    assert rules[0] == "user homebound"
    assert "allow_anonymous false" in (folder / "mosquitto.conf").read_text()


@pytest.mark.parametrize(("plan", "message"), [
    (PLAN.replace("publishes: [lamp/#", "publishes: [homebound/car1/set/lock"),
     "device 'lamp' would publish 'homebound/car1/set/lock', which overlaps 'homebound/#'"),
    (PLAN.replace("publishes: [lamp/#", "publishes: [garage/#"), "devices 'garage' and 'lamp' share topics"),
    (PLAN.replace("homeassistant/light/lamp/config", "homeassistant/sensor/homebound_car1/speed/config"),
     "overlaps 'homeassistant/+/homebound_car1/+/config'"),
    (PLAN.replace("commands: [lamp/set]", "commands: [homebound/car1/location]"), "would read"),
    (PLAN.replace("  - username: dashboard", "  - username: dashboard\n    write: ['#']"),
     "give it car_commands: true"),
    (PLAN.replace("username: lamp", "username: garage"), "repeated: garage"),
    (PLAN.replace("lamp/set]", '"lamp/set\\nuser evil\\ntopic readwrite #"]'), "control characters"),
    (PLAN.replace("lamp/set]", "lamp/#/set]"), "'#' must be a whole level, and the last"),
    (PLAN.replace("username: lamp", "username: 'lamp:x'"), "must be letters, digits"),
    ("[1, 2]", "a mapping"),
    ("devices: [{username: a, publishes: [x], extra: 1}]", "devices[0].extra"),
], ids=["device-as-car", "device-as-device", "device-as-car-discovery", "device-reads-car", "service-writes-car",
        "duplicate-user", "line-injection", "bad-wildcard", "bad-username", "not-a-mapping", "unknown-key"])
def test_a_plan_that_would_not_lock_the_broker_down_is_refused(tmp_path: Path, plan: str, message: str) -> None:
    folder, result = generate(tmp_path, plan)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split())
    assert not (folder / "acl").exists()


# ---- devices from a running hub ------------------------------------------------------------------------------

def test_devices_a_running_hub_discovered_are_added_and_a_hostile_one_left_out(
        tmp_path: Path, hub_server: LiveServer, topics: Topics) -> None:
    from tests.mqtt.conftest import MQTT_URL
    kettle = f"{topics.sim_root}/kettle"
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
    host, port = MQTT_URL.removeprefix("mqtt://").split(":")
    publisher.connect(host, int(port))
    publisher.loop_start()
    try:
        publisher.publish(f"{topics.prefix}/switch/kettle/config", (
            f'{{"stat_t": "{kettle}/state", "cmd_t": "{kettle}/set", "avty_t": "{kettle}/status", '
            '"dev": {"ids": ["kettle-42"]}}'), qos=1, retain=True).wait_for_publish(5)
        publisher.publish(f"{topics.prefix}/sensor/spoof/config", (
            f'{{"stat_t": "{topics.base}/car1/set/lock", "dev": {{"ids": ["spoofer"]}}}}'), qos=1,
            retain=True).wait_for_publish(5)
        wait(lambda: {d["id"] for d in httpx.get(f"{hub_server.base_url}/api/v1/devices").json()}
             >= {"kettle-42", "spoofer"})
        plan = f"base_topic: {topics.base}\ndiscovery_prefix: {topics.prefix}\n"
        folder, result = generate(tmp_path, plan, "--hub", hub_server.base_url)
    finally:
        publisher.loop_stop()
        publisher.disconnect()
    assert result.returncode == 0, result.stderr
    acl = (folder / "acl").read_text()
    kettle_rules = acl.split("user kettle-42\n")[1].split("\n\n")[0].splitlines()
    assert f"topic readwrite {kettle}/state" in kettle_rules and f"topic read {kettle}/set" in kettle_rules
    assert "user spoofer" not in acl
    assert "device spoofer left out" in result.stderr and "only the hub publishes the car's topics" in " ".join(
        result.stderr.split())
    assert set(kept_passwords(folder)) == {"homebound", "kettle-42"}


def test_the_plan_in_the_documentation_is_valid() -> None:
    from homebound.adapters.mqtt.acl import validate_plan
    from tests.conftest import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "security.md").read_text()
    block = text.split("```yaml\n# mqtt-plan.yaml\n", 1)[1].split("```", 1)[0]
    plan = validate_plan(yaml.safe_load(block), "docs/security.md")
    assert [d.username for d in plan.devices] == ["garage", "zigbee2mqtt"]
