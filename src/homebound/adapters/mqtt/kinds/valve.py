"""valve: a water or gas valve: open, closed or moving, open/close/stop, and a position when it reports one.

With `reports_position` the state is a number (or JSON with `state` and `position`) and commands publish the
position, scaled to the device's `position_closed`..`position_open`.
"""

from __future__ import annotations

import json

from homebound.adapters.mqtt.kinds.base import (
    ACTUATOR,
    NONE_PAYLOADS,
    SENSOR,
    Entity,
    PayloadError,
    number_option,
    parse_number,
    text_option,
)
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

STATES = ("open", "opening", "closed", "closing", "stopped")


class Valve(Entity):
    kind = "valve"
    required = ()

    @property
    def by_position(self) -> bool:
        return self.config.get("reports_position") is True

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", SENSOR, DataType.STRING, "open, closed or moving", allowed=STATES)]
        if self.config.get("command_topic"):
            allowed = ["OPEN", "CLOSE"] + (["STOP"] if self.config.get("payload_stop") is not None else [])
            points.append(self.point("Command", ACTUATOR, DataType.STRING, "open, close or stop",
                                     allowed=tuple(allowed)))
        if self.by_position:
            points.append(self.point("Position", ACTUATOR if self.config.get("command_topic") else SENSOR,
                                     DataType.UINT8, "position, 100 is open", unit="percent", min=0, max=100))
        return points

    def build(self) -> None:
        state, command, position = self.path("State"), self.path("Command"), self.path("Position")
        names = {text_option(self.config, f"state_{name}", name): name for name in STATES}
        closed_at = number_option(self.config, "position_closed", 0)
        open_at = number_option(self.config, "position_open", 100)
        span = (open_at - closed_at) or 100.0
        settled = {"open": "OPEN", "closed": "CLOSE", "stopped": "STOP"}

        def from_device(raw: float) -> int:
            return max(0, min(100, round((raw - closed_at) * 100 / span)))

        def with_state(name: str, out: dict[str, object]) -> dict[str, object]:
            out[state] = name
            if name in settled:
                out[command] = settled[name]
            return out

        def decode(text: str) -> dict[str, object]:
            if text in NONE_PAYLOADS:
                return {}
            if text in names:
                return with_state(names[text], {})
            if self.by_position and text.startswith("{"):
                try:
                    document = json.loads(text)
                except (ValueError, RecursionError):
                    raise PayloadError(f"{state}: payload is not JSON: {text[:80]!r}") from None
                out: dict[str, object] = {}
                if isinstance(document, dict):
                    if isinstance(document.get("position"), int | float) and not isinstance(
                            document["position"], bool):
                        out[position] = from_device(float(document["position"]))
                    if document.get("state") in names:
                        with_state(names[str(document["state"])], out)
                return out
            if self.by_position:
                level = from_device(parse_number(text, position))
                return with_state("open" if level > 0 else "closed", {position: level})
            raise PayloadError(f"{state}: payload {text[:80]!r} is not one of {', '.join(names)}")

        self.route("state_topic", "value_template", decode, state, command, position)
        if self.by_position:
            to_device = {"OPEN": open_at, "CLOSE": closed_at}

            def encode_command(value: object) -> str:
                if value == "STOP":
                    return text_option(self.config, "payload_stop", "STOP")
                return _number(to_device[str(value)])

            def to_position(value: object) -> str:
                return _number(closed_at + float(value) * span / 100)  # type: ignore[arg-type]

            self.encoder("Command", "command_topic", encode_command, "command_template",
                         lambda v: {"value": encode_command(v)})
            self.encoder("Position", "command_topic", to_position, "command_template",
                         lambda v: {"value": to_position(v)})
        else:
            payloads = {"OPEN": text_option(self.config, "payload_open", "OPEN"),
                        "CLOSE": text_option(self.config, "payload_close", "CLOSE"),
                        "STOP": text_option(self.config, "payload_stop", "STOP")}
            self.encoder("Command", "command_topic", lambda v: payloads[str(v)], "command_template",
                         lambda v: {"value": payloads[str(v)]})


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(round(value, 3))
