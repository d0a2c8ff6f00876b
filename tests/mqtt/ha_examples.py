"""Home Assistant's own documented examples, one per MQTT component, as test fixtures.

Each `config` is the example of the component's page in home-assistant/home-assistant.io
(`source/_integrations/<component>.mqtt.markdown`, section named in `source`), written as the discovery payload
that the YAML describes (discovery takes the same keys). Topics are the documentation's; the tests put them under
a prefix of their own. `states` are what the device publishes (the documentation's payloads where it gives one),
`expect` the datapoints the hub should then hold, `command` one command and `sent` what must reach the device,
and `reply` the device's answer that confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@dataclass(frozen=True)
class Example:
    kind: str
    source: str
    config: dict[str, object]
    states: list[tuple[str, str | bytes]] = field(default_factory=list)
    expect: dict[str, object] = field(default_factory=dict)
    command: tuple[str, object] | None = None
    sent: tuple[str, str] | None = None
    reply: list[tuple[str, str]] = field(default_factory=list)
    object_id: str = "example"


EXAMPLES: list[Example] = [
    Example(
        "alarm_control_panel", "Examples > Configuration with partial feature support",
        {"name": "Alarm Panel", "supported_features": ["arm_home", "arm_away"], "state_topic": "alarmdecoder/panel",
         "command_topic": "alarmdecoder/panel/set"},
        states=[("alarmdecoder/panel", "disarmed")],
        expect={"AlarmControlPanel.Example.State": "disarmed"},
        command=("AlarmControlPanel.Example.Command", "arm_away"), sent=("alarmdecoder/panel/set", "ARM_AWAY"),
        reply=[("alarmdecoder/panel", "armed_away")]),
    Example(
        "camera", "Configuration (mosquitto_pub -f <camera_image.jpg>)",
        {"topic": "zanzito/shared_locations/my-device"},
        states=[("zanzito/shared_locations/my-device", PNG_1X1)],
        expect={"Camera.Example.Image": "sha256:"}),
    Example(
        "device_automation", "Example > Left arrow click configuration",
        {"automation_type": "trigger", "type": "action", "subtype": "arrow_left_click", "payload": "arrow_left_click",
         "topic": "zigbee2mqtt/0x90fd9ffffedf1266/action",
         "device": {"identifiers": ["zigbee2mqtt_0x90fd9ffffedf1266"], "name": "0x90fd9ffffedf1266",
                    "sw_version": "Zigbee2MQTT 1.14.0", "model": "TRADFRI remote control (E1524/E1810)",
                    "manufacturer": "IKEA"}},
        states=[("zigbee2mqtt/0x90fd9ffffedf1266/action", "arrow_left_click")],
        expect={"DeviceAutomation.ActionArrowLeftClick.LastEvent": "action.arrow_left_click"},
        object_id="action_arrow_left_click"),
    Example(
        "humidifier", "Examples > Full configuration",
        {"name": "Bedroom humidifier", "device_class": "humidifier", "state_topic": "bedroom_humidifier/on/state",
         "action_topic": "bedroom_humidifier/action", "command_topic": "bedroom_humidifier/on/set",
         "current_humidity_topic": "bedroom_humidifier/humidity/current",
         "target_humidity_command_topic": "bedroom_humidifier/humidity/set",
         "target_humidity_state_topic": "bedroom_humidifier/humidity/state",
         "mode_state_topic": "bedroom_humidifier/mode/state",
         "mode_command_topic": "bedroom_humidifier/preset/preset_mode",
         "modes": ["normal", "eco", "away", "boost", "comfort", "home", "sleep", "auto", "baby"], "qos": 0,
         "payload_on": "true", "payload_off": "false", "min_humidity": 30, "max_humidity": 80},
        states=[("bedroom_humidifier/on/state", "true"), ("bedroom_humidifier/humidity/current", "41"),
                ("bedroom_humidifier/humidity/state", "50"), ("bedroom_humidifier/mode/state", "eco"),
                ("bedroom_humidifier/action", "humidifying")],
        expect={"Humidifier.Example.State": True, "Humidifier.Example.CurrentHumidity": 41.0,
                "Humidifier.Example.TargetHumidity": 50.0, "Humidifier.Example.Mode": "eco",
                "Humidifier.Example.Action": "humidifying"},
        command=("Humidifier.Example.TargetHumidity", 60), sent=("bedroom_humidifier/humidity/set", "60"),
        reply=[("bedroom_humidifier/humidity/state", "60")]),
    Example(
        "image", "Example receiving images from a file",
        {"image_topic": "mynas/status/file", "content_type": "image/png"},
        states=[("mynas/status/file", PNG_1X1)],
        expect={"Image.Example.Image": "sha256:"}),
    Example(
        "lawn_mower", "Example (a single command topic with a command template)",
        {"name": "Lawn Mower Plus", "activity_state_topic": "lawn_mower_plus/state",
         "activity_value_template": "{{ value_json.activity }}", "pause_command_topic": "lawn_mower_plus/set",
         "pause_command_template": '{"activity": "{{ value }}"}', "dock_command_topic": "lawn_mower_plus/set",
         "dock_command_template": '{"activity": "{{ value }}"}', "start_mowing_command_topic": "lawn_mower_plus/set",
         "start_mowing_command_template": '{"activity": "{{ value }}"}', "stop_command_topic": "lawn_mower_plus/set",
         "stop_command_template": '{"activity": "{{ value }}"}'},
        states=[("lawn_mower_plus/state", '{"activity": "docked"}')],
        expect={"LawnMower.Example.Activity": "docked", "LawnMower.Example.Command": "dock"},
        command=("LawnMower.Example.Command", "start_mowing"),
        sent=("lawn_mower_plus/set", '{"activity": "start_mowing"}'),
        reply=[("lawn_mower_plus/state", '{"activity": "mowing"}')]),
    Example(
        "scene", "Examples > Full configuration",
        {"unique_id": "living_room_party_scene", "name": "Living Room Party Scene",
         "command_topic": "home/living_room/party_scene/set",
         "availability": [{"topic": "home/living_room/party_scene/available"}], "payload_on": "ON", "qos": 0,
         "retain": True},
        states=[("home/living_room/party_scene/available", "online")],
        command=("Scene.Example.Activate", "ON"), sent=("home/living_room/party_scene/set", "ON")),
    Example(
        "siren", "Examples > Full configuration",
        {"unique_id": "custom_siren", "name": "Intrusion siren", "state_topic": "home/alarm/siren1",
         "command_topic": "home/alarm/siren1/set", "available_tones": ["ping", "siren"],
         "availability": [{"topic": "home/alarm/siren1/available"}], "payload_on": "ON", "payload_off": "OFF",
         "state_on": "ON", "state_off": "OFF", "optimistic": False, "qos": 0, "retain": True},
        states=[("home/alarm/siren1/available", "online"), ("home/alarm/siren1", "OFF")],
        expect={"Siren.Example.State": False},
        command=("Siren.Example.State", True), sent=("home/alarm/siren1/set", '{"state": "ON"}'),
        reply=[("home/alarm/siren1", "ON")]),
    Example(
        "tag", "Examples > Full configuration with tag ID extracted from JSON data",
        {"topic": "0AFFD2/tag_scanned", "value_template": "{{ value_json.PN532.UID }}"},
        states=[("0AFFD2/tag_scanned", '{"Time":"2020-09-28T17:02:10","PN532":{"UID":"E9F35959", '
                                       '"DATA":"ILOVETASMOTA"}}')],
        expect={"Tag.0AFFD2.LastScanned": "E9F35959"}, object_id="0AFFD2"),
    Example(
        "text", "Examples (Remote LCD screen)",
        {"name": "Remote LCD screen", "icon": "mdi:ab-testing", "mode": "text", "command_topic": "txt/cmd",
         "state_topic": "txt/state", "min": 2, "max": 20},
        states=[("txt/state", "Welcome home")],
        expect={"Text.Example.Value": "Welcome home"},
        command=("Text.Example.Value", "Dinner at 7"), sent=("txt/cmd", "Dinner at 7"),
        reply=[("txt/state", "Dinner at 7")]),
    Example(
        "update", "Examples (Shelly Gen1 firmware update)",
        {"name": "Shelly Plug S Firmware Update", "title": "Shelly Plug S Firmware",
         "release_url": "https://shelly-api-docs.shelly.cloud/gen1/#changelog",
         "entity_picture": "https://brands.home-assistant.io/_/shelly/icon.png",
         "state_topic": "shellies/shellyplug-s-112233/info",
         "value_template": "{{ value_json['update'].old_version }}",
         "latest_version_topic": "shellies/shellyplug-s-112233/info",
         "latest_version_template": "{{ value_json['update'].new_version }}", "device_class": "firmware",
         "command_topic": "shellies/shellyplug-s-112233/command", "payload_install": "update_fw"},
        states=[("shellies/shellyplug-s-112233/info",
                 '{"update": {"old_version": "1.14.0", "new_version": "1.14.1"}}')],
        expect={"Update.Example.InstalledVersion": "1.14.0", "Update.Example.LatestVersion": "1.14.1"},
        command=("Update.Example.Install", "INSTALL"), sent=("shellies/shellyplug-s-112233/command", "update_fw"),
        reply=[("shellies/shellyplug-s-112233/info",
                '{"update": {"old_version": "1.14.1", "new_version": "1.14.1"}}')]),
    Example(
        "vacuum", "Configuration example, with the state topic of MQTT Protocol > Status/Sensor Updates",
        {"name": "MQTT Vacuum", "supported_features": ["start", "pause", "stop", "return_home", "status", "locate",
                                                       "clean_spot", "fan_speed", "send_command"],
         "command_topic": "vacuum/command", "state_topic": "vacuum/state",
         "clean_segments_command_topic": "vacuum/clean_segments", "set_fan_speed_topic": "vacuum/set_fan_speed",
         "fan_speed_list": ["min", "medium", "high", "max"], "send_command_topic": "vacuum/send_command"},
        states=[("vacuum/state", '{"state": "docked", "fan_speed": "off", "segments": {"1": "Kitchen", '
                                 '"2": "Living room"}}')],
        expect={"Vacuum.Example.State": "docked", "Vacuum.Example.Command": "return_to_base"},
        command=("Vacuum.Example.Command", "start"), sent=("vacuum/command", "start"),
        reply=[("vacuum/state", '{"state": "cleaning", "fan_speed": "medium"}')]),
    Example(
        "valve", "Examples > Full configuration for a value that does not report position",
        {"name": "MQTT valve", "command_template": '{"x": {{ value }} }', "command_topic": "heater/valve/set",
         "state_topic": "heater/valve/state", "availability": [{"topic": "heater/valve/availability"}], "qos": 0,
         "reports_position": False, "retain": True, "payload_open": "OPEN", "payload_close": "CLOSE",
         "payload_stop": "STOP", "state_open": "open", "state_opening": "opening", "state_closed": "closed",
         "state_closing": "closing", "payload_available": "online", "payload_not_available": "offline",
         "optimistic": False, "value_template": "{{ value_json.x }}"},
        states=[("heater/valve/availability", "online"), ("heater/valve/state", '{"x": "closed"}')],
        expect={"Valve.Example.State": "closed", "Valve.Example.Command": "CLOSE"},
        command=("Valve.Example.Command", "OPEN"), sent=("heater/valve/set", '{"x": OPEN }'),
        reply=[("heater/valve/state", '{"x": "opening"}'), ("heater/valve/state", '{"x": "open"}')]),
    Example(
        "water_heater", "Example (a full configuration)",
        {"name": "Boiler", "modes": ["off", "eco", "performance"], "mode_state_topic": "basement/boiler/mode",
         "mode_command_topic": "basement/boiler/mode/set",
         "mode_command_template": '{{ value if value=="off" else "on" }}',
         "temperature_state_topic": "basement/boiler/temperature",
         "temperature_command_topic": "basement/boiler/temperature/set",
         "current_temperature_topic": "basement/boiler/current_temperature", "precision": 1.0},
        states=[("basement/boiler/mode", "eco"), ("basement/boiler/temperature", "55"),
                ("basement/boiler/current_temperature", "48.5")],
        expect={"WaterHeater.Example.Mode": "eco", "WaterHeater.Example.TargetTemperature": 55.0,
                "WaterHeater.Example.CurrentTemperature": 48.5},
        command=("WaterHeater.Example.TargetTemperature", 58), sent=("basement/boiler/temperature/set", "58"),
        reply=[("basement/boiler/temperature", "58")]),
    # Kinds the hub understood before, with their pages' examples, so every commandable kind is exercised here.
    Example(
        "lock", "Examples > Full configuration",
        {"name": "Frontdoor", "state_topic": "home-assistant/frontdoor/state",
         "command_topic": "home-assistant/frontdoor/set",
         "availability": [{"topic": "home-assistant/frontdoor/available"}],
         "payload_lock": "LOCK", "payload_unlock": "UNLOCK", "state_locked": "LOCK", "state_unlocked": "UNLOCK",
         "state_locking": "LOCKING", "state_unlocking": "UNLOCKING", "state_jammed": "MOTOR_JAMMED",
         "state_ok": "MOTOR_OK", "optimistic": False, "qos": 1, "retain": True},
        states=[("home-assistant/frontdoor/available", "online"), ("home-assistant/frontdoor/state", "UNLOCK")],
        expect={"Lock.Example.IsLocked": False},
        command=("Lock.Example.IsLocked", True), sent=("home-assistant/frontdoor/set", "LOCK"),
        reply=[("home-assistant/frontdoor/state", "LOCKING"), ("home-assistant/frontdoor/state", "LOCK")]),
    Example(
        "fan", "Examples > Full configuration",
        {"name": "Bedroom Fan", "state_topic": "bedroom_fan/on/state", "command_topic": "bedroom_fan/on/set",
         "direction_state_topic": "bedroom_fan/direction/state",
         "direction_command_topic": "bedroom_fan/direction/set",
         "oscillation_state_topic": "bedroom_fan/oscillation/state",
         "oscillation_command_topic": "bedroom_fan/oscillation/set",
         "percentage_state_topic": "bedroom_fan/speed/percentage_state",
         "percentage_command_topic": "bedroom_fan/speed/percentage",
         "preset_mode_state_topic": "bedroom_fan/preset/preset_mode_state",
         "preset_mode_command_topic": "bedroom_fan/preset/preset_mode",
         "preset_modes": ["auto", "smart", "whoosh", "eco", "breeze"], "qos": 0, "payload_on": "true",
         "payload_off": "false", "payload_oscillation_on": "true", "payload_oscillation_off": "false",
         "speed_range_min": 1, "speed_range_max": 100},
        states=[("bedroom_fan/on/state", "false")], expect={"Fan.Example.State": False},
        command=("Fan.Example.State", True), sent=("bedroom_fan/on/set", "true"),
        reply=[("bedroom_fan/on/state", "true")]),
    Example(
        "number", "Configuration (command and state topics)",
        {"command_topic": "number/set", "state_topic": "number/state", "min": 0, "max": 10},
        states=[("number/state", "3")], expect={"Number.Example.Value": 3.0},
        command=("Number.Example.Value", 7), sent=("number/set", "7"), reply=[("number/state", "7")]),
    Example(
        "climate", "Example (a full configuration)",
        {"name": "Study", "modes": ["off", "cool", "fan_only"], "mode_state_topic": "study/ac/mode",
         "mode_command_topic": "study/ac/mode/set", "temperature_command_topic": "study/ac/temperature/set",
         "temperature_state_topic": "study/ac/temperature", "current_temperature_topic": "study/ac/current",
         "precision": 1.0},
        states=[("study/ac/mode", "off"), ("study/ac/current", "27.5")],
        expect={"Climate.Example.Mode": "off", "Climate.Example.CurrentTemperature": 27.5},
        command=("Climate.Example.Mode", "cool"), sent=("study/ac/mode/set", "cool"),
        reply=[("study/ac/mode", "cool")]),
]

BY_KIND = {example.kind: example for example in EXAMPLES}
