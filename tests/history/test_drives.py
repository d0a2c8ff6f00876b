"""Drives from recorded streams, with the figures worked out by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools

import pytest

from tests.history.conftest import (
    CONSUMED,
    GEAR,
    LAT,
    LON,
    ODOMETER,
    POWER,
    SPEED,
    T0,
    Batch,
    D,
    Story,
    at,
    commute,
    parked_at_home,
)


def without(batches: list[Batch], *paths: str) -> list[Batch]:
    return [(t, {k: v for k, v in values.items() if k not in paths}) for t, values in batches]


async def test_commute_from_home_to_work_with_odometer_and_battery_power(story: Story) -> None:
    story.send(commute())
    drives = await story.drives()
    assert len(drives) == 1
    drive = drives[0]
    # Out of park at +60, back in park at +670.
    assert (drive["start_ts"], drive["end_ts"], drive["duration_s"]) == (T0 + 60, T0 + 670, 610.0)
    # 600 readings of the odometer, 10 m apart.
    assert (drive["distance_m"], drive["distance_source"]) == (6000.0, "odometer")
    # -9 kW held from the first reading (+61) to the reading of 0 W (+661): 9 kW x 600 s = 1.5 kWh.
    assert (drive["energy_kwh"], drive["energy_source"]) == (1.5, "power")
    assert drive["efficiency_wh_km"] == 250.0                    # 1500 Wh / 6 km
    assert drive["max_speed_kmh"] == 36.0
    assert drive["mean_speed_kmh"] == 35.41                      # 6 km in 610 s
    assert (drive["soc_start"], drive["soc_end"]) == (74.0, 71.0)
    assert drive["outside_temp_c"] == 5.0                        # 4 °C for 305 s, then 6 °C for 305 s
    assert (drive["start_place"], drive["end_place"]) == ("Home", "Work")
    assert drive["start"] == "2026-11-25T07:01:00+01:00"


async def test_the_drive_starts_when_it_has_covered_ten_metres_and_events_carry_its_figures(story: Story) -> None:
    story.send(commute())
    assert [n for n in story.names() if n.startswith("drive")] == ["drive_started", "drive_ended"]
    started = story.event("drive_started")
    assert started["start_ts"] == T0 + 60 and started["start_place"] == "Home" and started["distance_m"] == 10.0
    ended = story.event("drive_ended")
    assert ended["distance_m"] == 6000.0 and ended["efficiency_wh_km"] == 250.0 and ended["end_place"] == "Work"


async def test_energy_from_the_battery_counters_wins_over_power(story: Story) -> None:
    # The consumed-energy counter rises 2.6 Wh a second while driving: 600 s, 1.56 kWh.
    batches = commute()
    batches[0][1][CONSUMED] = 5000.0
    for t, values in batches:
        if SPEED in values and values[SPEED] == 36.0:
            values[CONSUMED] = round(5000.0 + 0.0026 * (t - 60), 4)
    story.send(batches)
    drive = (await story.drives())[0]
    assert (drive["energy_kwh"], drive["energy_source"]) == (1.56, "counters")
    assert drive["efficiency_wh_km"] == 260.0


async def test_without_odometer_the_distance_is_integrated_from_speed(story: Story) -> None:
    story.send(without(commute(), ODOMETER))
    drive = (await story.drives())[0]
    assert (drive["distance_m"], drive["distance_source"]) == (6000.0, "speed")   # 10 m/s for 600 s


async def test_without_odometer_or_speed_the_distance_comes_from_positions(story: Story) -> None:
    story.send(without(commute(), ODOMETER, SPEED))
    drive = (await story.drives())[0]
    assert drive["distance_source"] == "position"
    assert drive["distance_m"] == pytest.approx(6000.0, abs=0.5)


async def test_moving_less_than_ten_metres_out_of_park_is_not_a_drive(story: Story) -> None:
    story.send([parked_at_home(0), (10, {GEAR: D}), (15, {ODOMETER: 12_800_004, SPEED: 2.0}),
                (20, {GEAR: 126, SPEED: 0.0})])
    assert await story.drives() == []
    assert not [n for n in story.names() if n.startswith("drive")]


async def test_a_car_without_gear_data_drives_when_it_moves_and_stops_after_standing_still(story: Story) -> None:
    # No gear at all: moving starts the drive; standing still 180 s ends it, at the moment it stopped.
    batches: list[Batch] = [(0, {SPEED: 0.0, ODOMETER: 1000, **at(0)})]
    batches += [(t, {SPEED: 50.0, ODOMETER: 1000 + 14 * (t - 10)}) for t in range(11, 111)]
    batches += [(t, {SPEED: 0.0}) for t in range(111, 400, 10)]
    story.send(batches)
    drive = (await story.drives())[0]
    assert (drive["start_ts"], drive["end_ts"], drive["distance_m"]) == (T0 + 11, T0 + 111, 1400.0)


async def test_track_of_the_drive_is_a_point_every_25_metres_or_more(story: Story) -> None:
    story.send(commute())
    drive = (await story.drives())[0]
    points = await story.carlog.queries.drive_track("car1", str(drive["id"]))
    assert len(points) == 201                      # home, then every third fix (30 m: 25 m or more)
    assert (points[0]["latitude"], points[0]["longitude"]) == (at(0)[LAT], at(0)[LON])
    assert points[-1]["ts"] == T0 + 660 and points[-1]["speed_kmh"] == 36.0   # +660: 6000 m, a multiple of 30
    assert all(p["ts"] < q["ts"] for p, q in itertools.pairwise(points))


async def test_a_drive_is_named_by_vin_too(story: Story) -> None:
    story.send(commute())
    assert story.carlog.queries.vehicle("5YJ3E1EA7KF000001") == "car1"
    assert [d["id"] for d in await story.drives()] == [story.event("drive_ended")["id"]]
    assert POWER  # the stream reports battery power (see commute)
