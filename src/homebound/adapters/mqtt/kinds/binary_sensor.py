"""binary_sensor: a contact, a motion detector, a plug sensor: on or off, reported only."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class BinarySensor(Entity):
    kind = "binary_sensor"
    required = (("state_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("State", SENSOR, DataType.BOOLEAN, "on or off")]

    def build(self) -> None:
        self.on_off("State")
