"""The read door's types: what an adapter may see of a thing and its datapoints.

Adapters read through the hub's read methods (`Hub.read`, `Hub.read_many`, `Hub.describe`, ...), which return
these immutable values, never the hub's own state objects, so one place decides what is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from homebound.model.catalog import Catalog
from homebound.model.signal import Value


class Reading(NamedTuple):
    """One side of a datapoint (its current value or its target): the value, when, and who wrote it."""

    value: Value
    ts: float
    principal: str


class ThingKind(StrEnum):
    VEHICLE = "vehicle"
    DEVICE = "device"


@dataclass(frozen=True, slots=True)
class ThingInfo:
    """What the hub knows of a thing besides its values: its identity and its catalog (the metadata)."""

    id: str
    kind: ThingKind
    name: str | None
    vin: str | None
    catalog: Catalog
    values_known: int
    pending_commands: int
