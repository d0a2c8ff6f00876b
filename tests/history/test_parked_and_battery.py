"""Parked periods with vampire drain, time at each place, and the battery's capacity over time."""

from __future__ import annotations

import time

from homebound.history.session_queries import Window
from tests.history.conftest import (
    GEAR,
    IS_CHARGING,
    ODOMETER,
    PLUGGED,
    SOC,
    T0,
    Batch,
    Story,
    ac_charge,
    commute,
    history_config,
)

HOUR = 3600.0


def drive_off(t: float, odometer: int) -> list[Batch]:
    """Leave: D, then 20 m."""
    return [(t, {GEAR: 127}), (t + 5, {ODOMETER: odometer + 20})]


async def test_vampire_drain_of_a_night_asleep_at_work(database_url: str) -> None:
    story = await Story(database_url, history_config(capacity_kwh={"car1": 60.0})).start()
    try:
        story.send(commute())                        # parked at work from +670 at 71.0 %
        # The car sleeps: nothing for 8 hours, then it wakes at 70.0 % and drives off.
        story.send([(670 + 8 * HOUR, {SOC: 70.0}), *drive_off(670 + 8 * HOUR, 12_806_000)])
        parked = await story.parked()
        work = parked[-1]
        assert (work["start_ts"], work["end_ts"], work["place"]) == (T0 + 670, T0 + 670 + 8 * HOUR, "Work")
        assert (work["soc_start"], work["soc_end"], work["soc_lost"]) == (71.0, 70.0, 1.0)
        assert work["idle_s"] == 8 * HOUR
        assert work["drain_per_day"] == 3.0                  # 1 point in 8 hours
        assert work["energy_lost_kwh"] == 0.6                # 1 % of 60 kWh
    finally:
        await story.stop()


async def test_charging_while_parked_neither_hides_nor_counts_as_drain(story: Story) -> None:
    story.send(commute())                              # at work from +670, 71.0 %
    story.send([(670 + HOUR, {SOC: 70.5})])            # lost 0.5 in the first hour
    charge = ac_charge(670 + HOUR, 30, soc=70.5, limit=90)   # +10 points in half an hour
    t, last = charge[-1]
    charge[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
    story.send(charge)                                 # charging from +4280 to +6080, 80.5 %
    story.send([(6080 + HOUR, {SOC: 79.5}), *drive_off(6080 + HOUR, 12_806_000)])
    work = (await story.parked())[-1]
    assert work["soc_lost"] == 1.5                     # 0.5 before charging, 1.0 after
    assert work["charging_s"] == 1800.0
    assert work["idle_s"] == (6080 + HOUR) - 670 - 1800


async def test_time_at_each_place(story: Story) -> None:
    story.send(commute())
    story.send([(670 + 8 * HOUR, {SOC: 70.0}), *drive_off(670 + 8 * HOUR, 12_806_000)])
    places = await story.carlog.queries.places("car1", Window())
    assert [(p["place"], p["visits"], p["parked_s"]) for p in places["places"]] == [
        ("Work", 1, 8 * HOUR), ("Home", 1, 60.0)]


async def test_capacity_is_estimated_from_each_charge_of_ten_points_or_more(story: Story) -> None:
    start, counter = 0.0, 1000.0
    for minutes, soc in ((30, 40.0), (60, 30.0), (15, 60.0)):   # 6, 12 and 3 kWh for 10, 20 and 5 points
        charge = ac_charge(start, minutes, soc=soc, counter=counter, limit=100)
        counter += minutes * 0.2
        t, last = charge[-1]
        charge[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
        story.send(charge)
        start = t + 100
    charges = await story.charges()
    assert [c["capacity_kwh"] for c in charges] == [60.0, 60.0, None]   # 5 points is too few to tell
    battery = await story.carlog.queries.battery("car1")
    assert battery["estimated_capacity_kwh"] == 60.0 and battery["capacity_source"] == "estimated"
    assert [point["capacity_kwh"] for point in battery["trend"]] == [60.0, 60.0]  # type: ignore[union-attr]


async def test_projected_range_at_100_percent_from_capacity_and_recent_efficiency(database_url: str) -> None:
    story = await Story(database_url, history_config(capacity_kwh={"car1": 60.0})).start()
    try:
        now_offset = time.time() - T0 - 3 * HOUR     # recent: within the last 30 days
        story.send([(now_offset + t, values) for t, values in commute()])   # 250 Wh/km
        battery = await story.carlog.queries.battery("car1")
        assert battery["recent_efficiency_wh_km"] == 250.0
        assert battery["projected_range_at_100_km"] == 240.0        # 60 kWh / 250 Wh/km
        assert battery["capacity_source"] == "configured"
    finally:
        await story.stop()


async def test_a_battery_that_re_estimates_upwards_while_parked_loses_nothing(story: Story) -> None:
    story.send(commute())                                             # at work from +670, 71.0 %
    story.send([(670 + HOUR, {SOC: 71.3}), *drive_off(670 + 2 * HOUR, 12_806_000)])
    work = (await story.parked())[-1]
    assert work["soc_lost"] == 0.0 and work["drain_per_day"] == 0.0
