"""What charging cost: the price per kWh of the place's tariff, by the household's local time of day.

Energy arrives in small increments over time (a counter step, or power times a second); each increment is priced
over the interval it was delivered in, split where a time-of-day window begins or ends, so a charge from 21:30 to
23:00 with a cheaper rate from 22:00 pays each part at its rate. Local time comes from the household's time zone
(zoneinfo), so daylight saving changes fall where they should. The current price segment is cached: pricing an
increment is two comparisons until the next window boundary.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from homebound.history.config import EVERYWHERE, TariffConfig

_DAY_S = 86_400


def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


class PriceSchedule:
    """One tariff's price over time in one time zone."""

    def __init__(self, tariff: TariffConfig, zone: zoneinfo.ZoneInfo) -> None:
        self.tariff = tariff
        self.zone = zone
        self.currency = tariff.currency
        # (start, end) as seconds after local midnight; a window over midnight has end <= start.
        self._windows = [(_seconds(w.start), _seconds(w.end), w.price_per_kwh) for w in tariff.time_of_day]
        self._marks = sorted({mark for start, end, _ in self._windows for mark in (start, end)})
        self._segment = (0.0, 0.0, tariff.price_per_kwh)  # valid from, valid until, price

    def price_at_local(self, second_of_day: int) -> float:
        for start, end, price in self._windows:
            inside = start <= second_of_day < end if start < end else (second_of_day >= start or second_of_day < end)
            if inside:
                return price
        return self.tariff.price_per_kwh

    def segment(self, ts: float) -> tuple[float, float, float]:
        """(from, until, price): the stretch of time around `ts` with one price."""
        start, until, _ = self._segment
        if start <= ts < until:
            return self._segment
        if not self._marks:
            self._segment = (float("-inf"), float("inf"), self.tariff.price_per_kwh)
            return self._segment
        local = dt.datetime.fromtimestamp(ts, self.zone)
        second = local.hour * 3600 + local.minute * 60 + local.second
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        before = max((m for m in self._marks if m <= second), default=None)
        after = min((m for m in self._marks if m > second), default=None)
        begin = (self._at(midnight, before) if before is not None
                 else self._at(midnight - dt.timedelta(days=1), self._marks[-1]))
        end = (self._at(midnight, after) if after is not None
               else self._at(midnight + dt.timedelta(days=1), self._marks[0]))
        if not begin <= ts < end:  # a daylight-saving jump inside the stretch: price this instant alone
            return (ts, ts + 1.0, self.price_at_local(second))
        self._segment = (begin, end, self.price_at_local(second))
        return self._segment

    def _at(self, midnight: dt.datetime, second_of_day: int) -> float:
        day = dt.date(midnight.year, midnight.month, midnight.day)
        clock = dt.time(second_of_day // 3600, second_of_day // 60 % 60, second_of_day % 60)
        return dt.datetime.combine(day, clock, tzinfo=self.zone).timestamp()

    def cost(self, kwh: float, since: float, until: float) -> float:
        """The price of `kwh` delivered evenly between `since` and `until` (epoch seconds)."""
        if kwh == 0:
            return 0.0
        if until <= since:
            return kwh * self.segment(until)[2]
        total = 0.0
        span = until - since
        cursor = since
        for _ in range(10_000):  # bounded: a month of hourly windows is far below this
            _, segment_end, price = self.segment(cursor)
            stop = min(until, segment_end)
            total += kwh * (stop - cursor) / span * price
            if stop >= until:
                return total
            cursor = stop
        return total + kwh * (until - cursor) / span * self.segment(until)[2]


class TariffBook:
    """The configured tariffs by zone; `*` prices every place without a tariff of its own."""

    def __init__(self, tariffs: Iterable[TariffConfig], zone: zoneinfo.ZoneInfo) -> None:
        self.zone = zone
        self._by_zone = {tariff.zone: tariff for tariff in tariffs}

    def schedule(self, place_zone: str | None) -> tuple[str, PriceSchedule] | None:
        """(the tariff's zone key, its schedule) for a place, None when no tariff applies."""
        key = place_zone if place_zone in self._by_zone else EVERYWHERE
        tariff = self._by_zone.get(key)
        return None if tariff is None else (key, PriceSchedule(tariff, self.zone))

    def zones(self) -> list[str]:
        return [zone for zone in self._by_zone if zone != EVERYWHERE]
