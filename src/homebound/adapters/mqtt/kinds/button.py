"""button: a press that has no state (start the rice cooker); done once the press is published."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Button(Entity):
    kind = "button"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Press", ACTUATOR, DataType.STRING, "press the button", allowed=("PRESS",))]

    def build(self) -> None:
        press = text_option(self.config, "payload_press", "PRESS")
        self.encoder("Press", "command_topic", lambda _v: press, "command_template")
