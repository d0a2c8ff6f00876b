"""Zone, proximity and arrival triggers: each watched thing's position against the zones it is watched against.

Positions come from the hub (a vehicle's `Vehicle.CurrentLocation.*`, a device tracker's `Latitude`/`Longitude`/
`GpsAccuracy`); each (thing, zone) pair has a presence tracker and a proximity tracker (see `zone_trackers.py`),
whose state is saved so it survives a restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from homebound.automations.saved_state import SavedState, SavedZone, ZoneKey
from homebound.automations.schema import ArrivalTrigger, ProximityTrigger, ZoneTrigger
from homebound.automations.zone_trackers import Proximity, ZonePresence
from homebound.hub.core import Hub
from homebound.model import vss_paths as vss
from homebound.model.geometry import Zone, distance_m

SAVE_EVERY_S = 10.0

Fire = Callable[[dict[str, object]], None]
LocationTrigger = ZoneTrigger | ProximityTrigger | ArrivalTrigger


@dataclass
class LocationWatch:
    owner: str
    trigger: LocationTrigger
    fire: Fire
    armed: bool = True  # proximity and arrival fire once per approach, re-armed when the condition clears


@dataclass
class ZoneTrackers:
    presence: ZonePresence
    proximity: Proximity
    saved_at: float = 0.0


class LocationTriggers:
    """Where each watched thing is relative to each zone it is watched against, and the triggers that fire."""

    def __init__(self, hub: Hub, debounce_s: float, saved: SavedState) -> None:
        self.hub = hub
        self.zones: dict[str, Zone] = {}
        self.debounce_s = debounce_s
        self._saved = saved
        self.watches: dict[str, list[LocationWatch]] = {}
        self._trackers: dict[tuple[str, str], ZoneTrackers] = {}

    def watch(self, owner: str, trigger: LocationTrigger, fire: Fire) -> None:
        self.watches.setdefault(trigger.thing, []).append(LocationWatch(owner, trigger, fire))

    def unwatch(self, owner: str) -> None:
        for thing in list(self.watches):
            self.watches[thing] = [w for w in self.watches[thing] if w.owner != owner]

    def paths(self, thing_id: str) -> tuple[str, ...]:
        """The datapoints that carry a thing's position (a vehicle's by default, for things not joined yet)."""
        if not self.hub.exists(thing_id):
            return vss.LOCATION
        signals = self.hub.describe(thing_id).catalog.signals
        if vss.LATITUDE in signals:
            return vss.LOCATION
        found = [p for p in signals if p.endswith((".Latitude", ".Longitude", ".GpsAccuracy"))]
        return tuple(sorted(found)) or vss.LOCATION

    def fix(self, thing_id: str) -> tuple[float, float, float] | None:
        """(latitude, longitude, accuracy in metres) now, or None without a position."""
        values = self.hub.values(thing_id, self.paths(thing_id))
        lat = next((v for p, v in values.items() if p.endswith("Latitude")), None)
        lon = next((v for p, v in values.items() if p.endswith("Longitude")), None)
        acc = next((v for p, v in values.items() if p.endswith("Accuracy")), 0.0)
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            return None
        return float(lat), float(lon), float(acc) if isinstance(acc, int | float) else 0.0

    def trackers(self, thing: str, zone_id: str) -> ZoneTrackers:
        key = (thing, zone_id)
        if key not in self._trackers:
            zone = self.zones[zone_id]
            trackers = ZoneTrackers(ZonePresence(zone, self.debounce_s), Proximity(zone))
            saved = self._saved.get(ZoneKey(thing, zone_id))
            if isinstance(saved, dict):
                trackers.presence.restore(saved.get("presence", {}))
                trackers.proximity.restore(saved.get("proximity", {}))
            self._trackers[key] = trackers
        return self._trackers[key]

    def update(self, thing: str, ts: float) -> None:
        """A new position for `thing`: update its trackers and fire the triggers it meets."""
        fix = self.fix(thing)
        if fix is None:
            return
        lat, lon, accuracy = fix
        watches = self.watches.get(thing, [])
        for zone_id in {w.trigger.zone for w in watches}:
            zone = self.zones[zone_id]
            trackers = self.trackers(thing, zone_id)
            centre = distance_m(zone.latitude, zone.longitude, lat, lon)
            change = trackers.presence.update(centre, accuracy, ts)
            direction = trackers.proximity.update(centre - zone.radius_m, ts)
            eta = trackers.proximity.minutes_to_arrival()
            details = {"thing": thing, "zone": zone_id, "distance_m": round(centre - zone.radius_m, 1),
                       "direction": direction, "eta_minutes": None if eta is None else round(eta, 1),
                       "latitude": lat, "longitude": lon, "accuracy_m": accuracy, "ts": ts}
            for watch in list(watches):
                if watch.trigger.zone == zone_id:
                    _check(watch, change, trackers, details)
            if change is not None or time.time() - trackers.saved_at > SAVE_EVERY_S:
                trackers.saved_at = time.time()
                self._saved.put(ZoneKey(thing, zone_id), SavedZone(presence=trackers.presence.to_json(),
                                                                   proximity=trackers.proximity.to_json()))

    def direction(self, thing: str, zone_id: str) -> str:
        """Towards, away, stationary or unknown: how `thing` moves relative to a zone it is watched against."""
        trackers = self._trackers.get((thing, zone_id))
        return trackers.proximity.direction if trackers else "unknown"

    def presence(self, thing: str, zone_id: str) -> bool | None:
        """Inside the zone (True), outside (False), or not known."""
        if zone_id not in self.zones:
            return None
        trackers = self.trackers(thing, zone_id)
        if trackers.presence.inside is None:
            fix = self.fix(thing) if self.hub.exists(thing) else None
            if fix is not None:
                zone = self.zones[zone_id]
                centre = distance_m(zone.latitude, zone.longitude, fix[0], fix[1])
                trackers.presence.update(centre, fix[2], time.time())
        return trackers.presence.inside


def _check(watch: LocationWatch, change: str | None, trackers: ZoneTrackers, details: dict[str, object]) -> None:
    trigger = watch.trigger
    if isinstance(trigger, ZoneTrigger):
        if change == trigger.event:
            watch.fire({"kind": "zone", "event": change, **details})
        return
    distance = trackers.proximity.distance_m
    if isinstance(trigger, ProximityTrigger):
        direction_ok = trigger.direction == "any" or trackers.proximity.direction == trigger.direction
        met = distance is not None and 0 < distance < trigger.below and direction_ok
    else:
        eta = trackers.proximity.minutes_to_arrival()
        met = eta is not None and 0 < eta < trigger.minutes_below and trackers.proximity.direction == "towards"
    if met and watch.armed:
        watch.armed = False
        watch.fire({"kind": trigger.trigger, **details})
    elif not met and (distance is None or distance <= 0 or (isinstance(trigger, ProximityTrigger)
                                                             and distance >= trigger.below * 1.2)):
        watch.armed = True  # arrived, or moved clearly away: the next approach fires again
