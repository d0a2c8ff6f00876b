"""image: a picture from `image_topic` (kept aside, referenced by hash as a camera's is) or a URL from
`url_topic` (the URL itself is the reference)."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity
from homebound.adapters.mqtt.kinds.images import picture_decoder
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Image(Entity):
    kind = "image"
    required = (("image_topic", "url_topic"),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Image", SENSOR, DataType.STRING, "reference to the last picture (hash or URL)")]

    def build(self) -> None:
        self.raw_route("image_topic", picture_decoder(self, "Image", "image/jpeg"), self.path("Image"))
        self.text_route("Image", "url_topic", "url_template")
