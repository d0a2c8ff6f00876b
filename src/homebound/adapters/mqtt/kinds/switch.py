"""switch: a relay or plug, on or off."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Switch(Entity):
    kind = "switch"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("State", ACTUATOR, DataType.BOOLEAN, "on or off")]

    def build(self) -> None:
        self.on_off("State")
