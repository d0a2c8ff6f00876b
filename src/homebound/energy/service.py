"""The energy service: the site's meters, the tariff, and a controller per charge point, run every cycle.

It shares the household limit between the charge points (in the order configured), wakes early when the grid
meter shows an import above the limit (so a kettle and an oven switched on together are answered within a
reading, not a cycle), owns the `chargepoint.<name>` things (their commands are how modes change), and answers
the narrow `ChargingControl` protocol the REST routes and the command line use.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from homebound.energy import things
from homebound.energy.config import ChargeMode, EnergyConfig, TariffConfig
from homebound.energy.controller import ChargePointController, Decision
from homebound.energy.departures import DepartureHistory, DeparturePredictor
from homebound.energy.forecast import SolarForecast
from homebound.energy.ledger import ChargeLedger
from homebound.energy.load_limit import HouseholdLimit
from homebound.energy.site import SiteMeters, SiteView
from homebound.energy.sun import SolarArray
from homebound.energy.tariffs import (
    DynamicTariff,
    FixedTariff,
    PriceSlot,
    PriceUpdate,
    PriceZone,
    Tariff,
    TimeOfDayTariff,
)
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.subscriptions import Subscription
from homebound.model.errors import ErrorCode, HomeboundError

log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a finished waiter's outcome (a closed subscription ends its wait with StopAsyncIteration)."""
    if not future.cancelled():
        future.exception()


class ChargingControl(Protocol):
    """What the REST routes and the command line need of smart charging, and nothing more."""

    tz: dt.tzinfo

    def charge_points(self) -> list[str]: ...

    def status(self, name: str) -> dict[str, object]: ...

    async def set_mode(self, name: str, mode: str, principal: str) -> Command: ...

    async def set_plan(self, name: str, target_soc: float | None, departure: str | None,
                       principal: str) -> list[Command]: ...

    def sessions(self) -> list[dict[str, object]]: ...

    def months(self) -> list[dict[str, object]]: ...

    def tariff_info(self) -> dict[str, object]: ...

    def update_prices(self, slots: list[PriceSlot], source: str) -> PriceUpdate: ...


def build_tariff(config: TariffConfig, tz: dt.tzinfo) -> Tariff:
    if config.kind == "fixed":
        return FixedTariff(config.price, config.feed_in, config.currency, config.reference_price)
    if config.kind == "time_of_day":
        zones = [PriceZone(z.start, z.end, z.price,
                           frozenset(WEEKDAYS.index(d) for d in z.weekdays) if z.weekdays else frozenset(range(7)))
                 for z in config.zones]
        return TimeOfDayTariff(zones, config.price, tz, config.feed_in, config.currency, config.reference_price)
    return DynamicTariff(config.price, config.feed_in, config.currency, config.reference_price)


class EnergyNotConfigured(HomeboundError):
    """Smart charging was asked for, but no charge point is configured."""

    code = ErrorCode.UNKNOWN_THING


class UnknownChargePoint(HomeboundError):
    code = ErrorCode.UNKNOWN_THING

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown charge point {name[:64]!r}; known: {', '.join(known) or 'none configured'}")


class EnergyService:
    """Smart charging for one site: meters, tariff, forecast, departures, and the charge points' controllers."""

    def __init__(self, hub: Hub, config: EnergyConfig, clock: Callable[[], float] = time.time,
                 time_scale: float = 1.0, history: DepartureHistory | None = None) -> None:
        self.hub = hub
        self.config = config
        self.clock = clock
        self.time_scale = time_scale
        self.tz = config.tzinfo()
        self.tariff = build_tariff(config.tariff, self.tz)
        self.limit = HouseholdLimit(config.site.import_limit_w, config.site.margin_w)
        self.meters = SiteMeters(hub, config.site)
        self.ledger = ChargeLedger(self.tz)
        array = config.site.array
        self.forecast = SolarForecast(SolarArray(array.latitude, array.longitude, array.peak_w, array.derate)) \
            if array is not None else None
        self.predictor = DeparturePredictor(history, self.tz) if history is not None else None
        self.controllers = {
            cp.name: ChargePointController(hub, cp, self.tariff, self.ledger, self.tz, config.site.voltage,
                                           self.forecast, self.predictor)
            for cp in config.charge_points}
        self.cycles = 0
        self.site = SiteView(None, None, None, None)
        self._published: dict[tuple[str, str], object] = {}
        #: Told of what people want to see happen (a start, a stop, a new plan), in words.
        self.on_event: Callable[[str], None] | None = None
        self._plan_outline: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._grid_subscription: Subscription | None = None

    def connect_history(self, history: DepartureHistory) -> None:
        """Learn departures from this drive history (the history layer's trips, once it is wired)."""
        self.predictor = DeparturePredictor(history, self.tz)
        for controller in self.controllers.values():
            controller.predictor = self.predictor
            controller.invalidate_plan()

    # ---- lifecycle ----------------------------------------------------------------------------------------

    def attach(self) -> None:
        """Register each charge point as a thing of the hub, owned by this service."""
        for name, controller in self.controllers.items():
            thing = things.thing_id(name)
            self.hub.add_device(thing, things.catalog(name), name=controller.config.title or f"Charge point {name}")
            self.hub.register_owner(thing, self)
            self.hub.ingest(thing, {things.MODE: controller.mode.value, things.TARGET_SOC: round(controller.target_soc),
                                    things.DEPARTURE: ""}, principal=controller.principal)

    async def start(self) -> None:
        self.attach()
        self._task = asyncio.create_task(self.run(), name="energy")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._grid_subscription is not None:
            self._grid_subscription.close()
        self.meters.close()

    async def run(self) -> None:
        """Every `interval_s` of the clock (sooner when the grid goes over the limit or a mode changes)."""
        while True:
            try:
                await self.step()
            except Exception:  # a cycle that failed must not end smart charging
                log.exception("energy: control cycle failed")
            await self._wait(self.config.interval_s / self.time_scale)

    async def _wait(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            if self._wake.is_set():
                self._wake.clear()
                return
            subscription = self._grid_alarm()
            woken = asyncio.ensure_future(self._wake.wait())
            reading = asyncio.ensure_future(subscription.next_batch()) if subscription is not None else None
            waits: set[asyncio.Future[Any]] = {woken} if reading is None else {woken, reading}
            try:
                done, _pending = await asyncio.wait(waits, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for future in waits:
                    future.cancel()
                    future.add_done_callback(_consume)
            if woken in done:
                self._wake.clear()
                return
            if reading is not None and reading in done and not reading.cancelled() and reading.exception() is None \
                    and self._over_limit(reading.result()):
                return

    def _grid_alarm(self) -> Subscription | None:
        grid = self.config.site.grid
        if grid is None or self.limit.limit_w is None:
            return None
        if self._grid_subscription is None or self._grid_subscription.closed:
            try:
                self._grid_subscription = self.hub.subscribe(grid.thing, [grid.power], max_batches=10)
            except HomeboundError:
                self._grid_subscription = None
        return self._grid_subscription

    def _over_limit(self, batch: object) -> bool:
        grid = self.config.site.grid
        if grid is None or self.limit.limit_w is None or not isinstance(batch, list):
            return False
        scale = 1000.0 if grid.unit == "kW" else 1.0
        for update in batch:
            value = getattr(update, "value", None)
            if isinstance(value, int | float) and not isinstance(value, bool) \
                    and (-value if grid.invert else value) * scale > self.limit.limit_w - self.limit.margin_w:
                return True
        return False

    # ---- the cycle ----------------------------------------------------------------------------------------

    async def step(self, now: float | None = None) -> None:
        """One control cycle for every charge point."""
        now = self.clock() if now is None else now
        self.cycles += 1
        self.meters.refresh()
        site = self.meters.view()
        self.site = site
        if self.forecast is not None and site.solar_w is not None:
            self.forecast.observe(now, site.solar_w)
        for controller in self.controllers.values():
            controller.refresh()
        chargers_w = sum(c.charger_w() for c in self.controllers.values())
        allowance = self.limit.allowed_chargers_w(site.grid_w, chargers_w)
        grid_seen = site.grid_w
        for controller in self.controllers.values():
            drawn = controller.charger_w()
            view = SiteView(grid_seen, site.solar_w, site.battery_w, site.battery_soc, site.battery_priority_soc)
            decision = await controller.step(now, view, allowance)
            self._tell(controller, decision, now)
            if decision is not None and decision.setpoint.enabled:
                planned = decision.setpoint.current_a * decision.setpoint.phases * controller.limits.voltage
                if allowance is not None:
                    allowance = max(0.0, allowance - planned)
                if grid_seen is not None:
                    grid_seen += planned - drawn  # the next charge point sees this one's new draw
            elif allowance is not None:
                allowance = max(0.0, allowance - drawn)
            self._publish(controller)

    def _tell(self, controller: ChargePointController, decision: Decision | None, now: float) -> None:
        if self.on_event is None:
            return
        clock = dt.datetime.fromtimestamp(now, self.tz).strftime("%H:%M")
        if decision is not None and decision.switch is not None:
            phases = f"{decision.setpoint.phases} phase{'s' if decision.setpoint.phases > 1 else ''}"
            what = {"start": f"starts ({phases})", "stop": "stops", "phases": f"goes to {phases}"}[decision.switch]
            self.on_event(f"{clock} {controller.name} {what}: {decision.setpoint.reason}")
        plan = controller.plan
        outline = "" if plan is None else plan.outline()
        if outline != self._plan_outline.get(controller.name, "") and plan is not None:
            self.on_event(f"{clock} {controller.name} plan: {plan.text}")
        self._plan_outline[controller.name] = outline

    def _publish(self, controller: ChargePointController) -> None:
        session = self.ledger.current(controller.name)
        values: dict[str, object] = {
            things.STATUS: controller.status[:500],
            things.PLAN: (controller.plan.text if controller.plan is not None else "")[:1000],
            things.POWER: round(controller.charger_w(), 1),
            things.IS_CHARGING: controller.charger_w() > 50,
        }
        if session is not None:
            values[things.SESSION_ENERGY] = round(session.energy_kwh, 3)
            values[things.SESSION_SOLAR_SHARE] = round(session.solar_share * 100, 1)
            values[things.SESSION_COST] = round(session.cost, 4)
        thing = things.thing_id(controller.name)
        changed = {path: value for path, value in values.items() if self._published.get((thing, path)) != value}
        if changed:
            with contextlib.suppress(HomeboundError):
                self.hub.ingest(thing, changed, ts=self.clock(), principal=controller.principal)
                for path, value in changed.items():
                    self._published[(thing, path)] = value

    # ---- commands on the charge point things (the hub calls this as their owner) --------------------------

    async def actuate(self, command: Command) -> None:
        name = command.thing.removeprefix(things.PREFIX)
        controller = self.controllers.get(name)
        if controller is None:
            raise UnknownChargePoint(name, sorted(self.controllers))
        if command.path == things.MODE:
            controller.mode = ChargeMode(str(command.target))
        elif command.path == things.TARGET_SOC:
            assert isinstance(command.target, int | float)
            controller.target_soc = float(command.target)
            controller.invalidate_plan()
        elif command.path == things.DEPARTURE:
            now = dt.datetime.fromtimestamp(self.clock(), self.tz)
            controller.user_departure = things.parse_departure(str(command.target), now, self.tz)
            controller.invalidate_plan()
        else:
            raise HomeboundError(f"{command.thing}: {command.path} cannot be commanded")
        log.info("energy: %s %s = %r (%s)", command.thing, command.path, command.target, command.principal)
        self.hub.ingest(command.thing, {command.path: command.target}, ts=self.clock(), principal=controller.principal)
        self._wake.set()

    # ---- ChargingControl ----------------------------------------------------------------------------------

    def controller(self, name: str) -> ChargePointController:
        controller = self.controllers.get(name)
        if controller is None:
            raise UnknownChargePoint(name, sorted(self.controllers))
        return controller

    def charge_points(self) -> list[str]:
        return list(self.controllers)

    async def set_mode(self, name: str, mode: str, principal: str) -> Command:
        self.controller(name)
        return await self.hub.command(principal, things.thing_id(name), things.MODE, mode)

    async def set_plan(self, name: str, target_soc: float | None, departure: str | None,
                       principal: str) -> list[Command]:
        self.controller(name)
        out = []
        if target_soc is not None:
            out.append(await self.hub.command(principal, things.thing_id(name), things.TARGET_SOC, target_soc))
        if departure is not None:
            out.append(await self.hub.command(principal, things.thing_id(name), things.DEPARTURE, departure))
        return out

    def status(self, name: str) -> dict[str, object]:
        controller = self.controller(name)
        now = self.clock()
        if controller.mode is not ChargeMode.PLAN or controller.plan is None:
            controller.replan(now, controller.charger_w(), None)  # what a plan would be (or why there is none)
        last = controller.last
        session = self.ledger.current(name)
        usual = []
        if self.predictor is not None and controller.config.vehicle:
            found = self.predictor.usual(controller.config.vehicle, dt.datetime.fromtimestamp(now, self.tz))
            usual = [found[day].to_json() for day in sorted(found)]
        return {
            "name": name, "title": controller.config.title, "thing": things.thing_id(name),
            "mode": controller.mode.value, "plugged": controller.plugged,
            "enabled": controller.driver.enabled(controller.wallbox, controller.car),
            "power_w": round(controller.charger_w(), 1),
            "current_a": None if last is None else last.setpoint.current_a,
            "phases": controller.driver.phases(controller.wallbox),
            "status": controller.status, "soc": controller.soc(), "target_soc": controller.target_soc,
            "departure": None if controller.departure is None else controller.departure.to_json(),
            "usual_departures": usual,
            "plan": None if controller.plan is None else controller.plan.to_json(),
            "session": None if session is None else session.to_json(),
            "switches": controller.driver.switches,
            "problems": controller.problems() + self.meters.problems(),
        }

    def sessions(self) -> list[dict[str, object]]:
        return [s.to_json() for s in self.ledger.sessions()]

    def months(self) -> list[dict[str, object]]:
        return [m.to_json() for m in self.ledger.months()]

    def tariff_info(self) -> dict[str, object]:
        now = self.clock()
        upcoming = self.tariff.slots(now, now + 86_400)
        return {"kind": self.config.tariff.kind, "describe": self.tariff.describe(), "currency": self.tariff.currency,
                "price_now": self.tariff.price_at(now), "feed_in": self.tariff.feed_in,
                "reference_price": self.tariff.reference_price(),
                "next_24h": [{"start": s.start, "end": s.end, "price": s.price} for s in upcoming]}

    def update_prices(self, slots: list[PriceSlot], source: str) -> PriceUpdate:
        if not isinstance(self.tariff, DynamicTariff):
            raise HomeboundError(f"the tariff is {self.config.tariff.kind}; prices can be fed only to a dynamic one "
                                 "(energy.tariff.kind: dynamic)")
        result = self.tariff.update(slots, self.clock(), source)
        if result.accepted:
            for controller in self.controllers.values():
                controller.invalidate_plan()
            self._wake.set()
        return result
