"""The simulated household's electricity: roof, sky, house, wallbox and car, meeting at the grid connection.

The grid meter sees what the house draws plus what the wallbox delivers, less what the roof makes; the main
breaker sees the same import. Time is the site's own (advanced by the household simulator) or follows another
clock (the demo's car), so a scenario's day has its sun at the right hours.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

PRICE_TOPIC = "tariff/prices"


class Roof(Protocol):
    """What the panels make under a clear sky (`energy.sun.SolarArray`)."""

    def clear_sky_w(self, ts: float) -> float: ...


class Weather(Protocol):
    """The share of clear-sky light that gets through (`sky.Sky`)."""

    def clearness(self, ts: float) -> float: ...


class Household(Protocol):
    """What the house draws apart from the car (`sky.HouseLoad`)."""

    def watts(self, ts: float) -> float: ...


class ChargingVehicle(Protocol):
    """The car at the wallbox, as the wallbox sees it: plugged or not, and how much it takes of what is offered."""

    def plugged(self) -> bool: ...

    def offer_ac(self, watts: float, seconds: float) -> float:
        """The EVSE offers `watts` for the next `seconds`; returns what the car draws."""
        ...


@dataclass
class StandInCar:
    """A car's battery at the wallbox when no simulated car is linked: takes what it is offered up to its limit."""

    battery_kwh: float = 60.0
    soc: float = 40.0
    max_ac_w: float = 11_000.0
    limit_soc: float = 100.0
    is_plugged: bool = False
    efficiency: float = 0.92

    def plugged(self) -> bool:
        return self.is_plugged

    def offer_ac(self, watts: float, seconds: float) -> float:
        if not self.is_plugged or self.soc >= self.limit_soc:
            return 0.0
        drawn = min(watts, self.max_ac_w)
        self.soc = min(100.0, self.soc + drawn * self.efficiency * seconds / 3.6e6 / self.battery_kwh * 100)
        return drawn


@dataclass
class MainBreaker:
    """A main circuit breaker's thermal trip, simplified from IEC 60898-1: below 1.13 times its rating it never
    trips; above, heat builds with the square of the overload and trips once it reaches what an hour at 1.45
    times the rating would build (at 2 times: about 18 minutes; at 3 times: about 6 minutes)."""

    rated_w: float
    heat: float = 0.0
    tripped_at: float | None = None
    worst_w: float = 0.0
    seconds_over: float = 0.0

    @property
    def budget(self) -> float:
        return (1.45 ** 2 - 1.13 ** 2) * 3600

    def observe(self, import_w: float, seconds: float, now: float) -> None:
        ratio = import_w / self.rated_w
        self.worst_w = max(self.worst_w, import_w)
        if import_w > self.rated_w:
            self.seconds_over += seconds
        if ratio > 1.13:
            self.heat += (ratio * ratio - 1.13 ** 2) * seconds
        else:
            self.heat = max(0.0, self.heat - seconds * 0.5)  # cools down
        if self.tripped_at is None and self.heat >= self.budget:
            self.tripped_at = now


@dataclass
class PriceSchedule:
    """The dynamic tariff's published prices, and updates the utility sends at given times (a price spike)."""

    slots: list[tuple[float, float, float]]
    updates: list[tuple[float, list[tuple[float, float, float]]]] = field(default_factory=list)
    currency: str = "EUR"

    def published(self, now: float) -> list[tuple[float, float, float]]:
        current = list(self.slots)
        for at, replacement in self.updates:
            if at <= now and replacement:
                first, last = replacement[0][0], replacement[-1][1]
                current = sorted([s for s in current if s[1] <= first or s[0] >= last] + replacement)
        return current

    def message(self, now: float) -> str:
        return json.dumps({"currency": self.currency, "prices": [
            {"start": dt.datetime.fromtimestamp(s, dt.UTC).isoformat(),
             "end": dt.datetime.fromtimestamp(e, dt.UTC).isoformat(), "price": p}
            for s, e, p in self.published(now)]})


class SimulatedSite:
    """Sun, house and wallbox behind one grid connection. `advance` moves its time; readings are in watts."""

    def __init__(self, array: Roof, sky: Weather, load: Household, start: float | None = None,
                 breaker_w: float | None = None, prices: PriceSchedule | None = None) -> None:
        self.array = array
        self.sky = sky
        self.load = load
        self.now = time.time() if start is None else start
        self.follow: Callable[[], float] | None = None
        self.breaker = MainBreaker(breaker_w) if breaker_w else None
        self.prices = prices
        self.solar_w = 0.0
        self.house_w = 0.0
        self.charger_w = 0.0
        self.grid_w = 0.0
        self.import_kwh = 0.0
        self.export_kwh = 0.0
        self.solar_kwh = 0.0

    def advance(self, seconds: float) -> float:
        """Move time on (or to the followed clock); returns the seconds that passed."""
        if self.follow is not None:
            target = self.follow()
            seconds = max(0.0, target - self.now)
            self.now = target
        else:
            self.now += seconds
        self.solar_w = self.array.clear_sky_w(self.now) * self.sky.clearness(self.now)
        self.house_w = self.load.watts(self.now)
        return seconds

    def settle(self, charger_w: float, seconds: float) -> None:
        """The wallbox delivered `charger_w` over the last `seconds`: update the grid and the breaker."""
        self.charger_w = charger_w
        self.grid_w = self.house_w + charger_w - self.solar_w
        hours = seconds / 3600
        self.import_kwh += max(0.0, self.grid_w) * hours / 1000
        self.export_kwh += max(0.0, -self.grid_w) * hours / 1000
        self.solar_kwh += self.solar_w * hours / 1000
        if self.breaker is not None:
            self.breaker.observe(self.grid_w, seconds, self.now)

    def messages(self, root: str) -> list[tuple[str, str]]:
        if self.prices is None:
            return []
        return [(f"{root}/{PRICE_TOPIC}", self.prices.message(self.now))]
