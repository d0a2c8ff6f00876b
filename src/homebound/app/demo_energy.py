"""The demo's smart-charging part: the scenario's sun and house behind the wallbox, the simulated car at the
wallbox, the car's habits as its drive history, and a panel that shows the energy flowing."""

from __future__ import annotations

import datetime as dt

from rich.panel import Panel
from rich.table import Table

from homebound.app.runtime import Runtime
from homebound.simulators.household.base import SIM_ROOT
from homebound.simulators.household.devices import household
from homebound.simulators.household.setup import SimulatedHabits, build_site
from homebound.simulators.household.site import SimulatedSite
from homebound.simulators.vehicle.car import SimulatedCar
from homebound.simulators.vehicle.runner import ScenarioRunner


class CarAtWallbox:
    """The simulated car as the simulated wallbox sees it: plugged or not, drawing what it is offered."""

    def __init__(self, car: SimulatedCar) -> None:
        self.car = car

    def plugged(self) -> bool:
        return self.car.state.plugged

    def offer_ac(self, watts: float, seconds: float) -> float:
        return self.car.offer_ac(watts, seconds)


def attach_energy(runtime: Runtime, runner: ScenarioRunner, speed: float, seed: int) -> SimulatedSite | None:
    """Before `runtime.start()`: give the household the scenario's site and car, and smart charging its clock
    and the car's habits. Returns the site (None when the scenario has none)."""
    scenario = runner.scenario
    site = None
    tz = scenario.tzinfo() or dt.datetime.now().astimezone().tzinfo or dt.UTC
    if scenario.site is not None:
        site = build_site(scenario.site, scenario.home.latitude, scenario.home.longitude, runner.start, tz, seed)
        site.follow = lambda: runner.now
        runtime.household_site = site
        runtime.household_devices = household(SIM_ROOT, site, CarAtWallbox(runner.car))
    if runtime.energy is not None:
        runtime.energy.clock = lambda: runner.now
        runtime.energy.time_scale = speed
        if scenario.habits:
            now = dt.datetime.fromtimestamp(runner.start, runtime.energy.tz)
            runtime.energy.connect_history(SimulatedHabits(runner.car.id, scenario.habits, now, seed))
    return site


def _kw(watts: float | None) -> str:
    return "?" if watts is None else f"{watts / 1000:5.2f} kW"


def energy_panel(runtime: Runtime, site: SimulatedSite | None) -> Panel | None:
    energy = runtime.energy
    if energy is None:
        return None
    table = Table.grid(padding=(0, 2))
    view = energy.site
    table.add_row("sun", _kw(site.solar_w if site else view.solar_w), "house",
                  _kw(site.house_w if site else None), "grid", _kw(view.grid_w))
    now = energy.clock()
    table.add_row("price", f"{energy.tariff.price_at(now):.2f} {energy.tariff.currency}/kWh", "feed-in",
                  f"{energy.tariff.feed_in:.2f}", "", "")
    for name in energy.charge_points():
        status = energy.status(name)
        table.add_row(name, f"{status['mode']}: {status['status']}", "", "", "", "")
        departure = status.get("departure")
        if isinstance(departure, dict):
            source = departure["source"] + (f", {departure['confidence']:.0%} sure"
                                            if departure.get("confidence") is not None else "")
            table.add_row("leaves", f"{dt.datetime.fromisoformat(str(departure['at'])):%a %H:%M} ({source})",
                          "", "", "", "")
        plan = status.get("plan")
        if isinstance(plan, dict):
            table.add_row("plan", str(plan["text"]), "", "", "", "")
        session = status.get("session")
        if isinstance(session, dict):
            table.add_row("session", f"{session['energy_kwh']:.1f} kWh, {float(session['solar_share']):.0%} sun, "
                          f"cost {session['cost']:.2f}, saved {session['savings']:.2f}", "", "", "", "")
    return Panel(table, title="smart charging")


def energy_summary(runtime: Runtime) -> str | None:
    """One line on what smart charging did, for the demo's summary."""
    energy = runtime.energy
    if energy is None:
        return None
    sessions = energy.ledger.sessions()
    if not sessions:
        return "smart charging: no car was plugged in"
    kwh = sum(s.energy_kwh for s in sessions)
    solar = sum(s.solar_kwh + s.battery_kwh for s in sessions)
    cost = sum(s.cost for s in sessions)
    saved = sum(s.savings for s in sessions)
    switches = sum(c.driver.switches for c in energy.controllers.values())
    share = solar / kwh if kwh else 0.0
    return (f"smart charging: {kwh:.1f} kWh charged, {share:.0%} from the sun, cost {cost:.2f} "
            f"{energy.tariff.currency}, saved {saved:.2f}; {switches} contactor switches")
