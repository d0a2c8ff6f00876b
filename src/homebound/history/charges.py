"""Charging sessions: energy added, power curve, AC or DC, cost, and why the session ended.

- Energy added: from the battery's lifetime counter `AccumulatedChargedEnergy` when the car reports it (the
  difference over the session), else integrated from battery power while charging. Energy from the wall: added
  plus the charger's reported losses (`Charging.PowerLoss`) when the car reports them.
- A charger that stops and restarts within `merge_gap_s` (a minute by default) is one session with an
  interruption, not two; the session ends at the last stop, for one of three reasons: `unplugged` (the cable
  came out), `limit_reached` (the state of charge had reached the charge limit, or 100 %), `stopped` (anything
  else: a command, the charger, a timer).
- Cost: each increment of energy is priced by the tariff of the place where the session is (see `tariffs.py`),
  over the time it was delivered; on wall energy when known, else on energy added.
- The battery's usable capacity is estimated from each session that moved the state of charge by 10 points
  or more: energy added / state-of-charge change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

from homebound.history.signals import Reading, Readings
from homebound.history.tariffs import PriceSchedule

CURVE_EVERY_S = 60.0
CURVE_POWER_STEP_W = 500.0
MAX_CURVE_POINTS = 20_000
MIN_SOC_CHANGE_FOR_CAPACITY = 10.0
DC_CURRENT_A = 1.0
AC_MAX_W = 22_000.0
LIMIT_TOLERANCE = 0.5
MIN_ENERGY_KWH = 0.01      # less is not a charging session (a charger's blip)...
MIN_CHARGING_S = 60.0      # ...unless the car reports no energy at all: then a minute of charging counts

UNPLUGGED = "unplugged"
LIMIT_REACHED = "limit_reached"
STOPPED = "stopped"


@dataclass(slots=True)
class Charge:
    """A finished charging session, as stored and served."""

    id: str
    vehicle: str
    start_ts: float
    end_ts: float
    latitude: float | None
    longitude: float | None
    zone: str | None
    charge_type: str | None
    energy_added_kwh: float
    energy_source: str
    energy_wall_kwh: float | None
    soc_start: float | None
    soc_end: float | None
    peak_power_kw: float | None
    mean_power_kw: float | None
    charging_s: float
    duration_s: float
    interruptions: int
    end_reason: str
    cost: float | None
    currency: str | None
    tariff_zone: str | None
    capacity_kwh: float | None
    range_at_100_km: float | None

    def to_row(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class ChargeInProgress:
    """An open charging session; saved whole at each checkpoint."""

    id: str
    vehicle: str
    start_ts: float
    latitude: float | None = None
    longitude: float | None = None
    zone: str | None = None
    soc_start: float | None = None
    soc_last: float | None = None
    last_ts: float = 0.0
    confirmed: bool = False
    paused_at: float | None = None
    paused_soc: float | None = None
    charging_s: float = 0.0
    interruptions: int = 0
    counter_first: float | None = None
    counter_last: float | None = None
    counter_ts: float | None = None
    power_wh: float = 0.0
    power_seen: bool = False
    loss_wh: float = 0.0
    loss_seen: bool = False
    peak_w: float | None = None
    dc_seen: bool = False
    ac_seen: bool = False
    tariff_zone: str | None = None
    currency: str | None = None
    cost_counter: float = 0.0
    cost_power: float = 0.0
    cost_loss: float = 0.0
    curve: list[list[float | None]] = field(default_factory=list)  # unsaved points: ts, power kW, soc
    curve_last: list[float | None] | None = None
    curve_points: int = 0

    @classmethod
    def begin(cls, charge_id: str, vehicle: str, ts: float, readings: Readings, zone: str | None,
              baseline_ok: Callable[[float, float], bool], tariff: tuple[str, PriceSchedule] | None,
              before: dict[Reading, tuple[float, float]]) -> ChargeInProgress:
        """Open a session at `ts`; the energy counter's baseline is its reading before the batch that started it,
        if `baseline_ok` trusts it."""
        charge = cls(charge_id, vehicle, ts, zone=zone, soc_start=readings.soc, soc_last=readings.soc, last_ts=ts)
        position = readings.position
        if position is not None:
            charge.latitude, charge.longitude = position
        if tariff is not None:
            charge.tariff_zone, charge.currency = tariff[0], tariff[1].currency
        counter, read_at = before.get(Reading.CHARGED_ENERGY) or (readings.number(Reading.CHARGED_ENERGY),
                                                                   readings.times[Reading.CHARGED_ENERGY])
        if counter is not None and baseline_ok(read_at, ts):
            charge.counter_first = charge.counter_last = counter
            charge.counter_ts = read_at
            now = readings.number(Reading.CHARGED_ENERGY)
            if now is not None and now > counter:
                charge.observe(Reading.CHARGED_ENERGY, now, ts, readings, None if tariff is None else tariff[1])
        for reading in (Reading.BATTERY_POWER, Reading.DC_CURRENT, Reading.AC_CURRENT):
            value = readings.number(reading)
            if value is not None and readings.times[reading] >= ts:  # read in the batch that started it
                charge.observe(reading, value, ts, readings, None)
        charge._curve_point(ts, readings)
        return charge

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def counts(self) -> bool:
        """Enough energy (or, when none is reported, enough time) to be a charging session."""
        added, source = self.energy_added
        return added >= MIN_ENERGY_KWH or (source == "none" and self.charging_s >= MIN_CHARGING_S)

    def integrate(self, readings: Readings, until: float, price: PriceSchedule | None, max_hold_s: float) -> None:
        """Hold the last readings from `last_ts` to `until` (while charging, not while paused). A charger's power
        is steady for long stretches, so a car that reports on change may be silent for many minutes: readings
        are held up to `max_hold_s`."""
        dt = until - self.last_ts
        if dt <= 0:
            return
        if dt <= max_hold_s and self.paused_at is None:
            self.charging_s += dt
            power = readings.number(Reading.BATTERY_POWER)  # once a second at most: clarity over speed
            if power is not None:
                added = max(0.0, power) * dt / 3600
                self.power_wh += added
                self.power_seen = True
                if price is not None:
                    self.cost_power += price.cost(added / 1000, self.last_ts, until)
            loss = readings.number(Reading.CHARGE_LOSS)
            if loss is not None:
                lost = loss * dt / 3600
                self.loss_wh += lost
                self.loss_seen = True
                if price is not None:
                    self.cost_loss += price.cost(lost / 1000, self.last_ts, until)
        self.last_ts = until

    def observe(self, reading: Reading, value: float, ts: float, readings: Readings,
                price: PriceSchedule | None) -> None:
        if reading is Reading.CHARGED_ENERGY:
            if self.counter_first is None:
                self.counter_first = self.counter_last = value
                self.counter_ts = ts
                return
            last = self.counter_last if self.counter_last is not None else value
            if value > last and price is not None:
                self.cost_counter += price.cost(value - last, self.counter_ts or ts, ts)
            if value >= last:
                self.counter_last, self.counter_ts = value, ts
        elif reading in (Reading.SOC, Reading.SOC_DISPLAYED):
            if self.soc_start is None:
                self.soc_start = value
            self.soc_last = value
            if self.paused_at is None:
                self._curve_point(ts, readings)
        elif reading is Reading.BATTERY_POWER and self.paused_at is None:
            if self.peak_w is None or value > self.peak_w:
                self.peak_w = value
            self._curve_point(ts, readings)
        elif reading is Reading.DC_CURRENT and abs(value) >= DC_CURRENT_A:
            self.dc_seen = True
        elif reading is Reading.AC_CURRENT and abs(value) >= DC_CURRENT_A:
            self.ac_seen = True

    def _curve_point(self, ts: float, readings: Readings) -> None:
        power = readings.number(Reading.BATTERY_POWER)
        soc = readings.soc
        kw = None if power is None else round(power / 1000, 3)
        last = self.curve_last
        if last is not None:
            last_ts, last_kw, last_soc = last
            assert last_ts is not None
            if ts <= last_ts:
                return
            power_moved = kw is not None and (last_kw is None or abs(kw - last_kw) * 1000 >= CURVE_POWER_STEP_W)
            soc_moved = soc is not None and (last_soc is None or abs(soc - last_soc) >= 1.0)
            if ts - last_ts < CURVE_EVERY_S and not power_moved and not soc_moved:
                return
        if self.curve_points >= MAX_CURVE_POINTS:
            return
        point: list[float | None] = [ts, kw, soc]
        self.curve_last = point
        self.curve_points += 1
        self.curve.append(point)

    def take_curve(self) -> list[list[float | None]]:
        fresh, self.curve = self.curve, []
        return fresh

    # ---- stops and restarts -------------------------------------------------------------------------------

    def pause(self, ts: float, soc: float | None) -> None:
        self.paused_at, self.paused_soc = ts, soc

    def resume(self, ts: float) -> None:
        self.paused_at = None
        self.paused_soc = None
        self.interruptions += 1
        self.last_ts = max(self.last_ts, ts)

    @staticmethod
    def reason(plugged: bool | None, soc: float | None, limit: float | None) -> str:
        if plugged is False:
            return UNPLUGGED
        if soc is not None and soc >= (limit if limit is not None else 100.0) - LIMIT_TOLERANCE:
            return LIMIT_REACHED
        return STOPPED

    # ---- figures ------------------------------------------------------------------------------------------

    @property
    def energy_added(self) -> tuple[float, str]:
        if self.counter_first is not None and self.counter_last is not None and (
                self.counter_last > self.counter_first or not self.power_seen):
            return self.counter_last - self.counter_first, "counter"
        return self.power_wh / 1000, "power" if self.power_seen else "none"

    def finish(self, end_ts: float, reason: str, soc_end: float | None, range_m: float | None) -> Charge:
        added, source = self.energy_added
        wall = added + self.loss_wh / 1000 if self.loss_seen else None
        cost = None
        if self.currency is not None:
            cost = (self.cost_counter if source == "counter" else self.cost_power) + (
                self.cost_loss if self.loss_seen else 0.0)
        charge_type = "DC" if self.dc_seen else "AC" if self.ac_seen else (
            "DC" if self.peak_w is not None and self.peak_w > AC_MAX_W else None)
        soc_change = None if soc_end is None or self.soc_start is None else soc_end - self.soc_start
        capacity = (added / soc_change * 100 if soc_change is not None and soc_change >= MIN_SOC_CHANGE_FOR_CAPACITY
                    else None)
        range_100 = (range_m / 1000 / soc_end * 100 if range_m is not None and soc_end is not None and soc_end >= 10
                     else None)
        return Charge(
            id=self.id, vehicle=self.vehicle, start_ts=self.start_ts, end_ts=end_ts, latitude=self.latitude,
            longitude=self.longitude, zone=self.zone, charge_type=charge_type, energy_added_kwh=round(added, 4),
            energy_source=source, energy_wall_kwh=None if wall is None else round(wall, 4),
            soc_start=self.soc_start, soc_end=soc_end,
            peak_power_kw=None if self.peak_w is None else round(self.peak_w / 1000, 3),
            mean_power_kw=round(added / (self.charging_s / 3600), 3) if self.charging_s > 0 else None,
            charging_s=round(self.charging_s, 3), duration_s=round(max(0.0, end_ts - self.start_ts), 3),
            interruptions=self.interruptions, end_reason=reason,
            cost=None if cost is None else round(cost, 4), currency=self.currency, tariff_zone=self.tariff_zone,
            capacity_kwh=None if capacity is None else round(capacity, 2),
            range_at_100_km=None if range_100 is None else round(range_100, 1))

    def figures(self) -> dict[str, object]:
        added, source = self.energy_added
        return {"id": self.id, "vehicle": self.vehicle, "start_ts": self.start_ts, "last_ts": self.last_ts,
                "energy_added_kwh": round(added, 4), "energy_source": source, "soc_start": self.soc_start,
                "soc_now": self.soc_last, "zone": self.zone, "paused": self.paused, "in_progress": True}

    @classmethod
    def from_state(cls, state: dict[str, object]) -> ChargeInProgress:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in state.items() if k in known})  # type: ignore[arg-type]
