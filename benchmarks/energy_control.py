"""Smart charging's costs: planning, a control cycle, and a whole simulated day with every part in the loop.

- `energy.plan_24h`: plans per second from 18:00 to 07:30 (quarter-hour slots, a time-of-day tariff, the solar
  forecast). Baseline: the same plan with no sun to ask about (the tariff alone), in the same run.
- `energy.cycle_plan`: control cycles per second of one charge point in `plan` mode, re-planning every cycle
  (the worst case; it re-plans once a minute). Baseline: cycles in `off` mode (reading, ledger, publishing).
- `energy.day`: simulated seconds per wall second of a sunny day: the household simulator on the in-process
  bus, the MQTT bridge, the hub, the energy service every 10 s. Baseline: the same day without smart charging.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import zoneinfo

from benchmarks.common import Figure, figure, rate
from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.energy.config import (
    ChargeMode,
    ChargePointConfig,
    EnergyConfig,
    MeterRole,
    SiteConfig,
    SolarArrayConfig,
    TariffConfig,
    TariffZone,
    WallboxRole,
)
from homebound.energy.forecast import SolarForecast
from homebound.energy.planner import PlanRequest, plan_charging
from homebound.energy.service import EnergyService, build_tariff
from homebound.energy.sun import SolarArray
from homebound.hub.core import Hub
from homebound.messaging import LocalBus
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.household.energy_devices import GridMeter, SolarInverter, Wallbox
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.simulators.household.site import SimulatedSite, StandInCar
from homebound.simulators.household.sky import HouseLoad, Sky

TZ = zoneinfo.ZoneInfo("Europe/Berlin")
HOME = (48.1372, 11.5756)
EVENING = dt.datetime(2025, 6, 10, 18, 0, tzinfo=TZ).timestamp()
MORNING = dt.datetime(2025, 6, 10, 8, 0, tzinfo=TZ).timestamp()
TARIFF = TariffConfig(kind="time_of_day", price=0.34, feed_in=0.08,
                      zones=[TariffZone.model_validate({"from": "22:00", "to": "06:00", "price": 0.17})])
WALLBOX = WallboxRole(thing="wallbox", plugged="BinarySensor.Plugged.State", enable="Switch.Charging.State",
                      power="Sensor.Power.Value", current_limit="Number.CurrentLimit.Value",
                      phases_switch="Select.Phases.Option")


def _config(mode: ChargeMode) -> EnergyConfig:
    return EnergyConfig(timezone="Europe/Berlin", site=SiteConfig(
        main_fuse_a=25, grid=MeterRole(thing="grid", power="Sensor.Power.Value"),
        solar=MeterRole(thing="solar", power="Sensor.Power.Value"),
        array=SolarArrayConfig(latitude=HOME[0], longitude=HOME[1], peak_w=8000)), tariff=TARIFF,
        charge_points=[ChargePointConfig(name="garage", wallbox=WALLBOX, vehicle="car1", battery_kwh=60, mode=mode,
                                         plan={"departures": {"wed": "07:30"}})])  # type: ignore[arg-type]


def plan_figures() -> list[Figure]:
    tariff = build_tariff(TARIFF, TZ)
    forecast = SolarForecast(SolarArray(HOME[0], HOME[1], 8000))
    request = PlanRequest(EVENING, EVENING + 13.5 * 3600, 30, 80, 60, 11_000, min_power_w=1_380)

    def with_sun() -> None:
        plan_charging(request, tariff, lambda s, e: forecast.average_w(s, e, EVENING), TZ)

    def without_sun() -> None:
        plan_charging(request, tariff, lambda s, e: 0.0, TZ)

    baseline = rate(without_sun, 1, 1.0)
    return [figure("energy.plan_24h", rate(with_sun, 1, 1.0), "plans/s", baseline,
                   "13.5 h, quarter hours; baseline: the tariff alone")]


async def _house(with_energy: bool, mode: ChargeMode = ChargeMode.SOLAR, start: float = MORNING
                 ) -> tuple[Hub, HouseholdSimulator, SimulatedSite, EnergyService | None]:
    hub = Hub(default_command_timeout=60)
    hub.add_vehicle("car1", builtin_catalog())
    bus = LocalBus()
    HomeAssistantDevices(hub, bus).start()
    site = SimulatedSite(SolarArray(HOME[0], HOME[1], 8000), Sky(1, 0.2, start), HouseLoad(TZ, 1), start,
                         breaker_w=25 * 3 * 230)
    car = StandInCar(battery_kwh=200, soc=10, is_plugged=True)
    simulator = HouseholdSimulator(bus, [Wallbox("bench", site, car), GridMeter(site, "bench"),
                                         SolarInverter(site, "bench")], root="bench", site=site)
    simulator.start()
    service = None
    if with_energy:
        service = EnergyService(hub, _config(mode), clock=lambda: site.now)
        service.attach()
    for _ in range(8):
        await asyncio.sleep(0)
    hub.ingest("car1", {"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 30.0})
    return hub, simulator, site, service


async def _cycles_per_s(mode: ChargeMode, seconds: float = 1.0) -> float:
    _hub, _simulator, _site, service = await _house(True, mode, EVENING)
    assert service is not None
    controller = service.controllers["garage"]
    for _ in range(20):
        await service.step()
        await asyncio.sleep(0)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        controller.invalidate_plan()
        await service.step()
        count += 1
    return count / (time.perf_counter() - start)


async def _day_speed(with_energy: bool, hours: float = 12.0, step_s: float = 5.0) -> float:
    _hub, simulator, site, service = await _house(with_energy)
    end = site.now + hours * 3600
    next_cycle = site.now
    start = time.perf_counter()
    while site.now < end:
        simulator.tick(step_s)
        for _ in range(4):
            await asyncio.sleep(0)
        if service is not None and site.now >= next_cycle:
            await service.step()
            next_cycle += 10
    return hours * 3600 / (time.perf_counter() - start)


def energy_figures() -> list[Figure]:
    figures = plan_figures()
    off = asyncio.run(_cycles_per_s(ChargeMode.OFF))
    figures.append(figure("energy.cycle_plan", asyncio.run(_cycles_per_s(ChargeMode.PLAN)), "cycles/s", off,
                          "re-planning every cycle; baseline: off mode"))
    bare = asyncio.run(_day_speed(False))
    figures.append(figure("energy.day", asyncio.run(_day_speed(True)), "simulated s per s", bare,
                          "12 h, 5 s steps, a cycle every 10 s; baseline: the same day without smart charging"))
    return figures
