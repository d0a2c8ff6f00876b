"""light: on or off with a brightness; the default schema (a topic per property) and the JSON schema."""

from __future__ import annotations

import json

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, json_object, number_option, topic_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Light(Entity):
    kind = "light"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", ACTUATOR, DataType.BOOLEAN, "on or off")]
        if self.config.get("brightness_command_topic") or self.config.get("brightness") is True or (
                self.config.get("schema") == "json" and _has_brightness(self.config.get("supported_color_modes"))):
            points.append(self.point("Brightness", ACTUATOR, DataType.UINT16, "brightness", min=0,
                                     max=int(number_option(self.config, "brightness_scale", 255))))
        return points

    def build(self) -> None:
        if self.config.get("schema") == "json":
            self._json()
            return
        self.on_off("State", state_key="state_value_template")
        self.number_route("Brightness", "brightness_state_topic", "brightness_value_template", integer=True)
        self.encoder("Brightness", "brightness_command_topic", lambda v: str(int(v)),  # type: ignore[call-overload]
                     "brightness_command_template")

    def _json(self) -> None:
        state, brightness = self.path("State"), self.path("Brightness")

        def decode(text: str) -> dict[str, object]:
            document = json_object(text, state)
            out: dict[str, object] = {}
            if "state" in document:
                out[state] = str(document["state"]).upper() == "ON"
            if document.get("brightness") is not None:
                out[brightness] = document["brightness"]
            return out

        self.route("state_topic", None, decode, state, brightness)
        topic = topic_option(self.config, "command_topic")
        if topic is not None:
            self.encoder_raw("State", lambda v: [(topic, json.dumps({"state": "ON" if v else "OFF"}))])
            self.encoder_raw("Brightness", lambda v: [(topic, json.dumps({"state": "ON", "brightness": v}))])


def _has_brightness(modes: object) -> bool:
    return isinstance(modes, list) and any(mode != "onoff" for mode in modes)
