"""What a kilowatt-hour costs, and when: a fixed price, prices by time of day, or a dynamic series.

A tariff answers two questions: the price at an instant (for the ledger) and the prices over a window, as slots
split wherever the price changes (for the planner). Every tariff also knows what exported solar earns
(`feed_in`), which is what charging the car from the sun costs: the feed-in given up. Dynamic prices arrive over
MQTT or REST from outside, so `DynamicTariff.update` treats them as hostile: bounded in number, finite, ordered,
each bad slot named and the good ones kept.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_SLOTS_PER_UPDATE = 2_000   # a fortnight of 15-minute prices
MAX_SLOTS_KEPT = 5_000
MAX_SLOT_S = 86_400.0          # a price slot longer than a day is a mistake, not a tariff
MAX_ABS_PRICE = 100.0          # per kWh; real prices, even in a crisis, stay far below
KEEP_PAST_S = 86_400.0


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """A price for grid energy from `start` to `end` (epoch seconds), per kWh in the tariff's currency."""

    start: float
    end: float
    price: float

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600.0


class Tariff(Protocol):
    """The price of grid energy over time and what exported solar earns."""

    feed_in: float
    currency: str

    def price_at(self, ts: float) -> float: ...

    def slots(self, start: float, end: float) -> list[PriceSlot]:
        """Contiguous slots covering [start, end), split wherever the price changes."""
        ...

    def reference_price(self) -> float:
        """The usual price, against which savings are counted."""
        ...

    def describe(self) -> str: ...


def _split(start: float, end: float, boundaries: Iterable[float],
           price_at: Callable[[float], float]) -> list[PriceSlot]:
    cuts = sorted({start, end, *(b for b in boundaries if start < b < end)})
    out: list[PriceSlot] = []
    for begin, finish in itertools.pairwise(cuts):
        price = price_at((begin + finish) / 2)
        if out and out[-1].price == price and out[-1].end == begin:
            out[-1] = PriceSlot(out[-1].start, finish, price)
        else:
            out.append(PriceSlot(begin, finish, price))
    return out


class FixedTariff:
    """One price at all times."""

    def __init__(self, price: float, feed_in: float = 0.0, currency: str = "EUR",
                 reference: float | None = None) -> None:
        self.price = price
        self.feed_in = feed_in
        self.currency = currency
        self._reference = price if reference is None else reference

    def price_at(self, ts: float) -> float:
        return self.price

    def slots(self, start: float, end: float) -> list[PriceSlot]:
        return [PriceSlot(start, end, self.price)] if end > start else []

    def reference_price(self) -> float:
        return self._reference

    def describe(self) -> str:
        return f"fixed {self.price:.4g} {self.currency}/kWh"


@dataclass(frozen=True, slots=True)
class PriceZone:
    """A price that holds from `start` to `end` local time (across midnight when end <= start), on some weekdays."""

    start: dt.time
    end: dt.time
    price: float
    weekdays: frozenset[int] = frozenset(range(7))  # Monday is 0

    def covers(self, local: dt.datetime) -> bool:
        clock = local.time()
        if self.start < self.end:
            return local.weekday() in self.weekdays and self.start <= clock < self.end
        if clock >= self.start:  # the evening part of a zone that runs past midnight
            return local.weekday() in self.weekdays
        return clock < self.end and (local.weekday() - 1) % 7 in self.weekdays


class TimeOfDayTariff:
    """Prices by time of day (off-peak nights, peak evenings); the first zone that covers an instant wins."""

    def __init__(self, zones: Sequence[PriceZone], default: float, tz: dt.tzinfo, feed_in: float = 0.0,
                 currency: str = "EUR", reference: float | None = None) -> None:
        self.zones = list(zones)
        self.default = default
        self.tz = tz
        self.feed_in = feed_in
        self.currency = currency
        self._reference = reference

    def price_at(self, ts: float) -> float:
        local = dt.datetime.fromtimestamp(ts, self.tz)
        for zone in self.zones:
            if zone.covers(local):
                return zone.price
        return self.default

    def _boundaries(self, start: float, end: float) -> list[float]:
        first = dt.datetime.fromtimestamp(start, self.tz).date() - dt.timedelta(days=1)
        last = dt.datetime.fromtimestamp(end, self.tz).date() + dt.timedelta(days=1)
        out: list[float] = []
        day = first
        while day <= last:
            for zone in self.zones:
                for clock in (zone.start, zone.end):
                    out.append(dt.datetime.combine(day, clock, tzinfo=self.tz).timestamp())
            out.append(dt.datetime.combine(day, dt.time(0), tzinfo=self.tz).timestamp())
            day += dt.timedelta(days=1)
        return out

    def slots(self, start: float, end: float) -> list[PriceSlot]:
        if end <= start:
            return []
        return _split(start, end, self._boundaries(start, end), self.price_at)

    def reference_price(self) -> float:
        """The configured reference, else the time-weighted mean price over a week."""
        if self._reference is not None:
            return self._reference
        monday = dt.datetime.combine(dt.date(2024, 1, 1), dt.time(0), tzinfo=self.tz).timestamp()
        week = self.slots(monday, monday + 7 * 86_400)
        return sum(s.price * s.hours for s in week) / (7 * 24)

    def describe(self) -> str:
        zones = ", ".join(f"{z.start:%H:%M}-{z.end:%H:%M} {z.price:.4g}" for z in self.zones)
        return f"time of day: {zones}; otherwise {self.default:.4g} {self.currency}/kWh"


@dataclass
class PriceUpdate:
    """What became of a price series sent to a dynamic tariff."""

    accepted: int
    errors: list[str]


class DynamicTariff:
    """A price series fed from outside (a utility's day-ahead prices over MQTT or REST).

    Beyond the known series (tomorrow's prices are published around noon) the planner needs a guess: the
    configured fallback price.
    """

    def __init__(self, fallback: float, feed_in: float = 0.0, currency: str = "EUR",
                 reference: float | None = None) -> None:
        self.fallback = fallback
        self.feed_in = feed_in
        self.currency = currency
        self._reference = reference
        self._starts: list[float] = []
        self._slots: list[PriceSlot] = []
        self.updated_at: float | None = None
        self.source: str | None = None

    @property
    def known(self) -> list[PriceSlot]:
        return list(self._slots)

    def update(self, slots: Iterable[object], now: float, source: str = "unknown") -> PriceUpdate:
        """Replace the prices over the span the new slots cover; bad slots are named and skipped."""
        good: list[PriceSlot] = []
        errors: list[str] = []
        for index, raw in enumerate(slots):
            if index >= MAX_SLOTS_PER_UPDATE:
                errors.append(f"more than {MAX_SLOTS_PER_UPDATE} slots: the rest were ignored")
                break
            problem = _slot_problem(raw)
            if problem is not None:
                errors.append(f"slot {index}: {problem}")
                continue
            assert isinstance(raw, PriceSlot)
            good.append(raw)
        good.sort(key=lambda s: s.start)
        kept: list[PriceSlot] = []
        for slot in good:
            if kept and slot.start < kept[-1].end:
                errors.append(f"slot starting {_stamp(slot.start)} overlaps the one before it: ignored")
                continue
            kept.append(slot)
        if kept:
            first, last = kept[0].start, kept[-1].end
            others = [s for s in self._slots if s.end <= first or s.start >= last]
            merged = sorted([*others, *kept], key=lambda s: s.start)
            merged = [s for s in merged if s.end > now - KEEP_PAST_S][-MAX_SLOTS_KEPT:]
            self._slots = merged
            self._starts = [s.start for s in merged]
            self.updated_at = now
            self.source = source
        return PriceUpdate(len(kept), errors)

    def price_at(self, ts: float) -> float:
        index = bisect.bisect_right(self._starts, ts) - 1
        if index >= 0 and self._slots[index].end > ts:
            return self._slots[index].price
        return self.fallback

    def slots(self, start: float, end: float) -> list[PriceSlot]:
        if end <= start:
            return []
        edges = [edge for s in self._slots if s.end > start and s.start < end for edge in (s.start, s.end)]
        return _split(start, end, edges, self.price_at)

    def known_until(self) -> float | None:
        return self._slots[-1].end if self._slots else None

    def reference_price(self) -> float:
        return self.fallback if self._reference is None else self._reference

    def describe(self) -> str:
        until = self.known_until()
        known = f"prices known until {_stamp(until)}" if until else "no prices received yet"
        return f"dynamic ({known}); otherwise {self.fallback:.4g} {self.currency}/kWh"


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _slot_problem(raw: object) -> str | None:
    if not isinstance(raw, PriceSlot):
        return f"not a price slot: {str(raw)[:80]!r}"
    if not (_finite(raw.start) and _finite(raw.end)):
        return "start and end must be finite times"
    if not _finite(raw.price):
        return f"price {raw.price!r} is not a finite number"
    if raw.end <= raw.start:
        return f"ends ({_stamp(raw.end)}) before it starts ({_stamp(raw.start)})"
    if raw.end - raw.start > MAX_SLOT_S:
        return f"lasts {(raw.end - raw.start) / 3600:.0f} h; a slot lasts at most 24 h"
    if abs(raw.price) > MAX_ABS_PRICE:
        return f"price {raw.price!r} per kWh is outside ±{MAX_ABS_PRICE:g}"
    return None


def _stamp(ts: float) -> str:
    try:
        return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    except (OverflowError, OSError, ValueError):
        return repr(ts)
