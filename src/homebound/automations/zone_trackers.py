"""Where a thing is relative to a zone, decided robustly: zone presence and proximity.

GPS is noisy, so presence uses the fix's accuracy, hysteresis and a debounce: a fix counts as inside only if its
error circle does not reach out of the zone, as outside only if it lies wholly beyond the edge (30 m further
once inside), a fix in between changes nothing, and a change must hold for `debounce_s` before it counts.
Proximity decides "towards" over a distance and time window, so a stop at a red light near home is still
"towards", and drift while parked is "stationary".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from homebound.model.geometry import Zone

HYSTERESIS_M = 30.0


@dataclass
class ZonePresence:
    """Inside or outside one zone, with accuracy, hysteresis and a debounce."""

    zone: Zone
    debounce_s: float = 30.0
    inside: bool | None = None
    candidate: bool | None = None
    candidate_since: float | None = None

    def update(self, distance_to_centre: float, accuracy_m: float, ts: float) -> str | None:
        """Feed a fix; returns "enter" or "leave" when presence changes (after the debounce), else None."""
        radius = self.zone.radius_m
        accuracy = max(0.0, accuracy_m)
        # Clearly inside: the whole error circle overlaps the zone's inner part; clearly outside: beyond margin.
        if distance_to_centre + min(accuracy, radius) <= radius + (HYSTERESIS_M if self.inside else 0.0):
            observed: bool | None = True
        elif distance_to_centre - accuracy > radius + (HYSTERESIS_M if self.inside else 0.0):
            observed = False
        else:
            observed = None  # too uncertain to say: keep what we had
        if self.inside is None and observed is not None:
            self.inside = observed  # the first clear fix sets the state without an event
            return None
        if observed is None or observed == self.inside:
            self.candidate, self.candidate_since = None, None
            return None
        if self.candidate != observed:
            self.candidate, self.candidate_since = observed, ts
        if self.candidate_since is not None and ts - self.candidate_since >= self.debounce_s:
            self.inside = observed
            self.candidate, self.candidate_since = None, None
            return "enter" if observed else "leave"
        return None

    def to_json(self) -> dict[str, object]:
        return {"inside": self.inside, "candidate": self.candidate, "candidate_since": self.candidate_since}

    def restore(self, state: dict[str, object]) -> None:
        self.inside = state.get("inside")  # type: ignore[assignment]
        self.candidate = state.get("candidate")  # type: ignore[assignment]
        since = state.get("candidate_since")
        self.candidate_since = float(since) if isinstance(since, int | float) else None


@dataclass
class Proximity:
    """Distance to a zone's edge and the direction of travel, decided over a window.

    Direction compares the distance now with the distance at the start of the window (the last `window_s`
    seconds, or at least `min_move_m` of change): getting closer by more than `min_move_m` is "towards", further
    by more is "away", and anything in between keeps the previous direction unless the thing has not moved for
    `stationary_s` (a red light is shorter than that).
    """

    zone: Zone
    window_s: float = 120.0
    min_move_m: float = 100.0
    stationary_s: float = 300.0
    samples: deque[tuple[float, float]] = field(default_factory=deque)
    direction: str = "unknown"
    last_moved: float | None = None
    distance_m: float | None = None

    def update(self, distance_to_edge: float, ts: float) -> str:
        self.distance_m = distance_to_edge
        samples = self.samples
        if (samples and abs(samples[-1][1] - distance_to_edge) >= 5.0) or self.last_moved is None:
            self.last_moved = ts
        samples.append((ts, distance_to_edge))
        while len(samples) > 2 and samples[1][0] <= ts - self.window_s:
            samples.popleft()
        change = distance_to_edge - samples[0][1]
        if change <= -self.min_move_m:
            self.direction = "towards"
        elif change >= self.min_move_m:
            self.direction = "away"
        elif self.last_moved is not None and ts - self.last_moved >= self.stationary_s:
            self.direction = "stationary"
        return self.direction

    def speed_towards_mps(self) -> float | None:
        """Average closing speed over the window (m/s), for arrival estimates."""
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        if t1 - t0 <= 0:
            return None
        return (d0 - d1) / (t1 - t0)

    def minutes_to_arrival(self) -> float | None:
        speed = self.speed_towards_mps()
        if self.distance_m is None:
            return None
        if self.distance_m <= 0:
            return 0.0
        if speed is None or speed <= 0.5:
            return None
        return self.distance_m / speed / 60

    def to_json(self) -> dict[str, object]:
        return {"samples": list(self.samples), "direction": self.direction, "last_moved": self.last_moved,
                "distance_m": self.distance_m}

    def restore(self, state: dict[str, object]) -> None:
        samples = state.get("samples")
        pairs = samples if isinstance(samples, list) else []
        self.samples = deque((float(t), float(d)) for t, d in pairs)
        self.direction = str(state.get("direction", "unknown"))
        last = state.get("last_moved")
        self.last_moved = float(last) if isinstance(last, int | float) else None
        distance = state.get("distance_m")
        self.distance_m = float(distance) if isinstance(distance, int | float) else None
