"""How each Home Assistant component's MQTT payloads map to and from its datapoints.

An `Entity` knows, for one discovered component, which topics carry its state and how to decode them into
`{path: value}` (value templates applied), and how to encode a command for one of its datapoints into the
messages to publish (command templates and payload rules applied).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from homebound.adapters.mqtt.capabilities import capabilities, pascal
from homebound.adapters.mqtt.discovery import DiscoveredComponent
from homebound.model.errors import HomeboundError
from homebound.model.signal import SignalMetadata
from homebound.model.templates import render_command, render_value

Decoder = Callable[[str], dict[str, object]]


class PayloadError(HomeboundError):
    """A state payload that does not fit its entity, or a command it cannot carry."""


@dataclass(frozen=True)
class StateRoute:
    topic: str
    decode: Decoder


def _text(config: dict[str, object], key: str, default: str) -> str:
    value = config.get(key, default)
    return default if value is None else str(value)


def _topic(config: dict[str, object], key: str) -> str | None:
    value = config.get(key)
    return value if isinstance(value, str) and value else None


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise PayloadError(f"{what}: {text!r} is not a number") from None


def _json_object(text: str, what: str) -> dict[str, object]:
    try:
        document = json.loads(text)
    except ValueError:
        raise PayloadError(f"{what}: payload is not JSON: {text[:80]!r}") from None
    if not isinstance(document, dict):
        raise PayloadError(f"{what}: payload must be a JSON object")
    return document


class Entity:
    """One component of a device, with its datapoints, state routes and command encoders."""

    def __init__(self, component: DiscoveredComponent) -> None:
        self.component = component
        self.config = component.config
        self.points: list[SignalMetadata] = capabilities(component)
        self.base = f"{pascal(component.component)}.{pascal(component.object_id)}"
        self.routes: list[StateRoute] = []
        self.reported: set[str] = set()
        self._encoders: dict[str, Callable[[object], list[tuple[str, str]]]] = {}
        builder = getattr(self, f"_build_{component.component}")
        builder()
        self.optimistic = bool(self.config.get("optimistic")) or not self.routes

    def path(self, prop: str) -> str:
        return f"{self.base}.{prop}"

    def command(self, path: str, value: object) -> list[tuple[str, str]]:
        """The (topic, payload) messages that ask the device for `value` on `path`."""
        encoder = self._encoders.get(path)
        if encoder is None:
            raise PayloadError(f"{path} cannot be commanded over MQTT (no command topic)")
        return encoder(value)

    # ---- helpers ------------------------------------------------------------------------------------------

    def _route(self, topic_key: str, template_key: str | None, decode: Callable[[str], dict[str, object]],
               *reports: str) -> None:
        """Read `topic_key`'s topic with `decode`; `reports` are the datapoints it can bring (for confirmation)."""
        topic = _topic(self.config, topic_key)
        if topic is None:
            return
        self.reported.update(reports)
        template = self.config.get(template_key) if template_key else None

        def routed(payload: str) -> dict[str, object]:
            return decode(render_value(template if isinstance(template, str) else None, payload))

        self.routes.append(StateRoute(topic, routed))

    def _encoder(self, prop: str, topic_key: str, encode: Callable[[object], str],
                 template_key: str | None = None) -> None:
        topic = _topic(self.config, topic_key)
        if topic is None:
            return
        template = self.config.get(template_key) if template_key else None

        def encoded(value: object) -> list[tuple[str, str]]:
            if isinstance(template, str):
                return [(topic, render_command(template, value))]
            return [(topic, encode(value))]

        self._encoders[self.path(prop)] = encoded

    def _on_off(self, prop: str, state_key: str = "value_template", command_template: str | None = None,
                on_key: str = "payload_on", off_key: str = "payload_off", state_on: str = "state_on",
                state_off: str = "state_off", default_on: str = "ON", default_off: str = "OFF",
                with_state: bool = True) -> None:
        on = _text(self.config, on_key, default_on)
        off = _text(self.config, off_key, default_off)
        seen_on = _text(self.config, state_on, on)
        seen_off = _text(self.config, state_off, off)
        path = self.path(prop)

        def decode(text: str) -> dict[str, object]:
            if text == seen_on:
                return {path: True}
            if text == seen_off:
                return {path: False}
            raise PayloadError(f"{path}: payload {text!r} is neither {seen_on!r} nor {seen_off!r}")

        if with_state:
            self._route("state_topic", state_key, decode, path)
        self._encoder(prop, "command_topic", lambda v: on if v else off, command_template)

    # ---- one builder per component ------------------------------------------------------------------------

    def _build_switch(self) -> None:
        self._on_off("State")

    def _build_binary_sensor(self) -> None:
        self._on_off("State")

    def _build_lock(self) -> None:
        self._on_off("IsLocked", on_key="payload_lock", off_key="payload_unlock", state_on="state_locked",
                     state_off="state_unlocked", default_on="LOCK", default_off="UNLOCK", with_state=False,
                     command_template="command_template")
        locked = _text(self.config, "state_locked", "LOCKED")
        unlocked = _text(self.config, "state_unlocked", "UNLOCKED")
        path = self.path("IsLocked")

        def decode(text: str) -> dict[str, object]:
            if text in (locked, unlocked):
                return {path: text == locked}
            return {}  # locking, unlocking, jammed: moving, no new value yet

        self._route("state_topic", "value_template", decode, path)

    def _build_light(self) -> None:
        if self.config.get("schema") == "json":
            self._json_light()
            return
        self._on_off("State", state_key="state_value_template")
        brightness = self.path("Brightness")
        self._route("brightness_state_topic", "brightness_value_template",
                    lambda t: {brightness: int(_number(t, brightness))}, brightness)
        self._encoder("Brightness", "brightness_command_topic", lambda v: str(int(v)),  # type: ignore[call-overload]
                      "brightness_command_template")

    def _json_light(self) -> None:
        state, brightness = self.path("State"), self.path("Brightness")

        def decode(text: str) -> dict[str, object]:
            document = _json_object(text, state)
            out: dict[str, object] = {}
            if "state" in document:
                out[state] = str(document["state"]).upper() == "ON"
            if "brightness" in document and document["brightness"] is not None:
                out[brightness] = document["brightness"]
            return out

        self._route("state_topic", None, decode, state, brightness)
        topic = _topic(self.config, "command_topic")
        if topic is not None:
            self._encoders[state] = lambda v: [(topic, json.dumps({"state": "ON" if v else "OFF"}))]
            self._encoders[brightness] = lambda v: [(topic, json.dumps({"state": "ON", "brightness": v}))]

    def _build_fan(self) -> None:
        self._on_off("State", state_key="state_value_template", command_template="command_template")
        percentage, preset = self.path("Percentage"), self.path("PresetMode")
        self._route("percentage_state_topic", "percentage_value_template",
                    lambda t: {percentage: int(_number(t, percentage))}, percentage)
        self._encoder("Percentage", "percentage_command_topic", lambda v: str(v), "percentage_command_template")
        self._route("preset_mode_state_topic", "preset_mode_value_template", lambda t: {preset: t}, preset)
        self._encoder("PresetMode", "preset_mode_command_topic", str, "preset_mode_command_template")

    def _build_climate(self) -> None:
        mode, target, current = self.path("Mode"), self.path("TargetTemperature"), self.path("CurrentTemperature")
        self._route("mode_state_topic", "mode_state_template", lambda t: {mode: t}, mode)
        self._encoder("Mode", "mode_command_topic", str, "mode_command_template")
        self._route("temperature_state_topic", "temperature_state_template",
                    lambda t: {target: _number(t, target)}, target)
        self._encoder("TargetTemperature", "temperature_command_topic", lambda v: str(v),
                      "temperature_command_template")
        self._route("current_temperature_topic", "current_temperature_template",
                    lambda t: {current: _number(t, current)}, current)

    def _build_cover(self) -> None:
        state, command, position = self.path("State"), self.path("Command"), self.path("Position")
        names = {_text(self.config, f"state_{name}", name): name
                 for name in ("open", "opening", "closed", "closing", "stopped")}
        settled = {"open": "OPEN", "closed": "CLOSE", "stopped": "STOP"}

        def decode(text: str) -> dict[str, object]:
            name = names.get(text)
            if name is None:
                raise PayloadError(f"{state}: payload {text!r} is not one of {', '.join(names)}")
            out: dict[str, object] = {state: name}
            if name in settled:
                out[command] = settled[name]  # the command reached its end: this confirms it
            return out

        self._route("state_topic", "value_template", decode, state, command)
        payloads = {"OPEN": _text(self.config, "payload_open", "OPEN"),
                    "CLOSE": _text(self.config, "payload_close", "CLOSE"),
                    "STOP": _text(self.config, "payload_stop", "STOP")}
        self._encoder("Command", "command_topic", lambda v: payloads[str(v)])
        self._route("position_topic", "position_template", lambda t: {position: int(_number(t, position))},
                    position)
        self._encoder("Position", "set_position_topic", lambda v: str(v), "set_position_template")

    def _build_sensor(self) -> None:
        value = self.path("Value")
        numeric = self.points[0].datatype.is_numeric

        def decode(text: str) -> dict[str, object]:
            if text in ("unknown", "unavailable", "None", ""):
                return {}
            return {value: _number(text, value) if numeric else text}

        self._route("state_topic", "value_template", decode, value)

    def _build_number(self) -> None:
        value = self.path("Value")
        self._route("state_topic", "value_template", lambda t: {value: _number(t, value)}, value)
        self._encoder("Value", "command_topic", lambda v: render_command(None, v), "command_template")

    def _build_select(self) -> None:
        option = self.path("Option")
        self._route("state_topic", "value_template", lambda t: {option: t}, option)
        self._encoder("Option", "command_topic", str, "command_template")

    def _build_button(self) -> None:
        press = _text(self.config, "payload_press", "PRESS")
        self._encoder("Press", "command_topic", lambda _v: press, "command_template")

    def _build_notify(self) -> None:
        self._encoder("Message", "command_topic", str, "command_template")

    def _build_event(self) -> None:
        last = self.path("LastEvent")

        def decode(text: str) -> dict[str, object]:
            document = _json_object(text, last)
            if "event_type" not in document:
                raise PayloadError(f"{last}: event payload needs 'event_type'")
            return {last: str(document["event_type"])}

        self._route("state_topic", "value_template", decode, last)

    def _build_device_tracker(self) -> None:
        state = self.path("State")
        home = _text(self.config, "payload_home", "home")
        away = _text(self.config, "payload_not_home", "not_home")
        self._route("state_topic", "value_template",
                    lambda t: {state: "home" if t == home else "not_home" if t == away else t}, state)
        latitude, longitude, accuracy = self.path("Latitude"), self.path("Longitude"), self.path("GpsAccuracy")

        def attributes(text: str) -> dict[str, object]:
            document = _json_object(text, self.base)
            out: dict[str, object] = {}
            for key, path in (("latitude", latitude), ("longitude", longitude), ("gps_accuracy", accuracy)):
                if key in document:
                    out[path] = document[key]
            return out

        self._route("json_attributes_topic", "json_attributes_template", attributes, latitude, longitude, accuracy)
