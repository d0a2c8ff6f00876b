"""water_heater: a boiler or heat pump water heater: mode, target and measured temperature, power.

`value_template` is the default template of every `*_state_topic`, as Home Assistant reads it. Power has no
state topic of its own: it is confirmed by the mode (on is any mode but `off`).
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import (
    ACTUATOR,
    NONE_PAYLOADS,
    SENSOR,
    Entity,
    number_option,
    plain,
    strings_option,
    temperature_unit,
    text_option,
    topic_option,
)
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

MODES = ("off", "eco", "electric", "gas", "heat_pump", "high_demand", "performance")


class WaterHeater(Entity):
    kind = "water_heater"
    required = ()

    def datapoints(self) -> list[SignalMetadata]:
        unit = temperature_unit(self.config)
        low, high = (110.0, 140.0) if unit == "Fahrenheit" else (43.3, 60.0)
        points = [self.point("Mode", ACTUATOR, DataType.STRING, "operation mode",
                             allowed=strings_option(self.config.get("modes"), MODES)),
                  self.point("TargetTemperature", ACTUATOR, DataType.FLOAT, "water temperature set point",
                             unit=unit, min=number_option(self.config, "min_temp", low),
                             max=number_option(self.config, "max_temp", high))]
        if self.config.get("current_temperature_topic"):
            points.append(self.point("CurrentTemperature", SENSOR, DataType.FLOAT, "water temperature", unit=unit))
        if self.config.get("power_command_topic"):
            points.append(self.point("Power", ACTUATOR, DataType.BOOLEAN, "on or off"))
        return points

    def build(self) -> None:
        mode, power = self.path("Mode"), self.path("Power")
        has_power = topic_option(self.config, "power_command_topic") is not None

        def decode_mode(text: str) -> dict[str, object]:
            if text in NONE_PAYLOADS:
                return {}
            out: dict[str, object] = {mode: text}
            if has_power:
                out[power] = text != "off"
            return out

        self.route("mode_state_topic", "mode_state_template", decode_mode, mode, power,
                   default_template_key="value_template")
        self.encoder("Mode", "mode_command_topic", str, "mode_command_template")
        self.number_route("TargetTemperature", "temperature_state_topic", "temperature_state_template",
                          default_template_key="value_template")
        self.encoder("TargetTemperature", "temperature_command_topic", plain, "temperature_command_template")
        self.number_route("CurrentTemperature", "current_temperature_topic", "current_temperature_template",
                          default_template_key="value_template")
        on = text_option(self.config, "payload_on", "ON")
        off = text_option(self.config, "payload_off", "OFF")
        self.encoder("Power", "power_command_topic", lambda v: on if v else off, "power_command_template",
                     lambda v: {"value": on if v else off})
