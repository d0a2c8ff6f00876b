"""Car events derived from signals: trip started and ended, charging started and stopped, plugged in, unplugged.

A trip starts when the car starts moving (`Vehicle.IsMoving`, or a speed of 3 km/h when the car does not report
IsMoving) and ends when the park lock engages or the car has not moved for `trip_end_after_s`, so a traffic jam
does not end a trip.
"""

from __future__ import annotations

from collections.abc import Callable

from homebound.model.vss_paths import IS_CHARGING as CHARGING
from homebound.model.vss_paths import IS_MOVING as MOVING
from homebound.model.vss_paths import PARK_LOCK as PARK
from homebound.model.vss_paths import PLUGGED, SPEED

WATCHED = (MOVING, SPEED, PARK, CHARGING, PLUGGED)
MOVING_SPEED_KMH = 3.0

Emit = Callable[[str, dict[str, object]], None]


class CarEventDetector:
    """Turns one vehicle's signal changes into car events; `tick(now)` ends trips after standing still."""

    def __init__(self, emit: Emit, trip_end_after_s: float = 180.0) -> None:
        self.emit = emit
        self.trip_end_after_s = trip_end_after_s
        self.on_trip = False
        self.stopped_since: float | None = None
        self.has_is_moving = False
        self.charging: bool | None = None
        self.plugged: bool | None = None

    def update(self, path: str, value: object, ts: float) -> None:
        if path == MOVING:
            self.has_is_moving = True
            self._motion(value is True, ts)
        elif path == SPEED and not self.has_is_moving and isinstance(value, int | float):
            self._motion(value >= MOVING_SPEED_KMH, ts)
        elif path == PARK and value is True and self.on_trip:
            self._end(ts, "park lock engaged")
        elif path == CHARGING and isinstance(value, bool):
            if self.charging is not None and value != self.charging:
                self.emit("charging_started" if value else "charging_stopped", {"ts": ts})
            self.charging = value
        elif path == PLUGGED and isinstance(value, bool):
            if self.plugged is not None and value != self.plugged:
                self.emit("plugged_in" if value else "unplugged", {"ts": ts})
            self.plugged = value

    def _motion(self, moving: bool, ts: float) -> None:
        if moving:
            self.stopped_since = None
            if not self.on_trip:
                self.on_trip = True
                self.emit("trip_started", {"ts": ts})
        elif self.on_trip and self.stopped_since is None:
            self.stopped_since = ts

    def tick(self, now: float) -> None:
        if self.on_trip and self.stopped_since is not None and now - self.stopped_since >= self.trip_end_after_s:
            self._end(now, f"stood still for {self.trip_end_after_s:.0f} s")

    def _end(self, ts: float, why: str) -> None:
        self.on_trip = False
        self.stopped_since = None
        self.emit("trip_ended", {"ts": ts, "why": why})
