"""Summaries per day, week or month, in the household's time zone: distance, energy, efficiency, charging, cost,
vampire drain, and efficiency against the outside temperature.

Sessions are stored with UTC epoch times; a session belongs to the local day (week, month) it started in, by the
time zone given (zoneinfo), so a change of the configured zone re-buckets the same sessions and days with a
daylight-saving change are 23 or 25 hours long. A drive across midnight is one drive, counted on the day it began.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable
from typing import Literal

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
TEMPERATURE_BAND_C = 5.0
Row = dict[str, object]


def bucket_date(ts: float, period: Period, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The local date a bucket starts on: the day itself, the Monday of its ISO week, or the 1st of its month."""
    day = dt.datetime.fromtimestamp(ts, zone).date()
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def next_bucket(start: dt.date, period: Period) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).timestamp()


def _number(row: Row, key: str) -> float | None:
    value = row.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class _Totals:
    """Running sums for one bucket or one temperature band."""

    def __init__(self) -> None:
        self.drives = 0
        self.distance_m = 0.0
        self.driving_s = 0.0
        self.energy_kwh = 0.0
        self.efficiency_energy_kwh = 0.0
        self.efficiency_distance_m = 0.0
        self.temperature_weighted = 0.0
        self.temperature_distance = 0.0
        self.charges = 0
        self.charged_kwh = 0.0
        self.charged_wall_kwh = 0.0
        self.costs: dict[str, float] = {}
        self.soc_lost_parked = 0.0
        self.parked_idle_s = 0.0

    def add_drive(self, drive: Row) -> None:
        distance = _number(drive, "distance_m") or 0.0
        energy = _number(drive, "energy_kwh")
        temperature = _number(drive, "outside_temp_c")
        self.drives += 1
        self.distance_m += distance
        self.driving_s += _number(drive, "duration_s") or 0.0
        if energy is not None:
            self.energy_kwh += energy
            if distance > 0:
                self.efficiency_energy_kwh += energy
                self.efficiency_distance_m += distance
        if temperature is not None and distance > 0:
            self.temperature_weighted += temperature * distance
            self.temperature_distance += distance

    def add_charge(self, charge: Row) -> None:
        self.charges += 1
        added = _number(charge, "energy_added_kwh") or 0.0
        self.charged_kwh += added
        self.charged_wall_kwh += _number(charge, "energy_wall_kwh") or added
        cost, currency = _number(charge, "cost"), charge.get("currency")
        if cost is not None and isinstance(currency, str):
            self.costs[currency] = self.costs.get(currency, 0.0) + cost

    def add_parked(self, period: Row) -> None:
        self.soc_lost_parked += _number(period, "soc_lost") or 0.0
        self.parked_idle_s += _number(period, "idle_s") or 0.0

    def efficiency(self) -> float | None:
        if self.efficiency_distance_m < 100:
            return None
        return round(self.efficiency_energy_kwh * 1000 / (self.efficiency_distance_m / 1000), 1)

    def to_json(self) -> dict[str, object]:
        return {
            "drives": self.drives, "distance_km": round(self.distance_m / 1000, 3),
            "driving_s": round(self.driving_s, 1), "energy_kwh": round(self.energy_kwh, 4),
            "efficiency_wh_km": self.efficiency(),
            "outside_temp_c": (round(self.temperature_weighted / self.temperature_distance, 1)
                               if self.temperature_distance > 0 else None),
            "charges": self.charges, "charged_kwh": round(self.charged_kwh, 4),
            "charged_wall_kwh": round(self.charged_wall_kwh, 4),
            "cost": {currency: round(value, 2) for currency, value in sorted(self.costs.items())},
            "soc_lost_parked": round(self.soc_lost_parked, 2),
            "drain_per_day": (round(self.soc_lost_parked / self.parked_idle_s * 86_400, 2)
                              if self.parked_idle_s >= 3600 else None),
        }


def summarise(drives: Iterable[Row], charges: Iterable[Row], parked: Iterable[Row], period: Period,
              zone: zoneinfo.ZoneInfo) -> dict[str, object]:
    """Buckets (oldest first; only those with something in them) and efficiency by outside temperature."""
    buckets: dict[dt.date, _Totals] = {}
    bands: dict[int, _Totals] = {}
    for drive in drives:
        start = _number(drive, "start_ts")
        if start is None:
            continue
        buckets.setdefault(bucket_date(start, period, zone), _Totals()).add_drive(drive)
        temperature = _number(drive, "outside_temp_c")
        if temperature is not None:
            bands.setdefault(math.floor(temperature / TEMPERATURE_BAND_C), _Totals()).add_drive(drive)
    for charge in charges:
        start = _number(charge, "start_ts")
        if start is not None:
            buckets.setdefault(bucket_date(start, period, zone), _Totals()).add_charge(charge)
    for period_row in parked:
        start = _number(period_row, "start_ts")
        if start is not None:
            buckets.setdefault(bucket_date(start, period, zone), _Totals()).add_parked(period_row)
    out = []
    total = _Totals()
    for day in sorted(buckets):
        totals = buckets[day]
        end = next_bucket(day, period)
        out.append({"start": day.isoformat(), "end": end.isoformat(), "start_ts": local_midnight(day, zone),
                    "end_ts": local_midnight(end, zone), **totals.to_json()})
        _merge(total, totals)
    by_temperature = []
    for band in sorted(bands):
        figures = bands[band].to_json()
        by_temperature.append({"from_c": band * TEMPERATURE_BAND_C, "to_c": (band + 1) * TEMPERATURE_BAND_C,
                            "drives": figures["drives"], "distance_km": figures["distance_km"],
                            "energy_kwh": figures["energy_kwh"], "efficiency_wh_km": figures["efficiency_wh_km"]})
    return {"period": period, "timezone": zone.key, "buckets": out, "total": total.to_json(),
            "efficiency_by_temperature": by_temperature}


def _merge(into: _Totals, other: _Totals) -> None:
    for name, value in vars(other).items():
        if name == "costs":
            for currency, cost in other.costs.items():
                into.costs[currency] = into.costs.get(currency, 0.0) + cost
        else:
            setattr(into, name, getattr(into, name) + value)
