"""device_automation: a device trigger (a remote's button press) that automations can use as a device event.

Each trigger config (`type`, `subtype`, optionally the `payload` to match) becomes a datapoint
`DeviceAutomation.<ObjectId>.LastEvent` whose value is `<type>.<subtype>` each time the trigger fires, so a
`device_event` trigger on it (with or without `event_type`) runs an automation on every press.
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class DeviceAutomation(Entity):
    kind = "device_automation"
    required = (("topic",), ("type",), ("subtype",))

    @property
    def event_type(self) -> str:
        return f"{str(self.config.get('type'))[:100]}.{str(self.config.get('subtype'))[:100]}"

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("LastEvent", SENSOR, DataType.STRING, "device trigger fired",
                           allowed=(self.event_type,))]

    def build(self) -> None:
        path = self.path("LastEvent")
        wanted = self.config.get("payload")
        event = self.event_type

        def decode(text: str) -> dict[str, object]:
            if wanted is not None and text != str(wanted):
                return {}  # another trigger of the same topic
            return {path: event}

        self.route("topic", "value_template", decode, path)
