"""number: a settable value within `min`..`max` (a charge limit, a keep-warm time)."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, number_option, plain
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Number(Entity):
    kind = "number"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        unit = self.config.get("unit_of_measurement")
        return [self.point("Value", ACTUATOR, DataType.DOUBLE, "value", unit=str(unit)[:40] if unit else None,
                           min=number_option(self.config, "min", 1), max=number_option(self.config, "max", 100))]

    def build(self) -> None:
        self.number_route("Value", "state_topic", "value_template")
        self.encoder("Value", "command_topic", plain, "command_template")
