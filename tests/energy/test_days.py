"""Simulated days drive the controller end to end (simulated devices over the bus, the MQTT bridge, the hub,
the energy service): sunny, cloudy, a load spike, a price spike, the car arriving late. Each test checks one
promise: the breaker limit holds, the target is met when it can be, solar share and cost come out as worked by
hand, and passing clouds do not make the contactor chatter."""

from __future__ import annotations

import itertools

import pytest

from homebound.energy.config import ChargeMode, SolarSettings, TariffConfig, TariffZone
from homebound.simulators.household.energy_devices import Wallbox
from homebound.simulators.household.site import PriceSchedule
from homebound.simulators.household.sky import LoadSpike
from tests.energy.simday import DayResult, DaySetup, at, run_day

NIGHT_TARIFF = TariffConfig(kind="time_of_day", price=0.35, feed_in=0.08,
                            zones=[TariffZone.model_validate({"from": "22:00", "to": "06:00", "price": 0.18})])


def starts(result: DayResult) -> list[float]:
    """Contactor closings that were starts (a close right after a phase change's pause is not)."""
    samples = result.samples
    openings = [b.ts for a, b in itertools.pairwise(samples) if a.contactor and not b.contactor]
    return [c for c in result.closings()
            if not any(0 < c - o <= Wallbox.PHASE_SWITCH_S + result.setup.step_s for o in openings)]


def starts_apart(result: DayResult) -> list[float]:
    """Seconds between starts."""
    return [b - a for a, b in itertools.pairwise(starts(result))]


# ---- sunny day: solar only ----------------------------------------------------------------------------------

async def test_a_sunny_day_charges_from_the_surplus_alone() -> None:
    result = await run_day(DaySetup(start=at("08:00"), end=at("20:00"), plug_at=at("09:00"), soc=30))
    session = result.service.ledger.sessions()[0]
    assert session.energy_kwh > 30  # a June day on 8 kWp fills most of a 60 kWh battery
    assert session.solar_share > 0.99
    assert result.car.soc > 80
    assert len(result.closings()) <= 3  # one start, one phase change up, none else


async def test_on_a_sunny_day_one_phase_starts_early_and_three_take_over_at_midday() -> None:
    result = await run_day(DaySetup(start=at("08:30"), end=at("11:00"), plug_at=at("08:30"), soc=30))
    early = [s for s in result.samples if at("09:00") <= s.ts < at("09:30")]
    late = [s for s in result.samples if at("10:30") <= s.ts < at("11:00")]
    assert all(s.phases == 1 and s.charger_w > 1300 for s in early)  # 3 kW of surplus: 1 phase, 13-16 A
    assert all(s.phases == 3 and s.charger_w >= 4140 for s in late)  # 5 kW: 3 phases, 6 A and more


# ---- passing clouds: no chatter ------------------------------------------------------------------------------

async def test_passing_clouds_do_not_make_the_contactor_chatter() -> None:
    clouds = dict(start=at("10:00"), end=at("16:00"), plug_at=at("10:01"), soc=10, battery_kwh=200,
                  cloudiness=0.5, seed=3, sky_cloud_s=(30.0, 150.0))
    steady = await run_day(DaySetup(**clouds))  # type: ignore[arg-type]
    naive = await run_day(DaySetup(**clouds, solar=SolarSettings(enable_delay_s=0, disable_delay_s=0,  # type: ignore[arg-type]
                                                                 guard_s=0)))
    assert len(starts(naive)) > 20, "the sky should have enough clouds to make a naive controller chatter"
    assert len(starts(steady)) == 1  # started once, never stopped
    assert len(steady.closings()) <= 4  # and a few changes between one and three phases
    assert steady.service.ledger.sessions()[0].solar_share > 0.9


async def test_a_cloudy_day_never_switches_within_the_guard_time() -> None:
    result = await run_day(DaySetup(start=at("08:00"), end=at("19:00"), plug_at=at("08:00"), soc=10,
                                    battery_kwh=200, cloudiness=0.6, seed=1))
    gaps = starts_apart(result)
    assert gaps, "the clouds should stop and restart charging at least once"
    assert min(gaps) >= SolarSettings().guard_s - result.setup.step_s


# ---- a load spike: the household limit -----------------------------------------------------------------------

async def test_a_load_spike_cuts_the_charging_current_and_the_breaker_holds() -> None:
    spike = LoadSpike(at("20:30"), 20 * 60, 8_000)  # oven, hob and heat pump together
    result = await run_day(DaySetup(start=at("20:00"), end=at("21:30"), plug_at=at("20:00"), soc=10,
                                    battery_kwh=100, mode=ChargeMode.NOW, fuse_a=25, spikes=[spike], step_s=1))
    limit = 25 * 3 * 230
    reaction = result.setup.step_s + 3 + 1  # a reading, the wallbox's response delay, and a step of slack
    overloads = result.overloads(limit)
    assert overloads, "the spike should push the import over the limit until the car follows"
    assert all(seconds <= reaction for _start, seconds in overloads)
    assert all(abs(start - spike.start) <= 2 for start, _ in overloads)  # only when the spike struck
    assert result.site.breaker is not None and result.site.breaker.tripped_at is None
    during = [s for s in result.samples if spike.start + reaction < s.ts < spike.start + spike.seconds]
    assert max(s.grid_w for s in during) <= limit
    assert all(s.current_a < 16 for s in during)


async def test_after_a_load_spike_the_charging_current_is_restored() -> None:
    spike = LoadSpike(at("20:30"), 10 * 60, 8_000)
    result = await run_day(DaySetup(start=at("20:00"), end=at("21:00"), plug_at=at("20:00"), soc=10,
                                    battery_kwh=100, mode=ChargeMode.NOW, fuse_a=25, spikes=[spike], step_s=1))
    after = [s for s in result.samples if s.ts > spike.start + spike.seconds + 20]
    assert all(s.current_a == 16 and s.charger_w > 10_900 for s in after)


async def test_a_spike_beyond_three_phases_minimum_falls_back_to_one_phase() -> None:
    spike = LoadSpike(at("20:30"), 10 * 60, 13_500)  # leaves about 3.4 kW: less than 6 A on three phases
    result = await run_day(DaySetup(start=at("20:00"), end=at("20:50"), plug_at=at("20:00"), soc=10,
                                    battery_kwh=100, mode=ChargeMode.NOW, fuse_a=25, spikes=[spike], step_s=1))
    during = [s for s in result.samples if spike.start + 30 < s.ts < spike.start + spike.seconds]
    assert all(s.phases == 1 and 1_380 <= s.charger_w <= 3_680 for s in during)  # 6-16 A on one phase
    assert max(s.grid_w for s in during) <= 25 * 3 * 230


# ---- plans: the target by the departure -----------------------------------------------------------------------

async def test_the_plan_charges_from_the_afternoon_sun_and_the_cheap_night_and_is_ready() -> None:
    result = await run_day(DaySetup(start=at("12:00"), end=at("07:45", 1), plug_at=at("13:00"), soc=20,
                                    mode=ChargeMode.PLAN, tariff=NIGHT_TARIFF, departures={"wed": "07:30"}))
    assert result.soc_at(at("07:30", 1)) >= 79.9
    session = result.service.ledger.sessions()[0]
    assert result.energy_kwh(at("13:00"), at("20:00")) > 15  # the afternoon's surplus
    assert result.energy_kwh(at("20:00"), at("22:00")) == pytest.approx(0, abs=0.01)  # peak price: nothing
    night = result.energy_kwh(at("22:00"), at("06:00", 1))
    assert session.grid_kwh == pytest.approx(night, rel=0.02)  # all grid energy in the cheap hours
    assert session.grid_cost == pytest.approx(session.grid_kwh * 0.18, rel=1e-3)  # a few Wh follow the sun


async def test_a_price_spike_moves_the_plan_out_of_the_expensive_hours() -> None:
    day, night = at("12:00"), at("00:00", 1)
    prices = [(day + h * 3600, day + (h + 1) * 3600, 0.32) for h in range(12)]
    prices += [(night + h * 3600, night + (h + 1) * 3600, 0.14 if h < 6 else 0.30) for h in range(8)]
    spike = [(at("04:00", 1), at("05:00", 1), 0.95), (at("05:00", 1), at("06:00", 1), 0.95)]
    schedule = PriceSchedule(prices, updates=[(at("23:00"), spike)])
    result = await run_day(DaySetup(
        start=at("18:00"), end=at("07:35", 1), plug_at=at("18:00"), soc=40, mode=ChargeMode.PLAN,
        tariff=TariffConfig(kind="dynamic", price=0.30, feed_in=0.08, mqtt_topic="sim/tariff/prices"),
        prices=schedule, departures={"wed": "07:30"}))
    assert result.soc_at(at("07:30", 1)) >= 79.9
    assert result.energy_kwh(at("04:00", 1), at("06:00", 1)) == pytest.approx(0, abs=0.01)
    session = result.service.ledger.sessions()[0]
    night_kwh = result.energy_kwh(at("00:00", 1), at("04:00", 1))
    assert night_kwh == pytest.approx(session.grid_kwh, rel=0.02)  # moved before the spike, all of it
    assert session.grid_cost == pytest.approx(night_kwh * 0.14, rel=0.02)


async def test_a_car_arriving_late_is_told_the_target_is_out_of_reach_and_charges_at_once() -> None:
    result = await run_day(DaySetup(start=at("05:40", 1), end=at("07:31", 1), plug_at=at("05:45", 1), soc=20,
                                    mode=ChargeMode.PLAN, tariff=NIGHT_TARIFF, departures={"wed": "07:30"},
                                    peak_w=1.0))
    status = result.service.status("garage")
    assert status["plan"] is not None
    # By hand: 07:30 - 05:45 is 1.75 h at 11 kW = 19.25 kWh drawn, 92 % of it into 60 kWh: +29.5 points.
    assert result.soc_at(at("07:30", 1)) == pytest.approx(49.5, abs=1.0)
    text = result.plans[0][1]
    assert result.plans[0][0] <= at("05:46", 1)
    assert "cannot be reached" in text and "leaving at" in text and "target of" in text


async def test_after_a_cut_the_current_is_raised_only_once_the_car_could_have_followed() -> None:
    flicker = [LoadSpike(at("20:30") + n * 13, 2, 8_000) for n in range(12)]  # a load switching on and off
    result = await run_day(DaySetup(start=at("20:29"), end=at("20:33"), plug_at=at("20:29"), soc=10,
                                    battery_kwh=100, mode=ChargeMode.NOW, fuse_a=25, spikes=flicker, step_s=1))
    changes = [(b.ts, b.current_a > a.current_a) for a, b in itertools.pairwise(result.samples)
               if b.current_a != a.current_a]
    assert len(changes) >= 4, "the flicker should make the controller cut the current"
    response_s = 3
    raises_too_soon = [t for (before, _), (t, raised) in itertools.pairwise(changes) if raised
                       and t - before < response_s]
    assert raises_too_soon == []
