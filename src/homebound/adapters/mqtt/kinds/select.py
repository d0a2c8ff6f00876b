"""select: one of a list of options (a purifier's mode, a rice cooker's program)."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, strings_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Select(Entity):
    kind = "select"
    required = (("command_topic",), ("options",))

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Option", ACTUATOR, DataType.STRING, "selected option",
                           allowed=strings_option(self.config.get("options")))]

    def build(self) -> None:
        self.text_route("Option", "state_topic", "value_template")
        self.encoder("Option", "command_topic", str, "command_template")
