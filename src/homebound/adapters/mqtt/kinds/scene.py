"""scene: activate a scene the device knows (a light group's "party"); done once published."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Scene(Entity):
    kind = "scene"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Activate", ACTUATOR, DataType.STRING, "activate the scene", allowed=("ON",))]

    def build(self) -> None:
        payload = text_option(self.config, "payload_on", "ON")
        self.encoder("Activate", "command_topic", lambda _v: payload)
