"""device_tracker: where a phone or tag is: latitude, longitude, accuracy, and a zone name."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import SENSOR, Entity, json_object, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class DeviceTracker(Entity):
    kind = "device_tracker"
    required = (("state_topic", "json_attributes_topic"),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("Latitude", SENSOR, DataType.DOUBLE, "latitude", unit="degrees", min=-90, max=90),
                self.point("Longitude", SENSOR, DataType.DOUBLE, "longitude", unit="degrees", min=-180, max=180),
                self.point("GpsAccuracy", SENSOR, DataType.FLOAT, "position accuracy", unit="m", min=0),
                self.point("State", SENSOR, DataType.STRING, "zone name, home or not_home")]

    def build(self) -> None:
        state = self.path("State")
        home = text_option(self.config, "payload_home", "home")
        away = text_option(self.config, "payload_not_home", "not_home")
        self.route("state_topic", "value_template",
                   lambda t: {state: "home" if t == home else "not_home" if t == away else t}, state)
        latitude, longitude, accuracy = self.path("Latitude"), self.path("Longitude"), self.path("GpsAccuracy")

        def attributes(text: str) -> dict[str, object]:
            document = json_object(text, self.base)
            out: dict[str, object] = {}
            for key, path in (("latitude", latitude), ("longitude", longitude), ("gps_accuracy", accuracy)):
                if key in document:
                    out[path] = document[key]
            return out

        self.route("json_attributes_topic", "json_attributes_template", attributes, latitude, longitude, accuracy)
