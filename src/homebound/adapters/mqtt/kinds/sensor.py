"""sensor: a reading; a number when the config gives a unit or state class, else text."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import NONE_PAYLOADS, SENSOR, Entity, parse_number
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

NUMERIC_SENSOR_HINTS = ("unit_of_measurement", "state_class", "suggested_display_precision")


class Sensor(Entity):
    kind = "sensor"
    required = (("state_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        numeric = any(key in self.config for key in NUMERIC_SENSOR_HINTS)
        unit = self.config.get("unit_of_measurement")
        return [self.point("Value", SENSOR, DataType.DOUBLE if numeric else DataType.STRING, "reading",
                           unit=str(unit)[:40] if unit else None)]

    def build(self) -> None:
        value = self.path("Value")
        numeric = self.points[0].datatype.is_numeric

        def decode(text: str) -> dict[str, object]:
            if text in (*NONE_PAYLOADS, "unknown", "unavailable"):
                return {}
            return {value: parse_number(text, value) if numeric else text}

        self.route("state_topic", "value_template", decode, value)
