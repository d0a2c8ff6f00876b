"""Where one member is, decided from every clue: GPS fixes (with the automations' zone trackers: accuracy,
hysteresis, debounce), the phone's own zone transitions, and Bluetooth stations (room level, near the car).

The state is `home` (inside the home zone, or heard by a home station), the id of another zone the member is in,
`approaching` (outside, heading home and closer than `approaching_within_m`), or `away`; `unknown` until a first
clue. Bluetooth outranks GPS for home: a phone heard in the kitchen is home, whatever a drifting fix says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homebound.automations.zone_trackers import Proximity, ZonePresence
from homebound.model.geometry import Zone, distance_m


@dataclass(frozen=True, slots=True)
class PresenceView:
    """A member's presence now, as the hub shows it."""

    state: str
    zone: str
    room: str
    near_vehicle: str
    home_distance_m: float | None
    direction: str


@dataclass
class MemberTracker:
    """The presence of one member, updated by each clue."""

    zones: dict[str, Zone]
    home_zone: str
    debounce_s: float
    approaching_within_m: float
    presence: dict[str, ZonePresence] = field(default_factory=dict)
    proximity: Proximity | None = None
    room: str = ""
    room_is_home: bool = False
    near_vehicle: str = ""
    seen: bool = False

    def __post_init__(self) -> None:
        self.presence = {zone_id: ZonePresence(zone, self.debounce_s) for zone_id, zone in self.zones.items()}
        home = self.zones.get(self.home_zone)
        self.proximity = Proximity(home) if home is not None else None

    def fix(self, lat: float, lon: float, accuracy_m: float, ts: float) -> None:
        self.seen = True
        for zone_id, tracker in self.presence.items():
            zone = self.zones[zone_id]
            tracker.update(distance_m(zone.latitude, zone.longitude, lat, lon), accuracy_m, ts)
        if self.proximity is not None:
            zone = self.proximity.zone
            self.proximity.update(zone.distance_to_edge(lat, lon), ts)

    def transition(self, zone_id: str, entered: bool) -> None:
        """The phone itself says it entered or left a zone (it has already debounced it)."""
        tracker = self.presence.get(zone_id)
        if tracker is not None:
            self.seen = True
            tracker.inside, tracker.candidate, tracker.candidate_since = entered, None, None

    def bluetooth(self, room: str, room_is_home: bool, near_vehicle: str) -> None:
        self.seen = self.seen or bool(room)
        self.room, self.room_is_home, self.near_vehicle = room, room_is_home, near_vehicle

    def view(self) -> PresenceView:
        zone = next((z for z in sorted(self.presence) if z != self.home_zone and self.presence[z].inside), "")
        home = self.presence.get(self.home_zone)
        at_home = self.room_is_home or (home is not None and home.inside is True)
        proximity = self.proximity
        distance = None if proximity is None or proximity.distance_m is None else round(max(0.0,
                                                                                             proximity.distance_m), 1)
        direction = "unknown" if proximity is None else proximity.direction
        if not self.seen:
            state = "unknown"
        elif at_home:
            state, zone = "home", self.home_zone
        elif zone:
            state = zone
        elif direction == "towards" and distance is not None and distance < self.approaching_within_m:
            state = "approaching"
        else:
            state = "away"
        return PresenceView(state, zone, self.room, self.near_vehicle, distance, direction)
