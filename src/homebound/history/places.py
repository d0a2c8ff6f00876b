"""Where a session happened: the zone the car was in (home, work), or its coordinates when in none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from homebound.model.geometry import Zone, distance_m


@dataclass(frozen=True, slots=True)
class Place:
    """A position, and the zone it lies in if any. `label` is what people read: the zone's name, or coordinates."""

    latitude: float
    longitude: float
    zone: str | None = None
    zone_name: str | None = None

    @property
    def label(self) -> str:
        if self.zone is not None:
            return self.zone_name or self.zone
        return coordinates(self.latitude, self.longitude)


def coordinates(latitude: float, longitude: float) -> str:
    return f"{latitude:.5f}, {longitude:.5f}"


class Places:
    """Names positions by the configured zones; the innermost zone wins when zones overlap."""

    def __init__(self, zones: Iterable[Zone] = ()) -> None:
        self.zones: dict[str, Zone] = {zone.id: zone for zone in zones}

    def at(self, latitude: float, longitude: float) -> Place:
        best: Zone | None = None
        best_depth = 0.0
        for zone in self.zones.values():
            depth = zone.radius_m - distance_m(zone.latitude, zone.longitude, latitude, longitude)
            if depth >= 0 and (best is None or depth / zone.radius_m > best_depth / best.radius_m):
                best, best_depth = zone, depth
        if best is None:
            return Place(latitude, longitude)
        return Place(latitude, longitude, best.id, best.name or best.id)

    def label(self, zone: str | None, latitude: float | None, longitude: float | None) -> str | None:
        """The label of a stored place (its zone id and position)."""
        if zone is not None:
            known = self.zones.get(zone)
            return (known.name or known.id) if known is not None else zone
        if latitude is None or longitude is None:
            return None
        return coordinates(latitude, longitude)
