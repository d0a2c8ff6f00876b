"""notify: a text message to the device (a phone, a display); done once published."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Notify(Entity):
    kind = "notify"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Message", ACTUATOR, DataType.STRING, "send a notification")]

    def build(self) -> None:
        self.encoder("Message", "command_topic", str, "command_template")
