"""vacuum: a robot vacuum: its state, start/pause/stop/return to base, fan speed, battery.

The state topic carries JSON (`state`, `fan_speed`, and `battery_level` from vacuums that still send it). A
command is confirmed when the state shows it: `start` by `cleaning`, `pause` by `paused`, `stop` by `idle`,
`return_to_base` by `docked`; `locate` and `clean_spot` are done once sent.
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import (
    ACTUATOR,
    SENSOR,
    Entity,
    PayloadError,
    json_object,
    strings_option,
    text_option,
)
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

STATES = ("cleaning", "docked", "paused", "idle", "returning", "error")
DEFAULT_FEATURES = ("start", "stop", "return_home", "status", "clean_spot")
# command -> (payload option, the feature that offers it, the state that confirms it)
COMMANDS = {
    "start": ("payload_start", "start", "cleaning"),
    "pause": ("payload_pause", "pause", "paused"),
    "stop": ("payload_stop", "stop", "idle"),
    "return_to_base": ("payload_return_to_base", "return_home", "docked"),
    "clean_spot": ("payload_clean_spot", "clean_spot", None),
    "locate": ("payload_locate", "locate", None),
}


class Vacuum(Entity):
    kind = "vacuum"
    required = (("command_topic", "state_topic"),)

    @property
    def features(self) -> tuple[str, ...]:
        return strings_option(self.config.get("supported_features"), DEFAULT_FEATURES)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", SENSOR, DataType.STRING, "what it is doing", allowed=STATES),
                  self.point("Battery", SENSOR, DataType.UINT8, "battery level", unit="percent", min=0, max=100)]
        offered = tuple(name for name, spec in COMMANDS.items() if spec[1] in self.features)
        if self.config.get("command_topic") and offered:
            points.append(self.point("Command", ACTUATOR, DataType.STRING, "start, pause, stop, return to base",
                                     allowed=offered))
        speeds = strings_option(self.config.get("fan_speed_list"))
        if speeds:
            points.append(self.point("FanSpeed", ACTUATOR if self.config.get("set_fan_speed_topic") else SENSOR,
                                     DataType.STRING, "fan speed", allowed=speeds))
        return points

    def build(self) -> None:
        state, battery = self.path("State"), self.path("Battery")
        command, fan_speed = self.path("Command"), self.path("FanSpeed")
        confirms = {spec[2]: name for name, spec in COMMANDS.items() if spec[2]}
        has_speeds = bool(strings_option(self.config.get("fan_speed_list")))

        def decode(text: str) -> dict[str, object]:
            document = json_object(text, state)
            out: dict[str, object] = {}
            current = document.get("state")
            if current is not None:
                if current not in STATES:
                    raise PayloadError(f"{state}: {str(current)[:80]!r} is not one of {', '.join(STATES)}")
                out[state] = current
                if current in confirms:
                    out[command] = confirms[str(current)]
            if document.get("battery_level") is not None:
                out[battery] = document["battery_level"]
            if has_speeds and isinstance(document.get("fan_speed"), str):
                out[fan_speed] = document["fan_speed"]
            return out

        self.route("state_topic", None, decode, state, battery, command, fan_speed)
        payloads = {name: text_option(self.config, spec[0], name) for name, spec in COMMANDS.items()}
        self.encoder("Command", "command_topic", lambda v: payloads[str(v)])
        self.encoder("FanSpeed", "set_fan_speed_topic", str)

    def confirmed_when_sent(self, path: str, value: object) -> bool:
        if path == self.path("Command") and value in ("locate", "clean_spot"):
            return True
        return super().confirmed_when_sent(path, value)
