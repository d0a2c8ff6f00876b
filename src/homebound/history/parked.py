"""Parked periods: where the car stood, for how long, and what it lost standing there (vampire drain).

A parked period runs from the end of one drive to the start of the next. Vampire drain is the state of charge
lost while parked and not charging: the period is cut into stretches at each charging session, and each
stretch loses `max(0, state of charge at its start - at its end)` — so a battery management system that
re-estimates the state of charge up and down by a tenth adds nothing, and energy charged never hides a loss.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MIN_IDLE_FOR_RATE_S = 3600.0


@dataclass(slots=True)
class ParkedPeriod:
    """A finished parked period, as stored and served."""

    id: str
    vehicle: str
    start_ts: float
    end_ts: float
    latitude: float | None
    longitude: float | None
    zone: str | None
    soc_start: float | None
    soc_end: float | None
    soc_lost: float
    idle_s: float
    charging_s: float
    drain_per_day: float | None
    energy_lost_kwh: float | None

    def to_row(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class ParkedInProgress:
    """An open parked period; saved whole at each checkpoint."""

    id: str
    vehicle: str
    start_ts: float
    latitude: float | None = None
    longitude: float | None = None
    zone: str | None = None
    soc_start: float | None = None
    soc_last: float | None = None
    stretch_soc: float | None = None
    stretch_ts: float | None = None
    charging_since: float | None = None
    soc_lost: float = 0.0
    idle_s: float = 0.0
    charging_s: float = 0.0

    @classmethod
    def begin(cls, parked_id: str, vehicle: str, ts: float, position: tuple[float, float] | None,
              zone: str | None, soc: float | None, charging: bool) -> ParkedInProgress:
        period = cls(parked_id, vehicle, ts, zone=zone, soc_start=soc, soc_last=soc)
        if position is not None:
            period.latitude, period.longitude = position
        if charging:
            period.charging_since = ts
        else:
            period.stretch_soc, period.stretch_ts = soc, ts
        return period

    def soc(self, value: float) -> None:
        if self.soc_start is None:
            self.soc_start = value
        if self.stretch_soc is None and self.charging_since is None:
            self.stretch_soc = value
        self.soc_last = value

    def charging_started(self, ts: float) -> None:
        self._close_stretch(ts)
        self.charging_since = ts

    def charging_ended(self, ts: float) -> None:
        if self.charging_since is not None:
            self.charging_s += max(0.0, ts - self.charging_since)
        self.charging_since = None
        self.stretch_soc, self.stretch_ts = self.soc_last, ts

    def _close_stretch(self, ts: float) -> None:
        if self.stretch_ts is not None:
            self.idle_s += max(0.0, ts - self.stretch_ts)
            if self.stretch_soc is not None and self.soc_last is not None:
                self.soc_lost += max(0.0, self.stretch_soc - self.soc_last)
        self.stretch_soc = self.stretch_ts = None

    def finish(self, end_ts: float, capacity_kwh: float | None) -> ParkedPeriod:
        if self.charging_since is not None:
            self.charging_ended(end_ts)
        self._close_stretch(end_ts)
        rate = self.soc_lost / self.idle_s * 86_400 if self.idle_s >= MIN_IDLE_FOR_RATE_S else None
        return ParkedPeriod(
            id=self.id, vehicle=self.vehicle, start_ts=self.start_ts, end_ts=end_ts, latitude=self.latitude,
            longitude=self.longitude, zone=self.zone, soc_start=self.soc_start, soc_end=self.soc_last,
            soc_lost=round(self.soc_lost, 3), idle_s=round(self.idle_s, 3), charging_s=round(self.charging_s, 3),
            drain_per_day=None if rate is None else round(rate, 3),
            energy_lost_kwh=None if capacity_kwh is None else round(self.soc_lost / 100 * capacity_kwh, 4))

    def figures(self, now: float) -> dict[str, object]:
        return {"id": self.id, "vehicle": self.vehicle, "start_ts": self.start_ts, "zone": self.zone,
                "latitude": self.latitude, "longitude": self.longitude, "soc_start": self.soc_start,
                "soc_now": self.soc_last, "duration_s": round(max(0.0, now - self.start_ts), 3),
                "charging": self.charging_since is not None, "in_progress": True}

    @classmethod
    def from_state(cls, state: dict[str, object]) -> ParkedInProgress:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in state.items() if k in known})  # type: ignore[arg-type]
