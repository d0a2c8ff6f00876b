"""The hub's own state of one thing. Private to the hub: adapters read through the read door (`hub/reading.py`).

Values are stored as plain `(value, ts, principal)` tuples, the cheapest thing to build on the ingest path; the
read door hands them out as `Reading`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from homebound.hub.commands import Command
from homebound.hub.events import Field
from homebound.hub.owners import Owners
from homebound.hub.reading import ThingKind
from homebound.hub.subscriptions import Subscription
from homebound.model.catalog import Catalog
from homebound.model.signal import Value

Entry = tuple[Value, float, str]
"""A datapoint's stored side: (value, timestamp in epoch seconds, principal who wrote it)."""

UnownedPolicy = Literal["fail", "wait"]


@dataclass(slots=True)
class ThingState:
    """Everything the hub holds for one thing: its catalog, current values, targets and who listens."""

    id: str
    kind: ThingKind
    catalog: Catalog
    name: str | None = None
    vin: str | None = None
    unowned_commands: UnownedPolicy = "fail"
    current: dict[str, Entry] = field(default_factory=dict)
    targets: dict[str, Entry] = field(default_factory=dict)
    pending: dict[str, Command] = field(default_factory=dict)
    watchers: dict[Field, dict[str, list[Subscription]]] = field(
        default_factory=lambda: {f: {} for f in Field})
    owners: Owners = field(default_factory=Owners)
