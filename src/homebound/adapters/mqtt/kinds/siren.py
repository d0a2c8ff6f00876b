"""siren: on or off, with a tone when it offers some.

Without a command template Home Assistant sends JSON (`{"state": "ON", "tone": "bell"}`), and so does the hub;
with one, the template gets `value` (the on or off payload) and `tone`. State is the on/off payload, or JSON
with `state` (and `tone`).
"""

from __future__ import annotations

import json

from homebound.adapters.mqtt.kinds.base import (
    ACTUATOR,
    NONE_PAYLOADS,
    Entity,
    PayloadError,
    strings_option,
    text_option,
    topic_option,
)
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata
from homebound.model.templates import render_command


class Siren(Entity):
    kind = "siren"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("State", ACTUATOR, DataType.BOOLEAN, "sounding")]
        tones = strings_option(self.config.get("available_tones"))
        if tones:
            points.append(self.point("Tone", ACTUATOR, DataType.STRING, "tone", allowed=tones))
        return points

    def build(self) -> None:
        state, tone = self.path("State"), self.path("Tone")
        on = text_option(self.config, "payload_on", "ON")
        off = text_option(self.config, "payload_off", "OFF")
        seen_on = text_option(self.config, "state_on", on)
        seen_off = text_option(self.config, "state_off", off)

        def decode(text: str) -> dict[str, object]:
            if text.startswith("{"):
                try:
                    document = json.loads(text)
                except (ValueError, RecursionError):
                    raise PayloadError(f"{state}: payload is not JSON: {text[:80]!r}") from None
                out: dict[str, object] = {}
                if isinstance(document, dict):
                    if document.get("state") in (seen_on, seen_off):
                        out[state] = document["state"] == seen_on
                    if isinstance(document.get("tone"), str):
                        out[tone] = document["tone"]
                return out
            if text == seen_on:
                return {state: True}
            if text == seen_off:
                return {state: False}
            if text in NONE_PAYLOADS:
                return {}
            raise PayloadError(f"{state}: payload {text[:80]!r} is neither {seen_on!r} nor {seen_off!r}")

        template_key = "state_value_template" if "state_value_template" in self.config else "value_template"
        self.route("state_topic", template_key, decode, state, tone)
        topic = topic_option(self.config, "command_topic")
        if topic is None:
            return
        on_template = self.config.get("command_template")
        off_template = self.config.get("command_off_template", on_template)

        def message(switch_on: bool, chosen_tone: str | None) -> list[tuple[str, str]]:
            payload = on if switch_on else off
            template = on_template if switch_on else off_template
            if isinstance(template, str):
                return [(topic, render_command(template, payload, {"tone": chosen_tone}))]
            document: dict[str, object] = {"state": payload}
            if chosen_tone is not None:
                document["tone"] = chosen_tone
            return [(topic, json.dumps(document))]

        self.encoder_raw("State", lambda v: message(bool(v), None))
        self.encoder_raw("Tone", lambda v: message(True, str(v)))
