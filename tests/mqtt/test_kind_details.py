"""Details of the device kinds, from Home Assistant's documented examples, without a broker: what a payload
becomes and what a command publishes."""

from __future__ import annotations

import json

import pytest

from homebound.adapters.mqtt.discovery import parse_discovery
from homebound.adapters.mqtt.kinds import Entity, PayloadError, entity_for


def entity(kind: str, config: dict[str, object], object_id: str = "x") -> Entity:
    update = parse_discovery(f"homeassistant/{kind}/{object_id}/config", json.dumps(config).encode())
    return entity_for(update.components[0])


def state(item: Entity, topic: str, payload: str | bytes) -> dict[str, object]:
    out: dict[str, object] = {}
    for route in item.routes:
        if route.topic == topic:
            out.update(route.decode(payload.encode() if isinstance(payload, str) else payload))
    return out


def test_alarm_panel_remote_code_template_gets_action_and_code() -> None:
    # alarm_control_panel.mqtt: "Configurations with remote code validation"
    panel = entity("alarm_control_panel", {
        "name": "Alarm Panel With Numeric Keypad", "state_topic": "alarmdecoder/panel",
        "value_template": "{{ value_json.state }}", "command_topic": "alarmdecoder/panel/set", "code": "REMOTE_CODE",
        "command_template": '{ "action": "{{ action }}", "code": "{{ code }}" }'})
    [(topic, payload)] = panel.command("AlarmControlPanel.X.Command", "arm_night")
    assert topic == "alarmdecoder/panel/set" and json.loads(payload) == {"action": "ARM_NIGHT", "code": ""}
    assert state(panel, "alarmdecoder/panel", '{"state": "armed_night"}') == {
        "AlarmControlPanel.X.State": "armed_night", "AlarmControlPanel.X.Command": "arm_night"}


def test_alarm_panel_offers_only_its_supported_features() -> None:
    panel = entity("alarm_control_panel", {"state_topic": "a", "command_topic": "a/set",
                                           "supported_features": ["arm_home", "arm_away"]})
    command = next(p for p in panel.points if p.path.endswith("Command"))
    assert command.allowed == ("arm_home", "arm_away", "disarm")


def test_valve_reporting_position_scales_to_the_device_range() -> None:
    # valve.mqtt: "Sample configuration of a valve that reports the position", with the note's 40..140 range
    valve = entity("valve", {"name": "MQTT valve", "command_template": '{"x": {{ value }} }',
                             "command_topic": "heater/valve/set", "state_topic": "heater/valve/state",
                             "reports_position": True, "value_template": "{{ value_json.x }}",
                             "position_closed": 40, "position_open": 140})
    assert state(valve, "heater/valve/state", '{"x": 90}') == {"Valve.X.Position": 50, "Valve.X.State": "open",
                                                               "Valve.X.Command": "OPEN"}
    assert valve.command("Valve.X.Position", 40) == [("heater/valve/set", '{"x": 80 }')]
    assert state(valve, "heater/valve/state", '{"x": "closing"}') == {"Valve.X.State": "closing"}


def test_update_reads_the_documented_json_state_and_to_json_template() -> None:
    # update.mqtt: the JSON state example, and the `value_template ... | to_json` one
    plain = entity("update", {"name": "Amazing Device Update", "title": "Device Firmware",
                              "state_topic": "amazing-device/state-topic", "device_class": "firmware",
                              "command_topic": "amazing-device/command", "payload_install": "install"})
    document = {"installed_version": "1.21.0", "latest_version": "1.22.0", "title": "Device Firmware",
                "release_url": "https://example.com/release", "release_summary": "A new version",
                "entity_picture": "https://example.com/icon.png"}
    assert state(plain, "amazing-device/state-topic", json.dumps(document)) == {
        "Update.X.InstalledVersion": "1.21.0", "Update.X.LatestVersion": "1.22.0"}
    templated = entity("update", {"state_topic": "amazing-device/state-topic", "command_topic": "c",
                                  "value_template": "{{ {'installed_version': value_json.installed_ver, "
                                                    "'latest_version': value_json.new_ver } | to_json }}"})
    assert state(templated, "amazing-device/state-topic", '{"installed_ver": "2022.11", "new_ver": "2022.12"}') == {
        "Update.X.InstalledVersion": "2022.11", "Update.X.LatestVersion": "2022.12"}


def test_siren_tones_and_the_tasmota_relay_example() -> None:
    siren = entity("siren", {"state_topic": "s", "command_topic": "s/set", "available_tones": ["ping", "siren"]})
    assert siren.command("Siren.X.Tone", "ping") == [("s/set", '{"state": "ON", "tone": "ping"}')]
    assert state(siren, "s", '{"state": "ON", "tone": "siren"}') == {"Siren.X.State": True, "Siren.X.Tone": "siren"}
    # siren.mqtt: "On/Off only siren controlling a Tasmota relay"
    relay = entity("siren", {"unique_id": "tasmota_siren", "name": "garage", "state_topic": "stat/SIREN/RESULT",
                             "command_topic": "cmnd/SIREN/POWER", "availability_topic": "tele/SIREN/LWT",
                             "command_template": "{{ value }}", "state_value_template": "{{ value_json.POWER }}",
                             "payload_on": "ON", "payload_off": "OFF", "payload_available": "Online",
                             "payload_not_available": "Offline"})
    assert relay.command("Siren.X.State", False) == [("cmnd/SIREN/POWER", "OFF")]
    assert state(relay, "stat/SIREN/RESULT", '{"POWER": "ON"}') == {"Siren.X.State": True}


def test_image_from_a_url_keeps_the_url_as_its_reference() -> None:
    # image.mqtt: "Example receiving images from a URL"
    image = entity("image", {"url_topic": "mynas/status/url"})
    url = "https://design.home-assistant.io/images/logo.png"
    assert state(image, "mynas/status/url", url) == {"Image.X.Image": url}


def test_base64_camera_pictures_are_decoded_and_bad_base64_is_refused() -> None:
    camera = entity("camera", {"topic": "cam", "image_encoding": "b64"})
    [reference] = state(camera, "cam", "aGVsbG8=").values()
    assert camera.images["Camera.X.Image"].data == b"hello" and str(reference).startswith("sha256:")
    with pytest.raises(PayloadError, match="not base64"):
        state(camera, "cam", "***")


def test_device_trigger_fires_only_on_its_own_payload() -> None:
    # device_trigger.mqtt: the right arrow click shares the left one's topic
    right = entity("device_automation", {"automation_type": "trigger", "type": "action",
                                         "subtype": "arrow_right_click", "payload": "arrow_right_click",
                                         "topic": "zigbee2mqtt/0x90fd9ffffedf1266/action",
                                         "device": {"identifiers": ["zigbee2mqtt_0x90fd9ffffedf1266"]}},
                   "action_arrow_right_click")
    topic = "zigbee2mqtt/0x90fd9ffffedf1266/action"
    assert state(right, topic, "arrow_left_click") == {}
    assert state(right, topic, "arrow_right_click") == {
        "DeviceAutomation.ActionArrowRightClick.LastEvent": "action.arrow_right_click"}


def test_text_outside_its_length_is_refused_both_ways() -> None:
    text = entity("text", {"command_topic": "txt/cmd", "state_topic": "txt/state", "min": 2, "max": 20})
    with pytest.raises(PayloadError, match=r"not within 2\.\.20"):
        text.command("Text.X.Value", "x" * 21)
    with pytest.raises(PayloadError, match=r"not within 2\.\.20"):
        state(text, "txt/state", "x")


def test_lawn_mower_stop_is_done_once_sent() -> None:
    mower = entity("lawn_mower", {"activity_state_topic": "m/state", "stop_command_topic": "m/set",
                                  "dock_command_topic": "m/set"})
    assert mower.command("LawnMower.X.Command", "stop") == [("m/set", "stop")]
    assert mower.confirmed_when_sent("LawnMower.X.Command", "stop")
    assert not mower.confirmed_when_sent("LawnMower.X.Command", "dock")


def test_water_heater_power_is_confirmed_by_its_mode() -> None:
    heater = entity("water_heater", {"mode_state_topic": "b/mode", "mode_command_topic": "b/mode/set",
                                     "power_command_topic": "b/power", "value_template": "{{ value_json }}"})
    assert state(heater, "b/mode", '"off"') == {"WaterHeater.X.Mode": "off", "WaterHeater.X.Power": False}
    assert heater.command("WaterHeater.X.Power", True) == [("b/power", "ON")]
