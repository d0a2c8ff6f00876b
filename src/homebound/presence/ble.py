"""Bluetooth distances smoothed: one running average per (tag, station), forgotten when the tag goes quiet.

A single sighting jumps by metres (a body between phone and station, a reflection), so each new distance moves
the average by a fraction (`smoothing`), and a jump away is believed more slowly than a step closer (a phone
in a pocket reads far more often than it really is). A tag not heard from a station for `timeout_s` is gone
from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Smoothed:
    distance_m: float
    last_seen: float
    samples: int = 1


class BleDistances:
    """Smoothed distances of tags to stations."""

    def __init__(self, smoothing: float = 0.35, timeout_s: float = 15.0, max_pairs: int = 10_000) -> None:
        self.smoothing = smoothing
        self.timeout_s = timeout_s
        self.max_pairs = max_pairs
        self._pairs: dict[tuple[str, str], Smoothed] = {}

    def add(self, tag: str, station: str, distance_m: float, ts: float) -> float:
        """Take a sighting; returns the smoothed distance."""
        key = (tag, station)
        current = self._pairs.get(key)
        if current is None or ts - current.last_seen > self.timeout_s:
            if current is None and len(self._pairs) >= self.max_pairs:
                self.forget_stale(ts)
                if len(self._pairs) >= self.max_pairs:
                    return distance_m  # too many unknown pairs: not kept (a flood of made-up tags)
            self._pairs[key] = Smoothed(distance_m, ts)
            return distance_m
        weight = self.smoothing if distance_m <= current.distance_m else self.smoothing / 2
        current.distance_m += weight * (distance_m - current.distance_m)
        current.last_seen = ts
        current.samples += 1
        return current.distance_m

    def distance(self, tag: str, station: str, now: float) -> float | None:
        """The smoothed distance, or None when the tag has not been heard there within the timeout."""
        current = self._pairs.get((tag, station))
        if current is None or now - current.last_seen > self.timeout_s:
            return None
        return current.distance_m

    def nearest(self, tags: list[str], now: float, stations: set[str] | None = None) -> tuple[str, float] | None:
        """The closest (station, distance) any of the tags is heard at now (among `stations`, if given)."""
        best: tuple[str, float] | None = None
        for (tag, station), current in self._pairs.items():
            if tag not in tags or (stations is not None and station not in stations):
                continue
            if now - current.last_seen > self.timeout_s:
                continue
            if best is None or current.distance_m < best[1]:
                best = (station, current.distance_m)
        return best

    def forget_stale(self, now: float) -> None:
        for key in [k for k, v in self._pairs.items() if now - v.last_seen > self.timeout_s]:
            del self._pairs[key]
