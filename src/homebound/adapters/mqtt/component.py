"""A discovered Home Assistant component: one entity a device offers, with its options spelled out.

Shared by discovery (which builds it from a config message) and the device kinds (which read it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Availability:
    topic: str
    payload_available: str = "online"
    payload_not_available: str = "offline"
    value_template: str | None = None


@dataclass(frozen=True)
class DiscoveredComponent:
    """One entity a device offers: a switch, a sensor, a tracker..., with its options spelled out."""

    discovery_id: str
    component: str
    object_id: str
    config: dict[str, object]
    device: dict[str, object] = field(default_factory=dict)
    origin: dict[str, object] = field(default_factory=dict)
    availability: tuple[Availability, ...] = ()
    availability_mode: Literal["all", "any", "latest"] = "latest"

    @property
    def unique_id(self) -> str | None:
        value = self.config.get("unique_id")
        return None if value is None else str(value)

    @property
    def device_id(self) -> str:
        """The device this entity belongs to: its first identifier, else the entity's own id."""
        identifiers = self.device.get("identifiers")
        if isinstance(identifiers, list) and identifiers:
            return str(identifiers[0])
        if isinstance(identifiers, str) and identifiers:
            return identifiers
        return self.unique_id or self.discovery_id.replace("/", "_")
