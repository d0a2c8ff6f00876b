"""fan: on or off, a speed in percent, a preset mode."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, strings_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Fan(Entity):
    kind = "fan"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", ACTUATOR, DataType.BOOLEAN, "on or off")]
        if self.config.get("percentage_command_topic"):
            points.append(self.point("Percentage", ACTUATOR, DataType.UINT8, "speed", unit="percent", min=0,
                                     max=100))
        presets = strings_option(self.config.get("preset_modes"))
        if presets:
            points.append(self.point("PresetMode", ACTUATOR, DataType.STRING, "preset mode", allowed=presets))
        return points

    def build(self) -> None:
        self.on_off("State", state_key="state_value_template", command_template="command_template")
        self.number_route("Percentage", "percentage_state_topic", "percentage_value_template", integer=True)
        self.encoder("Percentage", "percentage_command_topic", str, "percentage_command_template")
        self.text_route("PresetMode", "preset_mode_state_topic", "preset_mode_value_template")
        self.encoder("PresetMode", "preset_mode_command_topic", str, "preset_mode_command_template")
