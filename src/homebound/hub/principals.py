"""Who wrote a value or asked for a command: one spelling, `<door>:<name>`, formed in one place.

The principal is recorded with every value, target and command (and shown in history and traces), so every door
names its callers the same way.
"""

from __future__ import annotations

from enum import StrEnum


class Door(StrEnum):
    """Where a write or a command came from."""

    REST = "rest"
    KUKSA = "kuksa"
    MQTT = "mqtt"
    HOME_ASSISTANT = "homeassistant"
    AUTOMATION = "automation"
    CONFIG = "config"
    SIMULATOR = "simulator"
    GATEWAY = "gateway"
    PHONE = "phone"
    """A household member's phone: its OwnTracks messages, and commands it asks for (a destination, the
    phone as the car's key), named by the member."""
    PRESENCE = "presence"


def principal(door: Door, name: str) -> str:
    """The principal string for `name` coming through `door`, e.g. `rest:alice`, `automation:leaving_home`."""
    return f"{door.value}:{name}"
