"""A simulated day for the smart-charging controller, with every real part in the loop.

The household simulator's wallbox, grid meter and solar inverter speak Home Assistant discovery over the
in-process bus; the MQTT bridge turns their states into `Hub.ingest` and carries the controller's commands
back; the energy service reads the hub and acts through `Hub.command`. The car is the simulator's stand-in
battery behind the wallbox, whose state of charge the test reports as the car's gateway would. Time is the
site's: each step moves it on, lets the bus deliver, and runs a control cycle every `interval_s` (and at once
when the grid meter reads above the limit, as the service's alarm does).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.adapters.mqtt.price_feed import PriceFeed
from homebound.energy.config import (
    ChargeMode,
    ChargePointConfig,
    EnergyConfig,
    MeterRole,
    PlanSettings,
    SiteConfig,
    SolarArrayConfig,
    SolarSettings,
    TariffConfig,
    WallboxRole,
)
from homebound.energy.service import EnergyService
from homebound.energy.sun import SolarArray
from homebound.hub.core import Hub
from homebound.messaging import LocalBus
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.household.energy_devices import GridMeter, SolarInverter, Wallbox
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.simulators.household.site import PRICE_TOPIC, PriceSchedule, SimulatedSite, StandInCar
from homebound.simulators.household.sky import HouseLoad, LoadSpike, Sky

TZ = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = dt.date(2025, 6, 10)  # a Tuesday in June
HOME = (48.1372, 11.5756)
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
ROOT = "sim"


def at(clock: str, day: int = 0) -> float:
    """Epoch seconds of a local time on the test day (or `day` days later)."""
    return dt.datetime.combine(DAY + dt.timedelta(days=day), dt.time.fromisoformat(clock), tzinfo=TZ).timestamp()


WALLBOX = WallboxRole(thing="wallbox", plugged="BinarySensor.Plugged.State", enable="Switch.Charging.State",
                      power="Sensor.Power.Value", energy="Sensor.Energy.Value",
                      current_limit="Number.CurrentLimit.Value", phases_switch="Select.Phases.Option",
                      min_current_a=6, max_current_a=16, response_s=3)


@dataclass
class DaySetup:
    """One simulated day: weather, house, tariff, car, and how the charge point is set."""

    start: float
    end: float
    mode: ChargeMode = ChargeMode.SOLAR
    cloudiness: float = 0.0
    sky_cloud_s: tuple[float, float] = (60.0, 600.0)
    seed: int = 1
    peak_w: float = 8_000.0
    appliances: bool = False
    spikes: list[LoadSpike] = field(default_factory=list)
    plug_at: float | None = None
    unplug_at: float | None = None
    soc: float = 40.0
    battery_kwh: float = 60.0
    max_ac_w: float = 11_000.0
    tariff: TariffConfig = field(default_factory=lambda: TariffConfig(kind="fixed", price=0.30, feed_in=0.08))
    prices: PriceSchedule | None = None
    fuse_a: float | None = None
    target_soc: float = 80.0
    departures: dict[str, str] = field(default_factory=dict)
    solar: SolarSettings = field(default_factory=SolarSettings)
    switchable_phases: bool = True
    step_s: float = 5.0
    interval_s: float = 10.0


@dataclass
class Sample:
    ts: float
    grid_w: float
    charger_w: float
    solar_w: float
    house_w: float
    soc: float
    contactor: bool
    current_a: float
    phases: int


@dataclass
class DayResult:
    setup: DaySetup
    samples: list[Sample]
    wallbox: Wallbox
    site: SimulatedSite
    car: StandInCar
    service: EnergyService
    hub: Hub
    plans: list[tuple[float, str]]

    def soc_at(self, ts: float) -> float:
        return next(s.soc for s in self.samples if s.ts >= ts)

    def energy_kwh(self, start: float, end: float) -> float:
        """Energy the wallbox delivered from `start` to `end` (a sample holds the power of the step it ends)."""
        step = self.setup.step_s / 3600 / 1000
        return sum(s.charger_w * step for s in self.samples if start < s.ts <= end)

    def overloads(self, limit_w: float) -> list[tuple[float, float]]:
        """Each stretch of import above `limit_w`: (start, seconds)."""
        out: list[tuple[float, float]] = []
        begun: float | None = None
        for sample in self.samples:
            if sample.grid_w > limit_w and begun is None:
                begun = sample.ts
            elif sample.grid_w <= limit_w and begun is not None:
                out.append((begun, sample.ts - begun))
                begun = None
        if begun is not None:
            out.append((begun, self.samples[-1].ts - begun))
        return out

    def closings(self) -> list[float]:
        """When the wallbox's contactor closed (a start)."""
        out = []
        previous = False
        for sample in self.samples:
            if sample.contactor and not previous:
                out.append(sample.ts)
            previous = sample.contactor
        return out


def energy_config(setup: DaySetup) -> EnergyConfig:
    wallbox = WALLBOX if setup.switchable_phases else WALLBOX.model_copy(update={"phases_switch": None})
    return EnergyConfig(
        timezone="Europe/Berlin", interval_s=setup.interval_s,
        site=SiteConfig(main_fuse_a=setup.fuse_a, grid=MeterRole(thing="grid", power="Sensor.Power.Value"),
                        solar=MeterRole(thing="solar", power="Sensor.Power.Value"),
                        array=SolarArrayConfig(latitude=HOME[0], longitude=HOME[1], peak_w=setup.peak_w)),
        tariff=setup.tariff,
        charge_points=[ChargePointConfig(
            name="garage", wallbox=wallbox, vehicle="car1", battery_kwh=setup.battery_kwh, efficiency=0.92,
            mode=setup.mode, solar=setup.solar,
            plan=PlanSettings(target_soc=setup.target_soc, departures=setup.departures))])  # type: ignore[arg-type]


async def settle(rounds: int = 4) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


async def run_day(setup: DaySetup) -> DayResult:
    hub = Hub(default_command_timeout=60)
    hub.add_vehicle("car1", builtin_catalog())
    bus = LocalBus()
    bridge = HomeAssistantDevices(hub, bus)
    bridge.start()
    site = SimulatedSite(SolarArray(HOME[0], HOME[1], setup.peak_w), Sky(setup.seed, setup.cloudiness, setup.start,
                                                                      cloud_s=setup.sky_cloud_s),
                         HouseLoad(TZ, setup.seed, spikes=setup.spikes, appliances=setup.appliances), setup.start,
                         breaker_w=setup.fuse_a * 3 * 230 if setup.fuse_a else None, prices=setup.prices)
    car = StandInCar(setup.battery_kwh, setup.soc, setup.max_ac_w)
    wallbox = Wallbox(ROOT, site, car)
    simulator = HouseholdSimulator(bus, [wallbox, GridMeter(site, ROOT), SolarInverter(site, ROOT)], root=ROOT,
                                   site=site)
    simulator.start()
    service = EnergyService(hub, energy_config(setup), clock=lambda: site.now)
    if setup.tariff.kind == "dynamic":
        PriceFeed(bus, f"{ROOT}/{PRICE_TOPIC}", service.update_prices, TZ).start()
    service.attach()
    await settle(8)
    limit = service.limit.limit_w
    samples: list[Sample] = []
    plans: list[tuple[float, str]] = []
    controller = service.controllers["garage"]
    next_cycle = setup.start
    while site.now < setup.end:
        if setup.plug_at is not None and setup.plug_at <= site.now and (setup.unplug_at is None or
                                                                         site.now < setup.unplug_at):
            car.is_plugged = True
        elif setup.unplug_at is not None and site.now >= setup.unplug_at:
            car.is_plugged = False
        simulator.tick(setup.step_s)
        hub.ingest("car1", {SOC: round(car.soc, 2)}, ts=site.now, principal="simulator:car1")
        await settle()
        if site.now >= next_cycle or (limit is not None and site.grid_w > limit):
            await service.step()
            await settle()
            text = controller.plan.text if controller.plan is not None else ""
            if text and (not plans or plans[-1][1] != text):
                plans.append((site.now, text))
            if site.now >= next_cycle:
                next_cycle += setup.interval_s
        samples.append(Sample(site.now, site.grid_w, wallbox.power_w, site.solar_w, site.house_w, car.soc,
                              wallbox.contactor, wallbox.current_limit, wallbox.phases))
    return DayResult(setup, samples, wallbox, site, car, service, hub, plans)
