"""A whole simulated day (examples/scenarios/a_day.yaml, a batch every second) told as sessions, checked against
what the simulator knows happened: its odometer, its battery's energy, its state of charge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from homebound.history.config import HistoryConfig, local_zone
from homebound.simulators.vehicle.runner import ScenarioRunner
from homebound.simulators.vehicle.scenario import load_scenario
from tests.history.conftest import HOME, Story

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "a_day.yaml"


async def test_a_simulated_day_is_two_drives_and_a_charge_with_the_simulators_figures(database_url: str) -> None:
    # The simulator's scenario times are the machine's local time: the household is where the machine is.
    story = await Story(database_url, HistoryConfig(timezone=local_zone().key)).start()
    try:
        runner = ScenarioRunner(story.hub, load_scenario(SCENARIO), speed=1, date=dt.date(2026, 11, 25))
        car = runner.car.state
        runner.attach()
        odometer, energy_in = [car.odometer_m], [car.battery_in_kwh]
        while not runner.finished:
            runner.advance(1.0)
            if runner.clock().time() in (dt.time(12), dt.time(18, 14)):   # between the drives, and before plugging
                odometer.append(car.odometer_m)
                energy_in.append(car.battery_in_kwh)
        drives, charges = await story.drives(), await story.charges()
        assert len(drives) == 2 and len(charges) == 1
        # The odometer is reported in whole metres: each drive's distance is the simulator's within a metre.
        assert drives[0]["distance_m"] == pytest.approx(odometer[1] - odometer[0], abs=1.0)
        assert drives[1]["distance_m"] == pytest.approx(odometer[2] - odometer[1], abs=1.0)
        assert [d["start"][11:16] for d in drives] == ["08:00", "18:00"]
        assert drives[0]["start_place"] == HOME.name and drives[1]["end_place"] == HOME.name
        charge = charges[0]
        # Energy into the battery while charging (the counter, to 0.1 Wh), to the limit.
        assert charge["energy_added_kwh"] == pytest.approx(car.battery_in_kwh - energy_in[2], abs=0.01)
        assert (charge["end_reason"], charge["charge_type"]) == ("limit_reached", "AC")
        assert charge["soc_end"] == pytest.approx(80.0, abs=0.1)
        assert charge["peak_power_kw"] == pytest.approx(11 * 0.92, abs=0.2)   # 92 % of 11 kW reaches the cells
    finally:
        await story.stop()
