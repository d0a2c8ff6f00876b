"""The charging plan: "80 % by 07:30" at the least cost, the sun first, said in words.

The window from now to the departure is cut into slots (at most 15 minutes, and wherever the price changes).
In each slot the car could take expected solar surplus (costing the feed-in it would have earned; only where the
surplus reaches the car's minimum charging power, since less cannot charge it) and grid energy (costing the
slot's price), up to the charger's power. The plan takes the cheapest energy first until the car has what it
needs: a fractional knapsack, which greedy solves exactly. Ties go to solar slots that come sooner (the forecast
is surer) and to grid slots that come later (the battery sits full for less time, and prices published later
can still move the plan), except the last quarter hour before the departure, kept as a reserve for what a plan
cannot foresee (the car's start-up, a late reading). Only `solar_confidence` of the forecast is counted, and the
controller re-plans every minute, so a cloud that eats the sun's share moves it to the grid in time.

When the target cannot be reached the plan says so, how far it gets, and what would reach it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from homebound.energy.tariffs import Tariff

SLOT_S = 900.0
FINISH_MARGIN_S = 900.0  # at equal prices, the last quarter hour before the departure is used last
EPSILON_KWH = 1e-6


@dataclass(frozen=True)
class PlanRequest:
    """What the planner needs to know: the car's battery, the goal, and how fast it can charge."""

    now: float
    departure: float
    soc: float
    target_soc: float
    capacity_kwh: float
    max_power_w: float
    efficiency: float = 0.9
    solar_confidence: float = 0.8
    min_power_w: float = 0.0  # below this the car cannot charge from the sun alone (6 A on one phase)
    fastest_power_w: float | None = None  # the wallbox at its best (three phases, no house limit), for advice
    charging_slot_start: float | None = None  # a grid slot being charged now stays chosen on a tie

    @property
    def needed_kwh(self) -> float:
        """Energy to draw (grid side) to reach the target."""
        return max(0.0, (self.target_soc - self.soc) / 100 * self.capacity_kwh / self.efficiency)


@dataclass(frozen=True)
class PlanSlot:
    """One slot of the plan with the energy planned in it, from the sun and from the grid."""

    start: float
    end: float
    price: float
    solar_kwh: float
    grid_kwh: float

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "price": self.price, "solar_kwh": round(self.solar_kwh, 3),
                "grid_kwh": round(self.grid_kwh, 3)}


@dataclass(frozen=True)
class ChargePlan:
    """The chosen slots, the expected outcome and cost, and the plan in words."""

    request: PlanRequest
    slots: list[PlanSlot]
    reachable: bool
    soc_at_departure: float
    grid_kwh: float
    solar_kwh: float
    cost: float
    text: str
    advice: list[str] = field(default_factory=list)

    def slot_at(self, ts: float) -> PlanSlot | None:
        for slot in self.slots:
            if slot.start <= ts < slot.end:
                return slot
        return None

    def grid_slot_at(self, ts: float) -> PlanSlot | None:
        """The planned slot at `ts` if it needs grid energy (then the car charges at full power)."""
        slot = self.slot_at(ts)
        return slot if slot is not None and slot.grid_kwh > EPSILON_KWH else None

    def outline(self) -> str:
        """The plan's shape without its amounts: the hours it draws on the grid, and whether it is enough.
        Changes when the plan really changes, not as every kWh is charged or each cloud moves the sun's share."""
        runs = [f"{start // 3600:.0f}-{-(-end // 3600):.0f}" for start, end, _kwh, _price in _runs(self.slots, "grid")]
        return f"{self.reachable} {self.request.departure:.0f} {self.request.target_soc:g} " + " ".join(runs)

    def to_json(self) -> dict[str, object]:
        return {"departure": self.request.departure, "target_soc": self.request.target_soc,
                "soc": self.request.soc, "needed_kwh": round(self.request.needed_kwh, 3),
                "reachable": self.reachable, "soc_at_departure": round(self.soc_at_departure, 1),
                "grid_kwh": round(self.grid_kwh, 3), "solar_kwh": round(self.solar_kwh, 3),
                "cost": round(self.cost, 4), "text": self.text, "advice": self.advice,
                "slots": [s.to_json() for s in self.slots]}


SurplusForecast = Callable[[float, float], float]
"""Expected solar surplus (W) available to the car over [start, end)."""


def _grid(request: PlanRequest, tariff: Tariff) -> list[tuple[float, float, float]]:
    """(start, end, price) slots of at most SLOT_S from now to the departure, aligned to the quarter hour."""
    out: list[tuple[float, float, float]] = []
    for slot in tariff.slots(request.now, request.departure):
        begin = slot.start
        while begin < slot.end - 1e-6:
            aligned = (begin // SLOT_S + 1) * SLOT_S
            finish = min(slot.end, aligned)
            out.append((begin, finish, slot.price))
            begin = finish
    return out


def plan_charging(request: PlanRequest, tariff: Tariff, surplus: SurplusForecast, tz: dt.tzinfo,
                  currency_symbol: str = "€") -> ChargePlan:
    """The cheapest plan that reaches the target by the departure, or the most that can be done."""
    needed = request.needed_kwh
    feed_in = tariff.feed_in
    grid = _grid(request, tariff) if request.departure > request.now else []
    # (cost, source rank, tie order, slot index, source, kWh available)
    chunks: list[tuple[float, int, float, int, str, float]] = []
    for index, (begin, finish, price) in enumerate(grid):
        hours = (finish - begin) / 3600
        capacity = request.max_power_w * hours / 1000
        expected_w = max(0.0, surplus(begin, finish)) * request.solar_confidence
        sun = min(capacity, expected_w * hours / 1000) if expected_w >= request.min_power_w else 0.0
        if sun > EPSILON_KWH:
            chunks.append((min(feed_in, price), 0, begin, index, "solar", sun))
        if capacity - sun > EPSILON_KWH:
            sticky = request.charging_slot_start is not None and begin <= request.charging_slot_start < finish
            last = finish > request.departure - FINISH_MARGIN_S
            order = float("-inf") if sticky else (-begin + (1e12 if last else 0.0))
            chunks.append((price, 1, order, index, "grid", capacity - sun))
    chunks.sort()
    solar_by_slot = [0.0] * len(grid)
    grid_by_slot = [0.0] * len(grid)
    remaining = needed
    for _cost, _rank, _order, index, source, kwh in chunks:
        if remaining <= EPSILON_KWH:
            break
        take = min(kwh, remaining)
        (solar_by_slot if source == "solar" else grid_by_slot)[index] += take
        remaining -= take
    slots = [PlanSlot(b, f, p, solar_by_slot[i], grid_by_slot[i]) for i, (b, f, p) in enumerate(grid)
             if solar_by_slot[i] + grid_by_slot[i] > EPSILON_KWH]
    solar_kwh = sum(s.solar_kwh for s in slots)
    grid_kwh = sum(s.grid_kwh for s in slots)
    cost = sum(s.grid_kwh * s.price + s.solar_kwh * min(feed_in, s.price) for s in slots)
    planned = solar_kwh + grid_kwh
    reachable = remaining <= 1e-3
    soc_end = min(request.target_soc,
                  request.soc + planned * request.efficiency / request.capacity_kwh * 100) if needed > 0 \
        else request.soc
    text, advice = _words(request, slots, reachable, soc_end, cost, tz, currency_symbol, planned)
    return ChargePlan(request, slots, reachable, soc_end, grid_kwh, solar_kwh, cost, text, advice)


def _clock(ts: float, tz: dt.tzinfo) -> str:
    return dt.datetime.fromtimestamp(ts, tz).strftime("%H:%M")


def _runs(slots: list[PlanSlot], source: str) -> list[tuple[float, float, float, float]]:
    """Consecutive slots with energy from `source`, merged: (start, end, kWh, mean price)."""
    runs: list[list[float]] = []
    for slot in slots:
        kwh = slot.solar_kwh if source == "solar" else slot.grid_kwh
        if kwh <= EPSILON_KWH:
            continue
        if runs and abs(runs[-1][1] - slot.start) < 1e-6:
            runs[-1][1] = slot.end
            runs[-1][2] += kwh
            runs[-1][3] += kwh * slot.price
        else:
            runs.append([slot.start, slot.end, kwh, kwh * slot.price])
    return [(r[0], r[1], r[2], r[3] / r[2]) for r in runs]


def _words(request: PlanRequest, slots: list[PlanSlot], reachable: bool, soc_end: float, cost: float,
           tz: dt.tzinfo, symbol: str, planned: float) -> tuple[str, list[str]]:
    goal = f"{request.target_soc:.0f} % by {dt.datetime.fromtimestamp(request.departure, tz):%a %H:%M}"
    if request.needed_kwh <= EPSILON_KWH:
        return f"{goal}: already there ({request.soc:.0f} %).", []
    parts = []
    for start, end, kwh, _price in _runs(slots, "solar"):
        parts.append(f"from the sun {_clock(start, tz)}-{_clock(end, tz)} ({kwh:.1f} kWh)")
    for start, end, kwh, price in _runs(slots, "grid"):
        parts.append(f"from the grid {_clock(start, tz)}-{_clock(end, tz)} at {price:.2f} {symbol}/kWh "
                     f"({kwh:.1f} kWh)")
    how = "; ".join(parts) if parts else "nothing can be charged before then"
    if reachable:
        return f"{goal}: {how}; about {cost:.2f} {symbol}.", []
    advice: list[str] = []
    fastest = max(request.fastest_power_w or 0.0, request.max_power_w)
    if fastest > 0:
        hours = request.needed_kwh / (fastest / 1000)
        leave = request.now + hours * 3600
        advice.append(f"leaving at {dt.datetime.fromtimestamp(leave, tz):%a %H:%M} would reach "
                      f"{request.target_soc:.0f} % charging at {fastest / 1000:.1f} kW from now")
    if request.fastest_power_w and request.fastest_power_w > request.max_power_w * 1.05:
        possible = request.soc + request.fastest_power_w / 1000 * (request.departure - request.now) / 3600 \
            * request.efficiency / request.capacity_kwh * 100
        advice.append(f"charging at {request.fastest_power_w / 1000:.1f} kW (three phases, nothing else on) would "
                      f"reach {min(possible, request.target_soc):.0f} %")
    advice.append(f"a target of {soc_end:.0f} % can be reached in time")
    text = (f"{goal} cannot be reached: {request.needed_kwh:.1f} kWh needed, at most {planned:.1f} kWh fit before "
            f"then, which reaches {soc_end:.0f} % ({how}). To reach it: " + "; or ".join(advice) + ".")
    return text, advice
