"""The numbers people look at: energy charged from the sun, the home battery and the grid; cost and savings.

Every control cycle adds the interval since the last one, holding the readings of its start (the meters report
power; energy is power times time). The car's draw is split by where it came from: the grid's share is the
import (never more than the car draws), then the home battery's discharge, and the rest is the sun's. Grid energy
costs the price of the moment; solar and battery energy cost the feed-in they would have earned. Savings are
counted against charging the same energy at the tariff's reference price. A session runs from plug-in to
unplug; months add up their sessions (by the month a session started, local time).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

MAX_SESSIONS_KEPT = 2_000
MAX_STEP_S = 900.0  # a gap longer than this (the hub was down) is not filled in with old readings


@dataclass
class ChargeSession:
    """One plug-in to unplug at a charge point."""

    charge_point: str
    vehicle: str | None
    started: float
    ended: float | None = None
    solar_kwh: float = 0.0
    battery_kwh: float = 0.0
    grid_kwh: float = 0.0
    grid_cost: float = 0.0
    forgone_feed_in: float = 0.0
    reference_cost: float = 0.0

    @property
    def energy_kwh(self) -> float:
        return self.solar_kwh + self.battery_kwh + self.grid_kwh

    @property
    def cost(self) -> float:
        """Money paid for grid energy plus the feed-in given up for the sun's and the battery's."""
        return self.grid_cost + self.forgone_feed_in

    @property
    def savings(self) -> float:
        return self.reference_cost - self.cost

    @property
    def solar_share(self) -> float:
        total = self.energy_kwh
        return (self.solar_kwh + self.battery_kwh) / total if total > 0 else 0.0

    def to_json(self) -> dict[str, object]:
        return {"charge_point": self.charge_point, "vehicle": self.vehicle, "started": self.started,
                "ended": self.ended, "energy_kwh": round(self.energy_kwh, 3), "solar_kwh": round(self.solar_kwh, 3),
                "battery_kwh": round(self.battery_kwh, 3), "grid_kwh": round(self.grid_kwh, 3),
                "grid_cost": round(self.grid_cost, 4), "forgone_feed_in": round(self.forgone_feed_in, 4),
                "cost": round(self.cost, 4), "savings": round(self.savings, 4),
                "solar_share": round(self.solar_share, 4)}


@dataclass
class MonthTotal:
    """A month's sessions added up (month as `YYYY-MM`)."""

    month: str
    sessions: int = 0
    energy_kwh: float = 0.0
    solar_kwh: float = 0.0
    grid_kwh: float = 0.0
    cost: float = 0.0
    savings: float = 0.0

    def to_json(self) -> dict[str, object]:
        share = self.solar_kwh / self.energy_kwh if self.energy_kwh > 0 else 0.0
        return {"month": self.month, "sessions": self.sessions, "energy_kwh": round(self.energy_kwh, 3),
                "solar_kwh": round(self.solar_kwh, 3), "grid_kwh": round(self.grid_kwh, 3),
                "cost": round(self.cost, 4), "savings": round(self.savings, 4), "solar_share": round(share, 4)}


class ChargingNumbers(Protocol):
    """What the rest of Homebound reads of the ledger (the history's sessions join these later)."""

    def sessions(self) -> list[ChargeSession]: ...

    def months(self) -> list[MonthTotal]: ...


@dataclass
class _Sample:
    ts: float
    charger_w: float
    grid_w: float
    battery_w: float
    price: float
    feed_in: float
    reference: float


@dataclass
class ChargeLedger:
    """Sessions and monthly totals for the charge points of one site."""

    tz: dt.tzinfo
    _sessions: deque[ChargeSession] = field(default_factory=lambda: deque(maxlen=MAX_SESSIONS_KEPT))
    _open: dict[str, ChargeSession] = field(default_factory=dict)
    _last: dict[str, _Sample] = field(default_factory=dict)

    def plugged(self, charge_point: str, vehicle: str | None, ts: float) -> ChargeSession:
        session = self._open.get(charge_point)
        if session is None:
            session = ChargeSession(charge_point, vehicle, ts)
            self._open[charge_point] = session
            self._sessions.append(session)
        return session

    def unplugged(self, charge_point: str, ts: float) -> ChargeSession | None:
        self._close_interval(charge_point, ts)
        self._last.pop(charge_point, None)
        session = self._open.pop(charge_point, None)
        if session is not None:
            session.ended = ts
        return session

    def current(self, charge_point: str) -> ChargeSession | None:
        return self._open.get(charge_point)

    def record(self, charge_point: str, ts: float, charger_w: float, grid_w: float | None, battery_w: float | None,
               price: float, feed_in: float, reference: float) -> None:
        """Account for the interval since the last record, then hold these readings until the next."""
        self._close_interval(charge_point, ts)
        self._last[charge_point] = _Sample(ts, max(0.0, charger_w), grid_w if grid_w is not None else charger_w,
                                           battery_w or 0.0, price, feed_in, reference)

    def _close_interval(self, charge_point: str, ts: float) -> None:
        last = self._last.get(charge_point)
        session = self._open.get(charge_point)
        if last is None or session is None or ts <= last.ts:
            return
        hours = min(ts - last.ts, MAX_STEP_S) / 3600
        draw = last.charger_w
        from_grid = min(draw, max(0.0, last.grid_w))
        from_battery = min(draw - from_grid, max(0.0, last.battery_w))
        from_sun = draw - from_grid - from_battery
        grid_kwh, battery_kwh, solar_kwh = (w * hours / 1000 for w in (from_grid, from_battery, from_sun))
        session.grid_kwh += grid_kwh
        session.battery_kwh += battery_kwh
        session.solar_kwh += solar_kwh
        session.grid_cost += grid_kwh * last.price
        session.forgone_feed_in += (solar_kwh + battery_kwh) * last.feed_in
        session.reference_cost += (grid_kwh + battery_kwh + solar_kwh) * last.reference
        last.ts = ts

    def sessions(self) -> list[ChargeSession]:
        return list(self._sessions)

    def months(self) -> list[MonthTotal]:
        totals: dict[str, MonthTotal] = {}
        for session in self._sessions:
            month = dt.datetime.fromtimestamp(session.started, self.tz).strftime("%Y-%m")
            total = totals.setdefault(month, MonthTotal(month))
            total.sessions += 1
            total.energy_kwh += session.energy_kwh
            total.solar_kwh += session.solar_kwh + session.battery_kwh
            total.grid_kwh += session.grid_kwh
            total.cost += session.cost
            total.savings += session.savings
        return [totals[m] for m in sorted(totals)]
