"""One charge point's controller: every cycle, read, decide by mode, keep within the house's limit, act.

The modes: `off`; `now` (as fast as the limit allows); `solar` (surplus only, see `surplus`); `solar_min`
(surplus, never below the minimum); `plan` (the planner's grid slots at full power, the sun whenever it shines,
until the target). Whatever the mode decided, the household limit has the last word: a lower current at once,
a pause if even the minimum does not fit, a higher current only once the last change has had time to show.
The controller acts only through `Hub.command`, as `energy:<name>`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from homebound.energy.config import ChargeMode, ChargePointConfig
from homebound.energy.departures import (
    WEEKDAY_NAMES,
    Departure,
    DeparturePredictor,
    choose_departure,
    next_scheduled,
)
from homebound.energy.forecast import SolarForecast
from homebound.energy.ledger import ChargeLedger
from homebound.energy.planner import ChargePlan, PlanRequest, SurplusForecast, plan_charging
from homebound.energy.readings import ThingWatch
from homebound.energy.site import SiteView
from homebound.energy.surplus import ChargerLimits, Setpoint, SurplusReading, SurplusRegulator, SurplusSettings
from homebound.energy.tariffs import Tariff
from homebound.energy.wallbox import START_STOP, Switch, WallboxDriver
from homebound.hub.core import Hub

log = logging.getLogger(__name__)

BATTERY = "Vehicle.Powertrain.TractionBattery"
SOC = f"{BATTERY}.StateOfCharge.Current"
CAPACITY = f"{BATTERY}.NetCapacity"
DEFAULT_CAPACITY_KWH = 60.0
HOUSE_LOAD_SMOOTHING = 0.05  # per cycle: the planner's estimate of the house's own draw follows slowly
REPLAN_S = 60.0              # a plan is redone at least this often, and at once when its inputs change


@dataclass
class Decision:
    """What the controller decided this cycle (kept for the status and the tests)."""

    at: float
    setpoint: Setpoint
    available_w: float | None
    allowance_w: float | None
    switch: Switch | None


class ChargePointController:
    """Mode, plan and limits for one wallbox and the car charging at it."""

    def __init__(self, hub: Hub, config: ChargePointConfig, tariff: Tariff, ledger: ChargeLedger, tz: dt.tzinfo,
                 voltage: float = 230.0, forecast: SolarForecast | None = None,
                 predictor: DeparturePredictor | None = None) -> None:
        self.hub = hub
        self.config = config
        self.name = config.name
        self.principal = f"energy:{config.name}"
        self.tariff = tariff
        self.ledger = ledger
        self.tz = tz
        self.forecast = forecast
        self.predictor = predictor
        self.mode = config.mode
        self.target_soc = config.plan.target_soc
        self.user_departure: dt.datetime | None = None
        role = config.wallbox
        self.limits = ChargerLimits(role.min_current_a, role.max_current_a, role.current_step_a, role.phases,
                                    role.phases_switch is not None and role.phases == 3, voltage)
        settings = config.solar
        self.regulator = SurplusRegulator(SurplusSettings(settings.enable_threshold_w, settings.disable_threshold_w,
                                                          settings.enable_delay_s, settings.disable_delay_s,
                                                          settings.guard_s), self.limits)
        self.driver = WallboxDriver(hub, self.principal, role, config.vehicle)
        paths = [p for p in (role.plugged, role.power, role.current_limit, role.enable, role.charging, role.energy,
                             role.phases_switch) if p]
        self.wallbox = ThingWatch(hub, role.thing, paths)
        self.car = ThingWatch(hub, config.vehicle, [SOC, CAPACITY, START_STOP]) if config.vehicle else None
        self.schedule = {WEEKDAY_NAMES.index(day): clock for day, clock in config.plan.departures.items()}
        self.plan: ChargePlan | None = None
        self.departure: Departure | None = None
        self.last: Decision | None = None
        self.status = "starting"
        self.plugged = False
        self.house_load_w: float | None = None
        self._planned_at: float | None = None
        self._plan_key: tuple[object, ...] | None = None
        self._in_grid_slot = False

    def invalidate_plan(self) -> None:
        """Inputs changed outside the controller (new prices, a new target): plan again next cycle."""
        self._planned_at = None

    # ---- readings -----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.wallbox.refresh()
        if self.car is not None:
            self.car.refresh()

    def charger_w(self) -> float:
        scale = 1000.0 if self.config.wallbox.power_unit == "kW" else 1.0
        return max(0.0, self.wallbox.number(self.config.wallbox.power, scale) or 0.0)

    def soc(self) -> float | None:
        return self.car.number(SOC) if self.car is not None else None

    def capacity_kwh(self) -> float:
        reported = self.car.number(CAPACITY) if self.car is not None else None
        return reported or self.config.battery_kwh or DEFAULT_CAPACITY_KWH

    def problems(self) -> list[str]:
        out = list(self.wallbox.problems) + list(self.driver.problems)
        if self.car is not None:
            out += self.car.problems
        if not self.wallbox.online and not self.wallbox.problems:
            out.append(f"{self.wallbox.thing} is offline")
        return out

    # ---- the cycle ----------------------------------------------------------------------------------------

    async def step(self, now: float, site: SiteView, allowance_w: float | None) -> Decision | None:
        """Decide and act for this cycle. `allowance_w` is what this charger may draw under the household
        limit (None: no limit)."""
        plugged = self.wallbox.flag(self.config.wallbox.plugged)
        price = self.tariff.price_at(now)
        self._learn_house_load(site, self.charger_w())  # with or without a car: the plan needs it at plug-in
        if plugged is None:
            self.status = "the wallbox is not reporting whether a car is plugged in"
            return None
        if not plugged:
            if self.plugged:
                self.ledger.unplugged(self.name, now)
                self.regulator.reset()
                self.driver.forget()
                self.plan = None
            self.plugged = False
            if self.driver.enabled(self.wallbox, self.car) and self.config.wallbox.enable is not None:
                await self.driver.apply(Setpoint(False, self.limits.min_current_a, self.limits.phases, "no car"),
                                        now, self.wallbox, self.car)
            self.status = "no car plugged in"
            self.last = None
            return None
        if not self.plugged:
            self.plugged = True
            self.ledger.plugged(self.name, self.config.vehicle, now)
        charger_w = self.charger_w()
        self.ledger.record(self.name, now, charger_w, site.grid_w, site.battery_w, price, self.tariff.feed_in,
                           self.tariff.reference_price())
        available = site.surplus_for_car(charger_w)
        setpoint = self._by_mode(now, site, charger_w, available, allowance_w)
        setpoint = self._within_limit(setpoint, allowance_w, now)
        switch = await self.driver.apply(setpoint, now, self.wallbox, self.car)
        if switch is not None:
            self.regulator.note_switch(now)
        self.status = setpoint.reason
        self.last = Decision(now, setpoint, available, allowance_w, switch)
        return self.last

    def _learn_house_load(self, site: SiteView, charger_w: float) -> None:
        if site.grid_w is None:
            return
        house = site.grid_w - charger_w + (site.solar_w or 0.0) + (site.battery_w or 0.0)
        if self.house_load_w is None:
            self.house_load_w = max(0.0, house)
        else:
            self.house_load_w += (max(0.0, house) - self.house_load_w) * HOUSE_LOAD_SMOOTHING

    def _fastest(self) -> Setpoint:
        return Setpoint(True, self.limits.max_current_a, self.limits.phases, "charging as fast as allowed")

    def _surplus(self, now: float, site: SiteView, available: float | None, keep_minimum: bool) -> Setpoint:
        enabled = self.driver.enabled(self.wallbox, self.car)
        phases = self.driver.phases(self.wallbox)
        if available is None:
            if keep_minimum:
                return Setpoint(True, self.limits.min_current_a, phases, "no grid reading: charging at the minimum")
            return Setpoint(False, self.limits.min_current_a, phases, "no grid reading: the surplus is unknown")
        return self.regulator.decide(SurplusReading(now, available, site.grid_w or 0.0, enabled, phases, keep_minimum))

    def _by_mode(self, now: float, site: SiteView, charger_w: float, available: float | None,
                 allowance_w: float | None) -> Setpoint:
        mode = self.mode
        if mode is ChargeMode.OFF:
            self.plan = None
            return Setpoint(False, self.limits.min_current_a, self.driver.phases(self.wallbox), "off")
        if mode is ChargeMode.NOW:
            self.plan = None
            return self._fastest()
        if mode in (ChargeMode.SOLAR, ChargeMode.SOLAR_MIN):
            self.plan = None
            return self._surplus(now, site, available, mode is ChargeMode.SOLAR_MIN)
        plan = self._current_plan(now, charger_w, allowance_w)
        slot = plan.grid_slot_at(now) if plan is not None else None
        if plan is not None and slot is not None:
            end = max((s.end for s in plan.slots if s.grid_kwh > 0 and s.start >= slot.start
                       and self._contiguous(plan, slot.start, s.end)), default=slot.end)
            fastest = self._fastest()
            self._in_grid_slot = True
            return Setpoint(True, fastest.current_a, fastest.phases,
                            f"plan: from the grid until {dt.datetime.fromtimestamp(end, self.tz):%H:%M}")
        phases = self.driver.phases(self.wallbox)
        if self._in_grid_slot:  # the planned hours are over: stop now unless the sun carries on
            self._in_grid_slot = False
            self.regulator.reset_timers()
            if available is None or available < self.limits.min_power_w(phases):
                return Setpoint(False, self.limits.min_current_a, phases, "plan: the planned hours are over")
        setpoint = self._surplus(now, site, available, keep_minimum=False)
        if plan is None:
            return Setpoint(setpoint.enabled, setpoint.current_a, setpoint.phases,
                            f"plan: {self.plan_problem}; meanwhile {setpoint.reason}")
        prefix = "plan: target reached" if plan.request.needed_kwh <= 0 else "plan: waiting for the planned hours"
        return Setpoint(setpoint.enabled, setpoint.current_a, setpoint.phases, f"{prefix}; {setpoint.reason}")

    @staticmethod
    def _contiguous(plan: ChargePlan, start: float, end: float) -> bool:
        edge = start
        for slot in plan.slots:
            if slot.start > edge + 1e-6:
                break
            if slot.grid_kwh > 0 and slot.start <= edge + 1e-6:
                edge = max(edge, slot.end)
        return end <= edge + 1e-6

    plan_problem = "no departure known"

    def next_departure(self, now: float) -> Departure | None:
        now_dt = dt.datetime.fromtimestamp(now, self.tz)
        predicted = None
        if self.predictor is not None and self.config.plan.predict_departures and self.config.vehicle:
            predicted = self.predictor.next_departure(self.config.vehicle, now_dt)
        return choose_departure(now_dt, self.user_departure, next_scheduled(self.schedule, now_dt, self.tz),
                                predicted)

    def _current_plan(self, now: float, charger_w: float, allowance_w: float | None) -> ChargePlan | None:
        """The plan, redone every `REPLAN_S` or when the target, the departure or the state of charge moved."""
        departure = self.next_departure(now)
        soc = self.soc()
        key = (self.target_soc, None if departure is None else departure.at, None if soc is None else round(soc))
        if self._planned_at is not None and now - self._planned_at < REPLAN_S and key == self._plan_key:
            return self.plan
        self._planned_at, self._plan_key = now, key
        return self.replan(now, charger_w, allowance_w)

    def replan(self, now: float, charger_w: float, allowance_w: float | None) -> ChargePlan | None:
        """Plan from now to the next departure (also used to show the plan in other modes)."""
        self.departure = self.next_departure(now)
        soc = self.soc()
        if self.departure is None:
            self.plan_problem = "no departure known (set one, a schedule, or let it learn from your drives)"
            self.plan = None
            return None
        if soc is None:
            self.plan_problem = "the car's state of charge is unknown"
            self.plan = None
            return None
        max_w = self.limits.max_power_w(self.limits.phases)
        if allowance_w is not None:
            max_w = min(max_w, max(allowance_w, self.limits.min_power_w(1)))
        charging_now = self.driver.enabled(self.wallbox, self.car) and self.plan is not None \
            and self.plan.grid_slot_at(now) is not None
        request = PlanRequest(now, self.departure.at.timestamp(), soc, self.target_soc, self.capacity_kwh(), max_w,
                              self.config.efficiency, self.config.plan.solar_confidence,
                              min_power_w=self.limits.min_power_w(1 if self.limits.switchable_phases
                                                                  else self.limits.phases),
                              fastest_power_w=self.limits.max_power_w(self.limits.phases),
                              charging_slot_start=now if charging_now else None)
        self.plan = plan_charging(request, self.tariff, self._surplus_forecast(now, charger_w), self.tz,
                                  "€" if self.tariff.currency == "EUR" else self.tariff.currency)
        return self.plan

    def _surplus_forecast(self, now: float, charger_w: float) -> SurplusForecast:
        house = self.house_load_w or 0.0
        forecast = self.forecast
        if forecast is not None:
            def expected(start: float, end: float) -> float:
                return max(0.0, forecast.average_w(start, end, now) - house)
            return expected
        present = max(0.0, (self.last.available_w or 0.0) if self.last else 0.0)

        def measured(start: float, end: float) -> float:
            return present if start < now + 900 else 0.0  # the sun now, for the next quarter hour only
        return measured

    def _within_limit(self, setpoint: Setpoint, allowance_w: float | None, now: float) -> Setpoint:
        if not setpoint.enabled:
            return setpoint
        limits = self.limits
        current, phases, reason = setpoint.current_a, setpoint.phases, setpoint.reason
        if allowance_w is not None:
            fits = limits.current_for(allowance_w, phases)
            if fits < limits.min_current_a and phases == 3 and limits.switchable_phases \
                    and limits.current_for(allowance_w, 1) >= limits.min_current_a:
                phases, fits = 1, limits.current_for(allowance_w, 1)
            if fits < limits.min_current_a:
                return Setpoint(False, limits.min_current_a, phases,
                                f"paused: the house needs the power ({allowance_w:.0f} W left under the limit)")
            if current > fits:
                current = fits
                reason += f"; held to {fits:g} A by the household limit"
        previous = self.driver.current_target()
        changed_recently = self.driver.last_change is not None and \
            now - self.driver.last_change < self.config.wallbox.response_s
        if previous is not None and current > previous and changed_recently and self.driver.enabled(self.wallbox,
                                                                                                    self.car):
            current = previous  # raise only on readings that show the last change
        return Setpoint(True, max(current, limits.min_current_a), phases, reason)
