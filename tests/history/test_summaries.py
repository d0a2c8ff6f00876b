"""Summaries per day, week and month in the household's time zone; efficiency against temperature; tariffs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from homebound.history.config import TariffConfig, TimeOfDayPrice
from homebound.history.session_queries import Window
from homebound.history.summaries import summarise
from homebound.history.tariffs import PriceSchedule
from tests.history.conftest import BERLIN, IS_CHARGING, PLUGGED, T0, TEMPERATURE, Story, ac_charge, commute

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DAY = 86_400.0


def drive(start: float, km: float, kwh: float, temperature: float) -> dict[str, object]:
    return {"start_ts": start, "distance_m": km * 1000, "duration_s": 600.0, "energy_kwh": kwh,
            "outside_temp_c": temperature}


def local(*args: int, zone: zoneinfo.ZoneInfo = BERLIN) -> float:
    return dt.datetime(*args, tzinfo=zone).timestamp()  # type: ignore[misc]


async def test_a_day_of_commuting_and_charging(story: Story) -> None:
    morning = commute()
    evening = [(t + 10 * 3600, values) for t, values in commute(odometer=12_806_000, soc=71.0)]
    charge = ac_charge(11 * 3600, 30, soc=68.0, limit=80)
    t, last = charge[-1]
    charge[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
    story.send([*morning, *evening, *charge])
    summary = await story.carlog.queries.summary("car1", "day", Window(T0 - DAY, T0 + DAY))
    (day,) = summary["buckets"]  # type: ignore[misc]
    assert day["start"] == "2026-11-25" and day["end"] == "2026-11-26"
    assert (day["drives"], day["distance_km"], day["energy_kwh"]) == (2, 12.0, 3.0)
    assert day["efficiency_wh_km"] == 250.0
    # The evening stream starts at home again and ends at work, where the car charges: 6 kWh x 0.40 EUR.
    assert (day["charges"], day["charged_kwh"], day["cost"]) == (1, 6.0, {"EUR": 2.4})
    assert summary["timezone"] == "Europe/Berlin"


def test_days_follow_the_household_time_zone_not_utc() -> None:
    # 00:30 in Berlin on the 26th is 18:30 on the 25th in New York.
    drives = [drive(local(2026, 11, 25, 12), 10, 2.0, 5.0), drive(local(2026, 11, 26, 0, 30), 20, 3.0, 5.0)]
    in_berlin = summarise(drives, [], [], "day", BERLIN)["buckets"]
    in_new_york = summarise(drives, [], [], "day", NEW_YORK)["buckets"]
    assert [(b["start"], b["distance_km"]) for b in in_berlin] == [("2026-11-25", 10.0), ("2026-11-26", 20.0)]  # type: ignore[index]
    assert [(b["start"], b["distance_km"]) for b in in_new_york] == [("2026-11-25", 30.0)]  # type: ignore[index]


def test_the_day_clocks_go_back_has_25_hours() -> None:
    buckets = summarise([drive(local(2026, 10, 25, 12), 5, 1.0, 10.0)], [], [], "day", BERLIN)["buckets"]
    (day,) = buckets  # type: ignore[misc]
    assert day["end_ts"] - day["start_ts"] == 25 * 3600


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    drives = [drive(local(2026, 11, 29, 12), 1, 0.2, 0.0),    # Sunday
              drive(local(2026, 11, 30, 12), 2, 0.4, 0.0),    # Monday
              drive(local(2026, 12, 1, 12), 4, 0.8, 0.0)]
    weeks = summarise(drives, [], [], "week", BERLIN)["buckets"]
    assert [(b["start"], b["drives"]) for b in weeks] == [("2026-11-23", 1), ("2026-11-30", 2)]  # type: ignore[index]
    months = summarise(drives, [], [], "month", BERLIN)["buckets"]
    assert [(b["start"], b["end"], b["drives"]) for b in months] == [  # type: ignore[index]
        ("2026-11-01", "2026-12-01", 2), ("2026-12-01", "2027-01-01", 1)]


def test_efficiency_against_outside_temperature_in_bands_of_five_degrees() -> None:
    drives = [drive(T0, 10, 2.5, -3.0), drive(T0 + 1, 10, 2.3, -1.0),   # cold: 240 Wh/km
              drive(T0 + 2, 20, 3.0, 12.0), drive(T0 + 3, 10, 1.5, 14.9)]   # mild: 150 Wh/km
    bands = summarise(drives, [], [], "month", BERLIN)["efficiency_by_temperature"]
    assert [(b["from_c"], b["to_c"], b["distance_km"], b["efficiency_wh_km"]) for b in bands] == [  # type: ignore[index]
        (-5.0, 0.0, 20.0, 240.0), (10.0, 15.0, 30.0, 150.0)]


async def test_summary_temperatures_come_from_the_drives(story: Story) -> None:
    batches = commute()
    for _, values in batches:
        if TEMPERATURE in values:
            values[TEMPERATURE] = -2.0       # a cold morning throughout
    story.send(batches)
    summary = await story.carlog.queries.summary("car1", "month", Window(T0 - DAY, T0 + DAY))
    assert summary["efficiency_by_temperature"] == [{"from_c": -5.0, "to_c": 0.0, "drives": 1, "distance_km": 6.0,
                                                     "energy_kwh": 1.5, "efficiency_wh_km": 250.0}]


def test_a_time_of_day_price_over_midnight_and_the_price_around_it() -> None:
    night = TariffConfig(zone="home", price_per_kwh=0.30,
                         time_of_day=[TimeOfDayPrice(start=dt.time(22), end=dt.time(6), price_per_kwh=0.20)])
    schedule = PriceSchedule(night, BERLIN)
    assert schedule.segment(local(2026, 11, 25, 23))[2] == 0.20
    assert schedule.segment(local(2026, 11, 26, 5, 59))[2] == 0.20
    assert schedule.segment(local(2026, 11, 26, 6))[2] == 0.30
    # 10 kWh evenly from 21:00 to 23:00: half at each price.
    assert schedule.cost(10.0, local(2026, 11, 25, 21), local(2026, 11, 25, 23)) == pytest.approx(2.5)
    # Across the night the clocks went back (25 October 2026): 22:00 to 06:00 is 9 hours, all at 0.20.
    assert schedule.cost(9.0, local(2026, 10, 24, 22), local(2026, 10, 25, 6)) == pytest.approx(1.8)
