"""cover: a garage door, blind or gate: its state, open/close/stop, and a position."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, SENSOR, Entity, PayloadError, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

COVER_STATES = ("open", "opening", "closed", "closing", "stopped")


class Cover(Entity):
    kind = "cover"
    required = ()

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", SENSOR, DataType.STRING, "open, closed or moving", allowed=COVER_STATES)]
        if self.config.get("command_topic"):
            points.append(self.point("Command", ACTUATOR, DataType.STRING, "open, close or stop",
                                     allowed=("OPEN", "CLOSE", "STOP")))
        if self.config.get("set_position_topic") or self.config.get("position_topic"):
            points.append(self.point("Position", ACTUATOR if self.config.get("set_position_topic") else SENSOR,
                                     DataType.UINT8, "position, 100 is open", unit="percent", min=0, max=100))
        return points

    def build(self) -> None:
        state, command = self.path("State"), self.path("Command")
        names = {text_option(self.config, f"state_{name}", name): name for name in COVER_STATES}
        settled = {"open": "OPEN", "closed": "CLOSE", "stopped": "STOP"}

        def decode(text: str) -> dict[str, object]:
            name = names.get(text)
            if name is None:
                raise PayloadError(f"{state}: payload {text[:80]!r} is not one of {', '.join(names)}")
            out: dict[str, object] = {state: name}
            if name in settled:
                out[command] = settled[name]  # the command reached its end: this confirms it
            return out

        self.route("state_topic", "value_template", decode, state, command)
        payloads = {"OPEN": text_option(self.config, "payload_open", "OPEN"),
                    "CLOSE": text_option(self.config, "payload_close", "CLOSE"),
                    "STOP": text_option(self.config, "payload_stop", "STOP")}
        self.encoder("Command", "command_topic", lambda v: payloads[str(v)])
        self.number_route("Position", "position_topic", "position_template", integer=True)
        self.encoder("Position", "set_position_topic", str, "set_position_template")
