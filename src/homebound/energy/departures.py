"""When the car leaves next: said by the user, set in a weekly schedule, or learned from past drives.

The drive history (trips) lives elsewhere; this module needs only a `DepartureHistory`, the list of a vehicle's
past departures. From it the usual departure per weekday is the median of each day's first departure after
`day_starts` (the morning drive, not the evening errand), over the last `weeks` weeks; how sure we are is the
share of those weeks whose departure fell within `window_min` of it. A weekday with too few drives or too much
scatter has no usual departure. The user's word beats the schedule, which beats the prediction.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from homebound.model.time_of_day import WEEKDAYS

WEEKDAY_NAMES = WEEKDAYS
DepartureSource = Literal["user", "schedule", "predicted"]


class DepartureHistory(Protocol):
    """Past departures (trip starts) of a vehicle, oldest first; from the drive history."""

    def departures(self, vehicle_id: str, since: dt.datetime) -> Sequence[dt.datetime]: ...


@dataclass(frozen=True)
class UsualDeparture:
    """The usual departure on one weekday: the time, how sure (0..1), and from how many drives."""

    weekday: int
    time: dt.time
    confidence: float
    samples: int
    spread_min: float

    def to_json(self) -> dict[str, object]:
        return {"weekday": WEEKDAY_NAMES[self.weekday], "time": self.time.strftime("%H:%M"),
                "confidence": round(self.confidence, 2), "samples": self.samples,
                "spread_min": round(self.spread_min, 1)}


@dataclass(frozen=True)
class Departure:
    """The next departure the planner works to, and where it came from."""

    at: dt.datetime
    source: DepartureSource
    confidence: float | None = None

    def describe(self) -> str:
        when = self.at.strftime("%a %H:%M")
        if self.source == "predicted" and self.confidence is not None:
            return f"{when} (usual departure, {self.confidence:.0%} sure)"
        return f"{when} ({'set by you' if self.source == 'user' else 'schedule'})"

    def to_json(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "source": self.source,
                "confidence": None if self.confidence is None else round(self.confidence, 2)}


class DeparturePredictor:
    """Learns each weekday's usual departure of a vehicle from its drive history."""

    def __init__(self, history: DepartureHistory, tz: dt.tzinfo, weeks: int = 8, day_starts: dt.time = dt.time(4),
                 window_min: float = 45.0, min_samples: int = 3, min_confidence: float = 0.6) -> None:
        self.history = history
        self.tz = tz
        self.weeks = weeks
        self.day_starts = day_starts
        self.window_min = window_min
        self.min_samples = min_samples
        self.min_confidence = min_confidence

    def usual(self, vehicle_id: str, now: dt.datetime) -> dict[int, UsualDeparture]:
        """Each weekday's usual departure (weekdays without one are left out)."""
        since = now - dt.timedelta(weeks=self.weeks)
        first_of_day: dict[dt.date, float] = {}
        for departed in self.history.departures(vehicle_id, since):
            if departed.tzinfo is None:
                departed = departed.replace(tzinfo=self.tz)
            local = departed.astimezone(self.tz)
            if not (since <= local < now) or local.time() < self.day_starts:
                continue
            minutes = local.hour * 60 + local.minute + local.second / 60
            day = local.date()
            if day not in first_of_day or minutes < first_of_day[day]:
                first_of_day[day] = minutes
        if not first_of_day:
            return {}
        observed_from = max(since.date(), min(first_of_day))
        by_weekday: dict[int, list[float]] = {}
        for day, minutes in first_of_day.items():
            by_weekday.setdefault(day.weekday(), []).append(minutes)
        out: dict[int, UsualDeparture] = {}
        for weekday, times in by_weekday.items():
            if len(times) < self.min_samples:
                continue
            middle = statistics.median(times)
            near = [t for t in times if abs(t - middle) <= self.window_min]
            weeks_seen = self._weeks_with(weekday, observed_from, now.date())
            confidence = min(1.0, len(near) / max(weeks_seen, len(times)))
            usual = statistics.mean(near)
            spread = statistics.pstdev(near) if len(near) > 1 else 0.0
            rounded = int(round(usual / 5) * 5) % (24 * 60)
            out[weekday] = UsualDeparture(weekday, dt.time(rounded // 60, rounded % 60), confidence, len(near),
                                          spread)
        return out

    @staticmethod
    def _weeks_with(weekday: int, first: dt.date, today: dt.date) -> int:
        """How many times `weekday` occurred from the first recorded drive until today: the chances to drive."""
        count, day = 0, first
        while day < today:
            count += day.weekday() == weekday
            day += dt.timedelta(days=1)
        return count

    def next_departure(self, vehicle_id: str, now: dt.datetime) -> Departure | None:
        """The next usual departure after `now` that is sure enough, within a week."""
        usual = self.usual(vehicle_id, now)
        for offset in range(8):
            day = (now + dt.timedelta(days=offset)).date()
            found = usual.get(day.weekday())
            if found is None or found.confidence < self.min_confidence:
                continue
            at = dt.datetime.combine(day, found.time, tzinfo=self.tz)
            if at > now:
                return Departure(at, "predicted", found.confidence)
        return None


def next_scheduled(schedule: Mapping[int, dt.time], now: dt.datetime, tz: dt.tzinfo) -> Departure | None:
    """The next departure of a weekly schedule (weekday → time of day)."""
    local = now.astimezone(tz)
    for offset in range(8):
        day = (local + dt.timedelta(days=offset)).date()
        clock = schedule.get(day.weekday())
        if clock is None:
            continue
        at = dt.datetime.combine(day, clock, tzinfo=tz)
        if at > local:
            return Departure(at, "schedule")
    return None


def choose_departure(now: dt.datetime, user: dt.datetime | None, scheduled: Departure | None,
                     predicted: Departure | None) -> Departure | None:
    """The user's departure while it lies ahead, else the schedule's, else the prediction."""
    if user is not None and user > now:
        return Departure(user, "user")
    return scheduled or predicted
