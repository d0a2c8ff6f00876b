"""Parse Home Assistant MQTT discovery messages into components, with errors that name the topic and reason.

Both forms are read: one component per message, `<prefix>/<component>/[<node_id>/]<object_id>/config`, and the
device-based form, `<prefix>/device/<object_id>/config` with `dev`, `o` and `cmps`, whose top-level options
(`state_topic`, `qos`, `availability`, `~`...) are shared by its components. Abbreviations are spelled out,
the `~` base topic is substituted, availability is normalised to a list, and an empty payload removes. Unknown
keys are kept in `config` and ignored by what reads it, as Home Assistant does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from homebound.adapters.mqtt.abbreviations import ABBREVIATIONS, DEVICE_ABBREVIATIONS, ORIGIN_ABBREVIATIONS, expand
from homebound.adapters.mqtt.component import Availability, DiscoveredComponent
from homebound.adapters.mqtt.kinds import KINDS, SUPPORTED
from homebound.model.errors import HomeboundError

MAX_CONFIG_BYTES = 64 * 1024


class DiscoveryError(HomeboundError):
    """A discovery message that cannot be used; the message says which topic and why."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"{topic}: {reason}")
        self.topic = topic
        self.reason = reason


@dataclass(frozen=True)
class DiscoveryUpdate:
    """What one discovery message means: components added or changed, and discovery ids removed."""

    components: tuple[DiscoveredComponent, ...] = ()
    removed: tuple[str, ...] = ()


def parse_discovery(topic: str, payload: bytes, prefix: str = "homeassistant") -> DiscoveryUpdate:
    """Read one message from `<prefix>/.../config`; DiscoveryError if it is malformed."""
    parts = topic.split("/")
    if parts[0] != prefix or parts[-1] != "config" or len(parts) not in (4, 5):
        raise DiscoveryError(topic, f"not a discovery topic: expected {prefix}/<component>/[<node_id>/]<object_id>"
                                    "/config")
    component, object_id = parts[1], parts[-2]
    node_id = parts[2] if len(parts) == 5 else None
    device_based = component == "device"
    if device_based and node_id is not None:
        raise DiscoveryError(topic, f"device discovery is {prefix}/device/<object_id>/config")
    if not payload.strip():
        return DiscoveryUpdate(removed=(f"device/{object_id}/" if device_based else
                                        _single_id(component, node_id, object_id),))
    config = _decode(topic, payload)
    if device_based:
        return _device_based(topic, object_id, config)
    return DiscoveryUpdate(components=(_component(topic, component, object_id,
                                                  _single_id(component, node_id, object_id), config),))


def _single_id(component: str, node_id: str | None, object_id: str) -> str:
    return f"{component}/{node_id}/{object_id}" if node_id else f"{component}/{object_id}"


def _decode(topic: str, payload: bytes) -> dict[str, object]:
    if len(payload) > MAX_CONFIG_BYTES:
        raise DiscoveryError(topic, f"config of {len(payload)} bytes is larger than {MAX_CONFIG_BYTES}")
    try:
        document = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DiscoveryError(topic, f"payload is not valid JSON: {error}") from None
    except RecursionError:
        raise DiscoveryError(topic, "payload is nested too deeply") from None
    if not isinstance(document, dict):
        raise DiscoveryError(topic, f"payload must be a JSON object, not {type(document).__name__}")
    return expand(document)


def _device_based(topic: str, object_id: str, config: dict[str, object]) -> DiscoveryUpdate:
    device = config.get("device")
    components = config.get("components")
    if not isinstance(device, dict):
        raise DiscoveryError(topic, "device discovery needs 'dev' (the device) as an object")
    if not isinstance(components, dict) or not components:
        raise DiscoveryError(topic, "device discovery needs 'cmps' (the components) as a non-empty object")
    shared = {k: v for k, v in config.items() if k not in ("device", "components", "origin")}
    found: list[DiscoveredComponent] = []
    removed: list[str] = []
    for component_id, raw in components.items():
        discovery_id = f"device/{object_id}/{component_id}"
        if not isinstance(raw, dict):
            raise DiscoveryError(topic, f"component {component_id!r} must be an object")
        entry = expand(raw)
        platform = entry.get("platform")
        if not isinstance(platform, str):
            raise DiscoveryError(topic, f"component {component_id!r} needs 'p' (its platform, e.g. 'sensor')")
        if set(entry) == {"platform"}:
            removed.append(discovery_id)  # only the platform left: Home Assistant's way to remove one component
            continue
        merged = {**shared, **entry, "device": device, "origin": config.get("origin", {})}
        found.append(_component(topic, platform, str(component_id), discovery_id, merged))
    return DiscoveryUpdate(components=tuple(found), removed=tuple(removed))


def _component(topic: str, component: str, object_id: str, discovery_id: str,
               config: dict[str, object]) -> DiscoveredComponent:
    kind = KINDS.get(component)
    if kind is None:
        raise DiscoveryError(topic, f"component {component[:40]!r} is not supported (supported: "
                                    f"{', '.join(SUPPORTED)})")
    config = _substitute_base(topic, config)
    for alternatives in kind.required:
        if not any(config.get(key) not in (None, "", []) for key in alternatives):
            raise DiscoveryError(topic, f"{component} config is missing required key "
                                        f"{' or '.join(repr(k) for k in alternatives)}")
    device = config.pop("device", {}) or {}
    origin = config.pop("origin", {}) or {}
    if not isinstance(device, dict) or not isinstance(origin, dict):
        raise DiscoveryError(topic, "'dev' and 'o' must be objects")
    availability, mode = _availability(topic, config)
    return DiscoveredComponent(discovery_id, component, object_id, config, expand(device, DEVICE_ABBREVIATIONS),
                               expand(origin, ORIGIN_ABBREVIATIONS), availability, mode)


def _substitute_base(topic: str, config: dict[str, object]) -> dict[str, object]:
    base = config.pop("~", None)
    if base is None:
        return config
    if not isinstance(base, str):
        raise DiscoveryError(topic, "'~' (the base topic) must be a string")

    def fill(key: str, value: object) -> object:
        if isinstance(value, str) and (key.endswith("_topic") or key == "topic"):
            if value.startswith("~"):
                return base + value[1:]
            if value.endswith("~"):
                return value[:-1] + base
        if isinstance(value, list):
            return [fill(key, item) for item in value]
        if isinstance(value, dict):
            return {k: fill(k, v) for k, v in expand(value).items()}
        return value

    return {key: fill(key, value) for key, value in config.items()}


def _availability(topic: str, config: dict[str, object]) -> tuple[tuple[Availability, ...], Literal["all", "any",
                                                                                                       "latest"]]:
    entries: list[Availability] = []
    single = config.get("availability_topic")
    defaults = {"payload_available": str(config.get("payload_available", "online")),
                "payload_not_available": str(config.get("payload_not_available", "offline"))}
    if isinstance(single, str):
        entries.append(Availability(single, value_template=_optional_str(config.get("availability_template")),
                                    **defaults))
    listed = config.get("availability")
    if listed is not None:
        if not isinstance(listed, list):
            raise DiscoveryError(topic, "'availability' must be a list of {topic, payload_available, ...}")
        for item in listed:
            entry = expand(item) if isinstance(item, dict) else None
            if entry is None or not isinstance(entry.get("topic"), str):
                raise DiscoveryError(topic, f"availability entry {item!r} needs a 'topic'")
            entries.append(Availability(str(entry["topic"]),
                                        str(entry.get("payload_available", defaults["payload_available"])),
                                        str(entry.get("payload_not_available", defaults["payload_not_available"])),
                                        _optional_str(entry.get("value_template"))))
    mode = config.get("availability_mode", "latest")
    if mode not in ("all", "any", "latest"):
        raise DiscoveryError(topic, f"availability_mode {mode!r} must be all, any or latest")
    return tuple(entries), mode


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = ["ABBREVIATIONS", "SUPPORTED", "Availability", "DiscoveredComponent", "DiscoveryError",
           "DiscoveryUpdate", "parse_discovery"]
