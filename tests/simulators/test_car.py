"""The simulated car: charging, cabin, commands answered like a car, scenarios, reproducibility."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebound.hub import CommandState, Hub
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.vehicle.car import CarState, SimulatedCar
from homebound.simulators.vehicle.models import COMPACT_SEDAN, SUV
from homebound.simulators.vehicle.runner import ScenarioRunner
from homebound.simulators.vehicle.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


def parked(soc: float = 50.0, model: object = COMPACT_SEDAN) -> SimulatedCar:
    return SimulatedCar("car1", model, CarState(48.0, 11.0, soc=soc, outside_c=5.0, cabin_c=5.0))  # type: ignore[arg-type]


def test_ac_charging_at_11_kw_stops_at_the_limit() -> None:
    car = parked(70.0)
    car.plug(11.0)
    car.step(60.0, 60.0)
    assert car.state.charging
    # 11 kW for a minute, 92 % reaching the cells, less the parked draw: about 0.28 % of 57.5 kWh
    assert car.state.soc == pytest.approx(70 + (11_000 * 0.92 - 30) * 60 / 3.6e6 / 57.5 * 100, rel=1e-6)
    highest = 0.0
    for second in range(6 * 3600):
        car.step(1.0, 60.0 + second)
        highest = max(highest, car.state.soc)
    assert highest == pytest.approx(80.0, abs=0.05) and not car.state.charging
    # Parked at the limit, the car drains a little and, like real cars, does not top up until 2 points below.
    assert 79.0 < car.state.soc < 80.0


def test_dc_charging_tapers_above_80_percent() -> None:
    car = parked(60.0, SUV)
    car.plug(150.0, dc=True)
    soc_per_minute = []
    for minute in range(40):
        before = car.state.soc
        for second in range(60):
            car.step(1.0, minute * 60 + second)
        soc_per_minute.append(car.state.soc - before)
        if car.state.soc >= 79.9:
            break
    assert soc_per_minute[0] > soc_per_minute[-1] * 1.5  # slower near the top


def test_cabin_moves_towards_the_setpoint_with_climate_and_towards_outside_without() -> None:
    car = parked()
    car.state.hvac_on, car.state.setpoint_c = True, 21.0
    for second in range(900):
        car.step(1.0, second)
    assert car.state.cabin_c > 19.0
    car.state.hvac_on = False
    for second in range(7200):
        car.step(1.0, 900 + second)
    assert car.state.cabin_c < 8.0


async def test_commands_confirm_after_a_delay_and_impossible_ones_are_refused() -> None:
    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    car = parked()
    car.state.charging_requested = False
    hub.register_owner("car1", car)
    hub.ingest("car1", car.signals())
    command = await hub.command("u", "car1", LIMIT, 90)
    car.step(0.3, 0.3)
    hub.ingest("car1", car.signals())
    assert command.state is CommandState.PENDING  # not yet: the car takes half a second
    car.step(0.3, 0.6)
    hub.ingest("car1", car.signals())
    assert command.state is CommandState.CONFIRMED
    refused = await hub.command("u", "car1", "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging", "START")
    assert refused.state is CommandState.FAILED and "no charging cable" in (refused.reason or "")
    too_warm = await hub.command("u", "car1", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 29.0)
    assert too_warm.state is CommandState.FAILED and "15..28" in (too_warm.reason or "")


def test_the_default_scenario_drives_home_and_plugs_in() -> None:
    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    runner = ScenarioRunner(hub, load_scenario(SCENARIOS / "evening_drive_home.yaml"), speed=1)
    runner.attach()
    for _ in range(1500):
        runner.advance(1.0)
    car = runner.car.state
    assert 6.5 < car.distance_m / 1000 < 8.0
    assert 90 < car.energy_used_kwh * 1e6 / car.distance_m < 180  # Wh/km in town
    assert car.plugged and car.charging
    assert hub.read("car1", "Vehicle.Powertrain.TractionBattery.Charging.IsCharging")[0] is True  # type: ignore[index]
    assert runner.batches == 1501 and runner.signals_sent > 1501 * 7


def test_runs_are_reproducible_from_a_seed() -> None:
    def positions(seed: int) -> list[object]:
        hub = Hub()
        hub.add_vehicle("car1", builtin_catalog())
        runner = ScenarioRunner(hub, load_scenario(SCENARIOS / "evening_drive_home.yaml"), speed=1, seed=seed)
        runner.attach()
        out = []
        for _ in range(120):
            runner.advance(2.0)
            out.append(hub.read("car1", "Vehicle.CurrentLocation.Latitude")[0])  # type: ignore[index]
        return out

    assert positions(3) == positions(3)
    assert positions(3) != positions(4)


@pytest.mark.parametrize("name", ["evening_drive_home.yaml", "a_day.yaml", "suv_fast_charge.yaml"])
def test_example_scenarios_load(name: str) -> None:
    assert load_scenario(SCENARIOS / name).routes


def test_a_bad_scenario_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    base = "name: x\nhome: {latitude: 1, longitude: 2}\nroutes: {a: [[1, 2], [1, 3]]}\n"
    path.write_text(base + "start: '25:00'\n")
    with pytest.raises(ScenarioError, match="start: Value error, '25:00' is not a time of day"):
        load_scenario(path)
    path.write_text(base + "start: '08:00'\nevents: [{at: '08:00', do: drive, route: b}]\n")
    with pytest.raises(ScenarioError, match="route 'b' is not one of a"):
        load_scenario(path)


async def test_the_runner_runs_in_scaled_time() -> None:
    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    runner = ScenarioRunner(hub, load_scenario(SCENARIOS / "evening_drive_home.yaml"), speed=100)
    runner.attach()
    await runner.run(duration=0.5)
    assert 40 <= runner.now - runner.start <= 60
