"""tag: a tag scanner (NFC, RFID); each scan sets `Tag.<ObjectId>.LastScanned` to the tag's id, a device event
automations can use."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import NONE_PAYLOADS, SENSOR, Entity
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Tag(Entity):
    kind = "tag"
    required = (("topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("LastScanned", SENSOR, DataType.STRING, "id of the last tag scanned")]

    def build(self) -> None:
        path = self.path("LastScanned")
        self.route("topic", "value_template", lambda text: {} if text in NONE_PAYLOADS else {path: text[:200]},
                   path)
