"""The planner: cheapest energy first, the sun before the grid, late hours on a tie, and the plan in words."""

from __future__ import annotations

import datetime as dt

import pytest

from homebound.energy.planner import PlanRequest, plan_charging
from homebound.energy.tariffs import FixedTariff, PriceZone, TimeOfDayTariff
from tests.energy.simday import TZ, at

NIGHT = TimeOfDayTariff([PriceZone(dt.time(22), dt.time(6), 0.18)], 0.35,
                        TZ, feed_in=0.08)


def no_sun(_start: float, _end: float) -> float:
    return 0.0


def request(soc: float = 40, target: float = 80, now: str = "18:00", departure: tuple[str, int] = ("07:30", 1),
            power_w: float = 11_000, **extra: float) -> PlanRequest:
    return PlanRequest(at(now), at(*departure), soc, target, capacity_kwh=60, max_power_w=power_w, efficiency=0.9,
                       solar_confidence=1.0, **extra)


def test_the_cheapest_hours_are_chosen_and_cost_worked_by_hand() -> None:
    plan = plan_charging(request(), NIGHT, no_sun, TZ)
    # By hand: (80 - 40) % of 60 kWh = 24 kWh into the battery, / 0.9 = 26.67 kWh drawn, all at 0.18: 4.80.
    assert plan.reachable
    assert plan.grid_kwh == pytest.approx(26.667, abs=0.001)
    assert plan.cost == pytest.approx(4.80, abs=0.001)
    assert all(at("22:00") <= s.start and s.end <= at("06:00", 1) for s in plan.slots)


def test_on_a_tie_the_latest_hours_are_chosen_but_not_the_last_quarter_hour() -> None:
    plan = plan_charging(request(soc=70), FixedTariff(0.30), no_sun, TZ)
    # 10 % of 60 kWh / 0.9 = 6.67 kWh: 36.4 min at 11 kW, finishing at 07:15.
    assert plan.slots[-1].end == at("07:15", 1)
    assert plan.slots[0].start >= at("06:30", 1)


def test_the_sun_comes_before_the_grid() -> None:
    def afternoon(start: float, _end: float) -> float:
        return 5_000.0 if at("13:00") <= start < at("17:00") else 0.0

    plan = plan_charging(request(now="12:00", soc=50), NIGHT, afternoon, TZ)
    # 30 % of 60 / 0.9 = 20 kWh needed; the sun gives 4 h x 5 kW = 20 kWh: no grid at all.
    assert plan.solar_kwh == pytest.approx(20.0, abs=0.01)
    assert plan.grid_kwh == pytest.approx(0.0, abs=0.01)
    assert plan.cost == pytest.approx(20.0 * 0.08, abs=0.01)
    assert "from the sun 13:00-17:00" in plan.text


def test_a_surplus_below_the_minimum_power_is_not_counted_on() -> None:
    def dawn(_start: float, _end: float) -> float:
        return 900.0  # less than 6 A on one phase

    plan = plan_charging(request(min_power_w=1_380), NIGHT, dawn, TZ)
    assert plan.solar_kwh == 0.0


def test_a_car_already_at_its_target_needs_nothing() -> None:
    plan = plan_charging(request(soc=85), NIGHT, no_sun, TZ)
    assert plan.slots == [] and plan.reachable
    assert plan.text == "80 % by Wed 07:30: already there (85 %)."


def test_an_unreachable_target_is_said_with_what_would_reach_it() -> None:
    plan = plan_charging(request(soc=20, now="05:45", departure=("07:30", 0), power_w=11_000), NIGHT, no_sun, TZ)
    # By hand: 1.75 h at 11 kW = 19.25 kWh; x 0.9 / 60 = +28.9 points: 48.9 %. Needed: 36 / 0.9 = 40 kWh.
    assert not plan.reachable
    assert plan.soc_at_departure == pytest.approx(48.9, abs=0.1)
    assert plan.text.startswith("80 % by Tue 07:30 cannot be reached: 40.0 kWh needed, at most 19.2 kWh fit")
    assert "leaving at Tue 09:23 would reach 80 %" in plan.text  # 40 kWh / 11 kW = 3.64 h after 05:45
    assert "a target of 49 % can be reached in time" in plan.text


def test_advice_names_the_faster_wallbox_when_the_house_limit_held_it_back() -> None:
    plan = plan_charging(request(soc=20, now="05:45", departure=("07:30", 0), power_w=4_000,
                                 fastest_power_w=11_000), NIGHT, no_sun, TZ)
    assert "charging at 11.0 kW (three phases, nothing else on) would reach 49 %" in plan.text


def test_a_slot_being_charged_stays_chosen_on_a_tie() -> None:
    free = plan_charging(request(soc=70, now="05:00", departure=("07:30", 0)), FixedTariff(0.30), no_sun, TZ)
    assert free.grid_slot_at(at("05:00")) is None
    sticky = plan_charging(request(soc=70, now="05:00", departure=("07:30", 0), charging_slot_start=at("05:00")),
                           FixedTariff(0.30), no_sun, TZ)
    assert sticky.grid_slot_at(at("05:00")) is not None
