"""Home Assistant discovery messages, as the documentation writes them, become components; bad ones are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homebound.adapters.mqtt.discovery import DiscoveryError, parse_discovery

HA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ha-discovery"


def example(name: str) -> dict[str, object]:
    path = HA_DIR / name
    if not path.exists():
        pytest.skip(f"the Home Assistant examples are not at {HA_DIR}")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_device_based_example_from_the_documentation() -> None:
    document = example("device_discovery_ha_docs.json")
    update = parse_discovery("homeassistant/device/kitchen01/config", json.dumps(document["payload"]).encode())
    assert [c.component for c in update.components] == ["sensor", "sensor"]
    temperature = update.components[0]
    assert temperature.discovery_id == "device/kitchen01/some_unique_component_id1"
    assert temperature.config["state_topic"] == "sensorBedroom/state"  # shared by the device message
    assert temperature.config["qos"] == 2
    assert temperature.config["unit_of_measurement"] == "°C"
    assert temperature.unique_id == "temp01ae_t"
    assert temperature.device["manufacturer"] == "Bla electronics" and temperature.device["model"] == "xya"
    assert temperature.device_id == "ea334450945afc"
    assert temperature.origin["support_url"] == "https://bla2mqtt.example.com/support"


def test_device_tracker_example_from_the_documentation() -> None:
    document = example("device_tracker_ha_docs.json")
    update = parse_discovery(str(document["topic"]), json.dumps(document["payload"]).encode())
    tracker = update.components[0]
    assert tracker.component == "device_tracker" and tracker.object_id == "a4567d663eaf"
    assert tracker.config["json_attributes_topic"] == "homeassistant/device_tracker/a4567d663eaf/location_attrs"


def test_abbreviations_base_topic_and_availability_list() -> None:
    payload = {
        "~": "zigbee2mqtt/purifier", "name": "Purifier", "uniq_id": "purifier_power", "stat_t": "~/state",
        "cmd_t": "~/set", "pl_on": "ON", "pl_off": "OFF", "val_tpl": "{{ value_json.state }}",
        "avty": [{"t": "zigbee2mqtt/bridge/state"}, {"topic": "~/availability", "pl_avail": "up"}],
        "avty_mode": "all", "dev": {"ids": ["0x00158d0001"], "mf": "Xiaomi", "mdl": "Air Purifier 4"},
        "some_future_key": 1,
    }
    update = parse_discovery("homeassistant/switch/purifier/power/config", json.dumps(payload).encode())
    switch = update.components[0]
    assert switch.discovery_id == "switch/purifier/power"
    assert switch.config["state_topic"] == "zigbee2mqtt/purifier/state"
    assert switch.config["command_topic"] == "zigbee2mqtt/purifier/set"
    assert switch.config["value_template"] == "{{ value_json.state }}"
    assert [a.topic for a in switch.availability] == ["zigbee2mqtt/bridge/state", "zigbee2mqtt/purifier/availability"]
    assert switch.availability[1].payload_available == "up" and switch.availability_mode == "all"
    assert switch.device_id == "0x00158d0001" and switch.device["manufacturer"] == "Xiaomi"
    assert switch.config["some_future_key"] == 1


def test_empty_payload_removes() -> None:
    assert parse_discovery("homeassistant/switch/purifier/power/config", b"").removed == ("switch/purifier/power",)
    assert parse_discovery("homeassistant/device/kitchen01/config", b"").removed == ("device/kitchen01/",)


def test_device_component_with_only_its_platform_is_removed() -> None:
    payload = {"dev": {"ids": "x"}, "o": {"name": "z2m"}, "state_topic": "a/state",
               "cmps": {"temp": {"p": "sensor"}, "hum": {"p": "sensor", "unit_of_measurement": "%"}}}
    update = parse_discovery("homeassistant/device/x/config", json.dumps(payload).encode())
    assert update.removed == ("device/x/temp",)
    assert [c.object_id for c in update.components] == ["hum"]


@pytest.mark.parametrize(("topic", "payload", "reason"), [
    ("homeassistant/switch/a/config", b"{not json", "not valid JSON"),
    ("homeassistant/switch/a/config", b"[1]", "must be a JSON object"),
    ("homeassistant/switch/a/config", b'{"stat_t": "a/state"}', "missing required key 'command_topic'"),
    ("homeassistant/select/a/config", b'{"cmd_t": "a/set"}', "missing required key 'options'"),
    ("homeassistant/device_tracker/a/config", b'{"name": "x"}', "'state_topic' or 'json_attributes_topic'"),
    ("homeassistant/teleporter/a/config", b'{"cmd_t": "a"}', "component 'teleporter' is not supported"),
    ("homeassistant/device/a/config", b'{"cmps": {"x": {"p": "sensor", "stat_t": "s"}}}', "needs 'dev'"),
    ("homeassistant/device/a/config", b'{"dev": {"ids": "a"}, "cmps": {"x": {"stat_t": "s"}}}', "needs 'p'"),
    ("homeassistant/switch/a/config", b'{"cmd_t": "a", "avty_mode": "most"}', "availability_mode 'most'"),
    ("homeassistant/switch/a/config", b'{"cmd_t": "a", "avty": [{"pl_avail": "on"}]}', "needs a 'topic'"),
    ("homeassistant/switch/config", b"{}", "not a discovery topic"),
])
def test_bad_messages_name_the_topic_and_the_reason(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_discovery(topic, payload)
    assert reason in str(caught.value) and topic in str(caught.value)
