"""text: a text the device shows and takes (a display's message), `min`..`max` characters.

A config's `pattern` is left to the device to enforce: a regular expression from the network could be crafted
to backtrack for minutes, and the hub's loop serves everyone.
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, PayloadError, number_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

MAX_TEXT = 255


class Text(Entity):
    kind = "text"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Value", ACTUATOR, DataType.STRING, "text")]

    def build(self) -> None:
        path = self.path("Value")
        shortest = max(0, int(number_option(self.config, "min", 0)))
        longest = min(MAX_TEXT, int(number_option(self.config, "max", MAX_TEXT)))

        def check(text: str) -> str:
            if not shortest <= len(text) <= longest:
                raise PayloadError(f"{path}: text of {len(text)} characters is not within {shortest}..{longest}")
            return text

        self.route("state_topic", "value_template", lambda text: {path: check(text)}, path)
        self.encoder("Value", "command_topic", lambda v: check(str(v)), "command_template")
