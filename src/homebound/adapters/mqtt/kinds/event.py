"""event: something that happened (a doorbell ring, `cooking_finished`), one of its `event_types`."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity, PayloadError, json_object, strings_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Event(Entity):
    kind = "event"
    required = (("state_topic",), ("event_types",))

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("LastEvent", SENSOR, DataType.STRING, "last event",
                           allowed=strings_option(self.config.get("event_types")))]

    def build(self) -> None:
        last = self.path("LastEvent")

        def decode(text: str) -> dict[str, object]:
            document = json_object(text, last)
            if "event_type" not in document:
                raise PayloadError(f"{last}: event payload needs 'event_type'")
            return {last: str(document["event_type"])}

        self.route("state_topic", "value_template", decode, last)
