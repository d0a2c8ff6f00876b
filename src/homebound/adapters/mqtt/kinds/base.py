"""What every device kind shares: its datapoints, the topics that bring their state, and command encoders.

A kind is one module with one `Entity` subclass: its Home Assistant component name (`kind`), the options
discovery must find (`required`), the datapoints it contributes (`points`), and how its payloads map to and
from them (`build`). Paths read `<Component>.<ObjectId>.<Property>` (`Switch.Power.State`, `Vacuum.Robot.Command`),
with units, ranges and allowed values from the component's config, so device values are validated by the same
compiled validators as the car's VSS signals.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from homebound.adapters.mqtt.component import DiscoveredComponent
from homebound.model.datatypes import DataType
from homebound.model.errors import HomeboundError
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.templates import render_command, render_value

MAX_STATE_BYTES = 64 * 1024
"""A state payload larger than this is refused (a camera or image payload has its own, larger limit)."""

Decoder = Callable[[bytes], dict[str, object]]
TextDecoder = Callable[[str], dict[str, object]]
Encoder = Callable[[object], list[tuple[str, str]]]
SENSOR, ACTUATOR = SignalKind.SENSOR, SignalKind.ACTUATOR
NONE_PAYLOADS = ("None", "none", "null", "")


@dataclass(frozen=True, slots=True)
class StoredImage:
    """The last picture of one datapoint (a camera's, an image entity's): bytes, content type, time, reference."""

    data: bytes
    content_type: str
    ts: float
    reference: str


class PayloadError(HomeboundError):
    """A state payload that does not fit its entity, or a command it cannot carry."""


@dataclass(frozen=True)
class StateRoute:
    """A topic that brings state, and how its payload becomes `{path: value}`."""

    topic: str
    decode: Decoder


def pascal(name: str) -> str:
    """`pm2_5` → `Pm25`, `living room` → `LivingRoom`: a VSS-style node name."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)[:64] or "Entity"


def number_option(config: Mapping[str, object], key: str, default: float) -> float:
    value = config.get(key, default)
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value and abs(value) < 1e15:
        return float(value)
    return default


def strings_option(value: object, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if isinstance(value, list) and value:
        return tuple(str(item)[:200] for item in value[:256])
    return default


def text_option(config: Mapping[str, object], key: str, default: str) -> str:
    value = config.get(key, default)
    return default if value is None else str(value)


def topic_option(config: Mapping[str, object], key: str) -> str | None:
    value = config.get(key)
    return value if isinstance(value, str) and value and "#" not in value and "+" not in value else None


def parse_number(text: str, what: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise PayloadError(f"{what}: {text[:80]!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PayloadError(f"{what}: {text[:80]!r} is not a finite number")
    return number


def json_object(text: str, what: str) -> dict[str, object]:
    try:
        document = json.loads(text)
    except ValueError:
        raise PayloadError(f"{what}: payload is not JSON: {text[:80]!r}") from None
    except RecursionError:
        raise PayloadError(f"{what}: payload is nested too deeply") from None
    if not isinstance(document, dict):
        raise PayloadError(f"{what}: payload must be a JSON object, not {type(document).__name__}")
    return document


def temperature_unit(config: Mapping[str, object]) -> str:
    return "Fahrenheit" if str(config.get("temperature_unit", "C")).upper().startswith("F") else "Celsius"


class Entity(ABC):
    """One component of a device, with its datapoints, state routes and command encoders."""

    kind: ClassVar[str] = ""
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()
    """Groups of options; discovery refuses a config that has none of the options of some group."""

    def __init__(self, component: DiscoveredComponent) -> None:
        self.component = component
        self.config = component.config
        self.base = f"{pascal(component.component)}.{pascal(component.object_id)}"
        self.name = str(self.config.get("name") or component.object_id)[:200]
        self.routes: list[StateRoute] = []
        self.reported: set[str] = set()
        self.images: dict[str, StoredImage] = {}
        self._encoders: dict[str, Encoder] = {}
        self.points: list[SignalMetadata] = self.datapoints()
        self.build()
        self.optimistic = bool(self.config.get("optimistic")) or not self.routes

    # ---- what each kind fills in --------------------------------------------------------------------------

    @abstractmethod
    def datapoints(self) -> list[SignalMetadata]:
        """The datapoints this component contributes to its device."""

    def build(self) -> None:  # noqa: B027 - a kind with no topics (none yet) would keep this
        """Set up state routes (`route`, `raw_route`) and command encoders (`encoder`)."""

    def confirmed_when_sent(self, path: str, value: object) -> bool:
        """Whether a command on `path` is done once published (nothing the device reports can confirm it)."""
        return self.optimistic or path not in self.reported

    # ---- what the bridge uses -----------------------------------------------------------------------------

    def path(self, prop: str) -> str:
        return f"{self.base}.{prop}"

    def command(self, path: str, value: object) -> list[tuple[str, str]]:
        """The (topic, payload) messages that ask the device for `value` on `path`."""
        encoder = self._encoders.get(path)
        if encoder is None:
            raise PayloadError(f"{path} cannot be commanded over MQTT (no command topic)")
        return encoder(value)

    # ---- helpers for the kinds ----------------------------------------------------------------------------

    def point(self, prop: str, kind: SignalKind, datatype: DataType, what: str, **facts: object) -> SignalMetadata:
        return SignalMetadata(self.path(prop), kind, datatype, description=f"{self.name}: {what}",
                              **facts)  # type: ignore[arg-type]

    def raw_route(self, topic_key: str, decode: Decoder, *reports: str) -> None:
        """Read `topic_key`'s topic as bytes (images); `reports` are the datapoints it can bring."""
        topic = topic_option(self.config, topic_key)
        if topic is None:
            return
        self.reported.update(reports)
        self.routes.append(StateRoute(topic, decode))

    def route(self, topic_key: str, template_key: str | None, decode: TextDecoder, *reports: str,
              default_template_key: str | None = None) -> None:
        """Read `topic_key`'s topic as UTF-8 text with `decode`, after the value template if there is one."""
        topic = topic_option(self.config, topic_key)
        if topic is None:
            return
        self.reported.update(reports)
        template = self.config.get(template_key) if template_key else None
        if template is None and default_template_key:
            template = self.config.get(default_template_key)
        source = template if isinstance(template, str) else None

        def routed(payload: bytes) -> dict[str, object]:
            if len(payload) > MAX_STATE_BYTES:
                raise PayloadError(f"{topic_key}: payload of {len(payload)} bytes is larger than {MAX_STATE_BYTES}")
            return decode(render_value(source, payload.decode("utf-8")))

        self.routes.append(StateRoute(topic, routed))

    def encoder(self, prop: str, topic_key: str, encode: Callable[[object], str], template_key: str | None = None,
                variables: Callable[[object], dict[str, object]] | None = None) -> None:
        """Publish commands on `prop` to `topic_key`'s topic: `command_template` if configured, else `encode`."""
        topic = topic_option(self.config, topic_key)
        if topic is None:
            return
        template = self.config.get(template_key) if template_key else None

        def encoded(value: object) -> list[tuple[str, str]]:
            if isinstance(template, str):
                extra = variables(value) if variables else {}
                return [(topic, render_command(template, extra.pop("value", value), extra))]
            return [(topic, encode(value))]

        self._encoders[self.path(prop)] = encoded

    def encoder_raw(self, prop: str, encoder: Encoder) -> None:
        self._encoders[self.path(prop)] = encoder

    def on_off(self, prop: str, state_key: str = "value_template", command_template: str | None = None,
               on_key: str = "payload_on", off_key: str = "payload_off", state_on: str = "state_on",
               state_off: str = "state_off", default_on: str = "ON", default_off: str = "OFF",
               with_state: bool = True) -> None:
        """A boolean datapoint carried by two payloads each way (a switch, a light's power...)."""
        on = text_option(self.config, on_key, default_on)
        off = text_option(self.config, off_key, default_off)
        seen_on = text_option(self.config, state_on, on)
        seen_off = text_option(self.config, state_off, off)
        path = self.path(prop)

        def decode(text: str) -> dict[str, object]:
            if text == seen_on:
                return {path: True}
            if text == seen_off:
                return {path: False}
            if text in NONE_PAYLOADS:
                return {}
            raise PayloadError(f"{path}: payload {text[:80]!r} is neither {seen_on!r} nor {seen_off!r}")

        if with_state:
            self.route("state_topic", state_key, decode, path)
        self.encoder(prop, "command_topic", lambda v: on if v else off, command_template)

    def number_route(self, prop: str, topic_key: str, template_key: str | None, integer: bool = False,
                     default_template_key: str | None = None) -> None:
        """A numeric datapoint on its own state topic (`None` resets it: nothing is stored)."""
        path = self.path(prop)

        def decode(text: str) -> dict[str, object]:
            if text in NONE_PAYLOADS:
                return {}
            number = parse_number(text, path)
            return {path: round(number) if integer else number}

        self.route(topic_key, template_key, decode, path, default_template_key=default_template_key)

    def text_route(self, prop: str, topic_key: str, template_key: str | None,
                   default_template_key: str | None = None) -> None:
        path = self.path(prop)

        def decode(text: str) -> dict[str, object]:
            return {} if text in NONE_PAYLOADS else {path: text}

        self.route(topic_key, template_key, decode, path, default_template_key=default_template_key)


def plain(value: object) -> str:
    """A command value as a payload: booleans ON/OFF, whole floats without `.0`."""
    return render_command(None, value)
