"""humidifier: a humidifier or dehumidifier: on or off, target humidity, mode, measured humidity, action."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, SENSOR, Entity, number_option, strings_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

ACTIONS = ("off", "humidifying", "drying", "idle")


class Humidifier(Entity):
    kind = "humidifier"
    required = (("command_topic",), ("target_humidity_command_topic",))

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", ACTUATOR, DataType.BOOLEAN, "on or off"),
                  self.point("TargetHumidity", ACTUATOR, DataType.FLOAT, "target humidity", unit="percent",
                             min=number_option(self.config, "min_humidity", 0),
                             max=number_option(self.config, "max_humidity", 100))]
        modes = strings_option(self.config.get("modes"))
        if modes and self.config.get("mode_command_topic"):
            points.append(self.point("Mode", ACTUATOR, DataType.STRING, "mode", allowed=modes))
        if self.config.get("current_humidity_topic"):
            points.append(self.point("CurrentHumidity", SENSOR, DataType.FLOAT, "measured humidity", unit="percent",
                                     min=0, max=100))
        if self.config.get("action_topic"):
            points.append(self.point("Action", SENSOR, DataType.STRING, "what it is doing", allowed=ACTIONS))
        return points

    def build(self) -> None:
        self.on_off("State", state_key="state_value_template", command_template="command_template")
        self.number_route("TargetHumidity", "target_humidity_state_topic", "target_humidity_state_template")
        self.encoder("TargetHumidity", "target_humidity_command_topic", _whole,
                     "target_humidity_command_template")
        self.text_route("Mode", "mode_state_topic", "mode_state_template")
        self.encoder("Mode", "mode_command_topic", str, "mode_command_template")
        self.number_route("CurrentHumidity", "current_humidity_topic", "current_humidity_template")
        self.text_route("Action", "action_topic", "action_template")


def _whole(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
