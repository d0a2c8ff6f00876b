"""A route from waypoints, and a driver that follows it with a realistic speed profile.

Each waypoint may set the speed limit of the segment that starts there (km/h) and whether the car stops there
(a junction, a stop sign). The driver accelerates and brakes within comfortable limits and looks ahead so it
can stop where it must and arrive at the end standing still.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from homebound.model.geometry import bearing_deg, distance_m


@dataclass(frozen=True)
class Waypoint:
    latitude: float
    longitude: float
    speed_limit_kmh: float = 50.0
    stop_s: float = 0.0   # seconds standing still here (0: drive through)
    grade: float = 0.0    # rise/run of the segment that starts here


class Route:
    """Waypoints with cumulative distances, to locate the car by the distance it has driven."""

    def __init__(self, waypoints: list[Waypoint]) -> None:
        if len(waypoints) < 2:
            raise ValueError("a route needs at least two waypoints")
        self.waypoints = waypoints
        self.offsets = [0.0]
        for a, b in itertools.pairwise(waypoints):
            self.offsets.append(self.offsets[-1] + distance_m(a.latitude, a.longitude, b.latitude, b.longitude))
        self.length_m = self.offsets[-1]

    def segment(self, travelled: float) -> int:
        for index in range(len(self.offsets) - 1):
            if travelled < self.offsets[index + 1]:
                return index
        return len(self.offsets) - 2

    def position(self, travelled: float) -> tuple[float, float, float]:
        """(latitude, longitude, heading) after `travelled` metres."""
        index = self.segment(travelled)
        a, b = self.waypoints[index], self.waypoints[index + 1]
        span = self.offsets[index + 1] - self.offsets[index]
        fraction = 0.0 if span <= 0 else min(1.0, max(0.0, (travelled - self.offsets[index]) / span))
        lat = a.latitude + (b.latitude - a.latitude) * fraction
        lon = a.longitude + (b.longitude - a.longitude) * fraction
        return lat, lon, bearing_deg(a.latitude, a.longitude, b.latitude, b.longitude)


class Driver:
    """Follows a route: accelerates at up to `accel`, brakes at up to `brake`, stops where the route says."""

    def __init__(self, route: Route, accel: float = 1.8, brake: float = 2.2) -> None:
        self.route = route
        self.accel = accel
        self.brake = brake
        self.travelled = 0.0
        self.speed = 0.0
        self.waiting = 0.0
        self.stopped_at: set[int] = set()
        self.finished = False

    def _next_stop(self) -> tuple[float, int] | None:
        for index in range(1, len(self.route.waypoints)):
            end = index == len(self.route.waypoints) - 1
            if self.route.offsets[index] > self.travelled - 0.5 and index not in self.stopped_at and (
                    end or self.route.waypoints[index].stop_s > 0):
                return self.route.offsets[index], index
        return None

    def step(self, dt: float) -> tuple[float, float]:
        """Advance `dt` seconds; returns (acceleration m/s², grade)."""
        if self.finished:
            return 0.0, 0.0
        index = self.route.segment(self.travelled)
        grade = self.route.waypoints[index].grade
        if self.waiting > 0:
            self.waiting = max(0.0, self.waiting - dt)
            return 0.0, grade
        limit = self.route.waypoints[index].speed_limit_kmh / 3.6
        target = limit
        stop = self._next_stop()
        if stop is not None:
            distance = max(0.0, stop[0] - self.travelled)
            target = min(target, math.sqrt(2 * self.brake * max(0.0, distance - 1.0)))
            if distance < 1.0 and self.speed < 1.0:
                self.travelled, self.speed = stop[0], 0.0
                self.stopped_at.add(stop[1])
                if stop[1] == len(self.route.waypoints) - 1:
                    self.finished = True
                else:
                    self.waiting = self.route.waypoints[stop[1]].stop_s
                return 0.0, grade
        if self.speed < target:
            accel = min(self.accel, (target - self.speed) / dt)
        else:
            accel = -min(self.brake * 1.5, (self.speed - target) / dt)
        new_speed = max(0.0, self.speed + accel * dt)
        self.travelled += (self.speed + new_speed) / 2 * dt
        self.speed = new_speed
        if stop is not None and self.travelled > stop[0]:
            self.travelled = stop[0]
        return accel, grade
