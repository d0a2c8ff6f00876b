"""climate: an air conditioner or thermostat: HVAC mode, temperature set point, measured temperature."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import (
    ACTUATOR,
    SENSOR,
    Entity,
    number_option,
    strings_option,
    temperature_unit,
)
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

CLIMATE_MODES = ("auto", "off", "cool", "heat", "dry", "fan_only")


class Climate(Entity):
    kind = "climate"
    required = ()

    def datapoints(self) -> list[SignalMetadata]:
        unit = temperature_unit(self.config)
        points = [self.point("Mode", ACTUATOR, DataType.STRING, "HVAC mode",
                             allowed=strings_option(self.config.get("modes"), CLIMATE_MODES)),
                  self.point("TargetTemperature", ACTUATOR, DataType.FLOAT, "temperature set point", unit=unit,
                             min=number_option(self.config, "min_temp", 7),
                             max=number_option(self.config, "max_temp", 35))]
        if self.config.get("current_temperature_topic"):
            points.append(self.point("CurrentTemperature", SENSOR, DataType.FLOAT, "measured temperature",
                                     unit=unit))
        return points

    def build(self) -> None:
        self.text_route("Mode", "mode_state_topic", "mode_state_template")
        self.encoder("Mode", "mode_command_topic", str, "mode_command_template")
        self.number_route("TargetTemperature", "temperature_state_topic", "temperature_state_template")
        self.encoder("TargetTemperature", "temperature_command_topic", str, "temperature_command_template")
        self.number_route("CurrentTemperature", "current_temperature_topic", "current_temperature_template")
