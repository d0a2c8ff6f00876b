"""The energy service in the hub: modes are commands on `chargepoint.<name>` (from REST, the CLI or an
automation alike), the service wakes at once when the house goes over its limit, and missing or offline devices
are said in words."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.automations.engine import AutomationEngine
from homebound.automations.loader import load_text
from homebound.energy import things
from homebound.energy.config import ChargeMode
from homebound.energy.service import EnergyService, UnknownChargePoint
from homebound.energy.sun import SolarArray
from homebound.hub.commands import CommandState
from homebound.hub.core import Hub
from homebound.hub.errors import RejectedValue
from homebound.messaging import LocalBus
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.household.energy_devices import GridMeter, SolarInverter, Wallbox
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.simulators.household.site import SimulatedSite, StandInCar
from homebound.simulators.household.sky import HouseLoad, Sky
from tests.energy.simday import HOME, ROOT, TZ, DaySetup, at, energy_config, settle


@dataclass
class Site:
    hub: Hub
    bus: LocalBus
    simulator: HouseholdSimulator
    service: EnergyService
    car: StandInCar
    site: SimulatedSite


@pytest.fixture
async def house() -> AsyncIterator[Site]:
    hub = Hub(default_command_timeout=5)
    hub.add_vehicle("car1", builtin_catalog())
    bus = LocalBus()
    HomeAssistantDevices(hub, bus).start()
    site = SimulatedSite(SolarArray(HOME[0], HOME[1], 8_000), Sky(1, 0.0, at("12:00")), HouseLoad(TZ, 1), at("12:00"))
    car = StandInCar()
    simulator = HouseholdSimulator(bus, [Wallbox(ROOT, site, car), GridMeter(site, ROOT), SolarInverter(site, ROOT)],
                                   root=ROOT, site=site)
    simulator.start()
    config = energy_config(DaySetup(start=at("12:00"), end=at("13:00"), fuse_a=25))
    service = EnergyService(hub, config, clock=lambda: site.now)
    service.attach()
    await settle(8)
    yield Site(hub, bus, simulator, service, car, site)
    await service.stop()
    hub.close()


def value(hub: Hub, thing: str, path: str) -> object:
    reading = hub.read(thing, path)
    return None if reading is None else reading.value


async def test_a_mode_is_a_command_confirmed_once_the_controller_took_it(house: Site) -> None:
    command = await house.service.set_mode("garage", "now", "rest:ana")
    assert command.state is CommandState.CONFIRMED
    assert command.principal == "rest:ana"
    assert house.service.controllers["garage"].mode is ChargeMode.NOW
    assert value(house.hub, "chargepoint.garage", things.MODE) == "now"


async def test_an_unknown_mode_is_refused_naming_the_valid_ones(house: Site) -> None:
    with pytest.raises(RejectedValue, match="'off', 'now', 'solar', 'solar_min', 'plan'"):
        await house.hub.command("rest:ana", "chargepoint.garage", things.MODE, "turbo")
    with pytest.raises(UnknownChargePoint, match="unknown charge point 'carport'; known: garage"):
        await house.service.set_mode("carport", "now", "rest:ana")


async def test_a_departure_of_hh_mm_means_the_next_one_and_a_past_one_fails(house: Site) -> None:
    commands = await house.service.set_plan("garage", 70, "07:30", "cli")
    assert [c.state for c in commands] == [CommandState.CONFIRMED, CommandState.CONFIRMED]
    controller = house.service.controllers["garage"]
    assert controller.user_departure == dt.datetime(2025, 6, 11, 7, 30, tzinfo=TZ)
    assert controller.target_soc == 70
    failed = await house.hub.command("cli", "chargepoint.garage", things.DEPARTURE, "2025-06-09T07:30")
    assert failed.state is CommandState.FAILED and "has already passed" in str(failed.reason)
    failed = await house.hub.command("cli", "chargepoint.garage", things.DEPARTURE, "half past seven")
    assert failed.state is CommandState.FAILED and "neither HH:MM nor an ISO date" in str(failed.reason)


async def test_an_automation_changes_the_mode_with_a_command_action(house: Site) -> None:
    engine = AutomationEngine(house.hub, [])
    loaded = load_text("""
- id: cheap_power_now
  triggers: [{trigger: state, thing: car1, path: Vehicle.Powertrain.TractionBattery.StateOfCharge.Current}]
  conditions: [{condition: numeric_state, thing: car1, path: Vehicle.Powertrain.TractionBattery.StateOfCharge.Current,
                below: 20}]
  actions: [{action: command, thing: chargepoint.garage, path: ChargePoint.Mode, value: now}]
""", "test.yaml")
    assert not loaded.errors
    assert engine.load(loaded.automations) == []
    await engine.start()
    try:
        house.hub.ingest("car1", {"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 15.0})
        for _ in range(100):
            if house.service.controllers["garage"].mode is ChargeMode.NOW:
                break
            await asyncio.sleep(0.01)
        assert house.service.controllers["garage"].mode is ChargeMode.NOW
        command = next(c for c in house.hub.recent_commands() if c.path == things.MODE)
        assert command.principal.startswith("automation:") and command.state is CommandState.CONFIRMED
    finally:
        await engine.stop()


async def test_the_service_wakes_at_once_when_the_grid_goes_over_the_limit(house: Site) -> None:
    house.service.time_scale = 1 / 600  # a cycle every 6000 s of wall time: only the alarm can wake it
    task = asyncio.create_task(house.service.run())
    await asyncio.sleep(0.05)
    cycles = house.service.cycles
    house.hub.ingest("grid", {"Sensor.Power.Value": 18_000.0})  # above 3 x 25 A x 230 V = 17,250 W
    for _ in range(50):
        if house.service.cycles > cycles:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    assert house.service.cycles == cycles + 1


async def test_the_service_sleeps_through_readings_within_the_limit(house: Site) -> None:
    house.service.time_scale = 1 / 600
    task = asyncio.create_task(house.service.run())
    await asyncio.sleep(0.05)
    cycles = house.service.cycles
    for watts in (3_000.0, 9_000.0, 17_000.0):
        house.hub.ingest("grid", {"Sensor.Power.Value": watts})
        await asyncio.sleep(0.05)
    task.cancel()
    assert house.service.cycles == cycles


async def test_status_says_what_is_missing_and_what_is_offline(house: Site) -> None:
    await house.service.step()
    assert house.service.status("garage")["problems"] == []
    house.bus.publish(f"{ROOT}/bridge/state", "offline", retain=True)
    await settle(8)
    await house.service.step()
    status = house.service.status("garage")
    assert "wallbox is offline" in status["problems"]  # type: ignore[operator]
    assert status["status"] == "the wallbox is not reporting whether a car is plugged in"


async def test_a_meter_that_never_joined_is_named(house: Site) -> None:
    config = energy_config(DaySetup(start=at("12:00"), end=at("13:00"))).model_copy(deep=True)
    grid = config.site.grid
    assert grid is not None
    broken = config.model_copy(update={"site": config.site.model_copy(update={
        "grid": grid.model_copy(update={"thing": "meter2"}),
        "solar": None})})
    hub = Hub()
    service = EnergyService(hub, broken)
    await service.step(at("12:00"))
    assert "meter2 has not joined yet" in service.meters.problems()


async def test_a_grid_reading_of_nonsense_pauses_charging_rather_than_trusting_it(house: Site) -> None:
    await house.service.set_mode("garage", "now", "test")
    house.car.is_plugged = True
    house.simulator.tick(1.0)
    await settle(8)
    await house.service.step()
    house.hub.ingest("grid", {"Sensor.Power.Value": 1e9})  # a meter glitch: a gigawatt
    refused = house.hub.ingest("grid", {"Sensor.Power.Value": float("nan")})
    assert refused.errors and "NaN" in str(refused.errors[0])
    await house.service.step()
    status = house.service.status("garage")
    assert str(status["status"]).startswith("paused: the house needs the power")
    await settle(8)
    assert value(house.hub, "wallbox", "Switch.Charging.State") is False


async def test_a_watch_whose_mailbox_overflowed_reads_the_values_afresh(house: Site) -> None:
    await house.service.step()
    watch = house.service.meters.watches["grid"]
    subscription = watch._subscription
    assert subscription is not None
    for watts in range(2_000):  # more batches than the mailbox holds, between two cycles
        house.hub.ingest("grid", {"Sensor.Power.Value": float(watts)})
    assert subscription.dropped > 0
    await house.service.step()
    assert house.service.site.grid_w == 1_999.0
