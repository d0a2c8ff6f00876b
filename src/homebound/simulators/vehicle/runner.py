"""Run a scenario against the hub: simulated time (`speed` times faster than real), the car's gateway feeding
`Hub.ingest` in batches, and the car carrying out the commands the hub hands it.

The gateway sends a batch every simulated second (however fast time runs): fast signals (speed, position, power)
in every batch, the others only when they change, as a car's gateway does. Timestamps are simulated time, so a
day's history reads as a day. A scenario with an `end` stops there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.simulators.vehicle.car import FAST, CarState, SimulatedCar
from homebound.simulators.vehicle.scenario import Scenario

log = logging.getLogger(__name__)
STEP_S = 0.5   # physics step, simulated seconds
PUBLISH_EVERY_S = 1.0  # simulated seconds between the gateway's batches
TICK_S = 0.1   # wall seconds between advances


class ScenarioRunner:
    def __init__(self, hub: Hub, scenario: Scenario, speed: float = 20.0, seed: int = 1,
                 on_event: Callable[[str], None] | None = None, date: dt.date | None = None) -> None:
        self.hub = hub
        self.scenario = scenario
        self.speed = speed
        self.on_event = on_event or (lambda text: log.info(text))
        setup = scenario.vehicle
        first_route = scenario.route(next(iter(scenario.routes)))
        start_lat, start_lon = ((scenario.home.latitude, scenario.home.longitude) if scenario.start_at == "home"
                                else (first_route.waypoints[0].latitude, first_route.waypoints[0].longitude))
        state = CarState(start_lat, start_lon, soc=setup.soc, odometer_m=setup.odometer_km * 1000,
                         outside_c=setup.outside_c, cabin_c=setup.outside_c + 2, charge_limit=setup.charge_limit)
        self.car = SimulatedCar(setup.id, scenario.model, state, seed=seed, vin=setup.vin)
        self.tz = scenario.tzinfo()
        day = date or scenario.date or dt.datetime.now(self.tz).date()
        self.start = dt.datetime.combine(day, scenario.start, tzinfo=self.tz).timestamp()
        self.now = self.start
        self.published_at = self.start
        self.end: float | None = None
        if scenario.end is not None:
            self.end = dt.datetime.combine(day, scenario.end, tzinfo=self.tz).timestamp()
            if self.end <= self.start:
                self.end += 86_400
        # In the order they happen: an event before the start time of day happens the next day.
        self.events = sorted(scenario.events, key=lambda e: (e.at < scenario.start, e.at))
        self._next_event = 0
        self._sent: dict[str, object] = {}
        self.batches = 0
        self.signals_sent = 0

    def clock(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now, self.tz)

    def attach(self) -> None:
        """Become the owner of the car's actuators, and report the car's first state."""
        self.hub.register_owner(self.car.id, self.car)
        self.publish(full=True)

    @property
    def finished(self) -> bool:
        """The scenario reached its `end` (never, without one)."""
        return self.end is not None and self.now >= self.end

    def advance(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass, reporting every simulated second."""
        remaining = seconds
        while remaining > 1e-9:
            dt_s = min(STEP_S, remaining)
            self._due_events()
            self.now += dt_s
            self.car.step(dt_s, self.now)
            remaining -= dt_s
            if self.now - self.published_at >= PUBLISH_EVERY_S - 1e-9:
                self.publish()

    def _due_events(self) -> None:
        while self._next_event < len(self.events):
            event = self.events[self._next_event]
            first_day = dt.datetime.fromtimestamp(self.start, self.tz).date()
            due = dt.datetime.combine(first_day, event.at, tzinfo=self.tz).timestamp()
            if due < self.start:
                due += 86_400
            if due > self.now:
                return
            self._next_event += 1
            if event.do == "drive" and event.route:
                self.car.drive(self.scenario.route(event.route))
                self.on_event(f"{self.clock():%H:%M} {self.car.id} sets off ({event.route})")
            elif event.do == "plug":
                self.car.plug(event.power_kw, event.dc)
                self.on_event(f"{self.clock():%H:%M} {self.car.id} plugged in ({event.power_kw:g} kW "
                              f"{'DC' if event.dc else 'AC'})")
            elif event.do == "unplug":
                self.car.unplug()
                self.on_event(f"{self.clock():%H:%M} {self.car.id} unplugged")

    def publish(self, full: bool = False) -> None:
        signals = self.car.signals()
        batch = {path: value for path, value in signals.items()
                 if full or path in FAST or self._sent.get(path) != value}
        for path, value in batch.items():
            self._sent[path] = value
        result = self.hub.ingest(self.car.id, batch, ts=self.now, principal=principal(Door.SIMULATOR, self.car.id))
        for error in result.errors:
            log.warning("simulator value refused: %s", error)
        self.batches += 1
        self.signals_sent += len(batch)
        self.published_at = self.now

    async def run(self, duration: float | None = None) -> None:
        """Run in (scaled) real time for `duration` wall seconds, until the scenario's end, or until cancelled."""
        loop = asyncio.get_running_loop()
        end = None if duration is None else loop.time() + duration
        last = loop.time()
        while (end is None or loop.time() < end) and not self.finished:
            await asyncio.sleep(TICK_S)
            now = loop.time()
            step = (now - last) * self.speed
            if self.end is not None:
                step = min(step, self.end - self.now)
            self.advance(step)
            last = now
