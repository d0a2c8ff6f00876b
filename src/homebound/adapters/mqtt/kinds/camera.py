"""camera: a picture the device publishes; the hub keeps the last one aside and stores only a reference.

The datapoint `Image` holds `sha256:<first 16 hex digits>` of the last picture (so history records that a new
picture came, never the picture); the bridge serves the bytes themselves (`HomeAssistantDevices.image`).
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity
from homebound.adapters.mqtt.kinds.images import picture_decoder
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Camera(Entity):
    kind = "camera"
    required = (("topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Image", SENSOR, DataType.STRING, "reference to the last picture")]

    def build(self) -> None:
        self.raw_route("topic", picture_decoder(self, "Image", "image/jpeg"), self.path("Image"))
