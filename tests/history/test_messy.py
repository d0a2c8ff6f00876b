"""Real-world mess: out-of-order and duplicate datapoints, gaps while asleep or driving, a GPS jump, a day
boundary, hostile values. The figures must come out as from the clean stream."""

from __future__ import annotations

import datetime as dt

import pytest

from homebound.history.session_queries import Window
from homebound.model.limits import InvalidTimestamp
from tests.history.conftest import (
    BERLIN,
    GEAR,
    LAT,
    LON,
    ODOMETER,
    SOC,
    SPEED,
    T0,
    Batch,
    Story,
    at,
    commute,
)

FIGURES = ("start_ts", "end_ts", "distance_m", "duration_s", "energy_kwh", "efficiency_wh_km", "max_speed_kmh",
           "soc_start", "soc_end", "outside_temp_c", "start_place", "end_place")


def figures(drive: dict[str, object]) -> dict[str, object]:
    return {key: drive[key] for key in FIGURES}


CLEAN = {"start_ts": T0 + 60, "end_ts": T0 + 670, "distance_m": 6000.0, "duration_s": 610.0, "energy_kwh": 1.5,
         "efficiency_wh_km": 250.0, "max_speed_kmh": 36.0, "soc_start": 74.0, "soc_end": 71.0, "outside_temp_c": 5.0,
         "start_place": "Home", "end_place": "Work"}


async def test_the_clean_stream_for_reference(story: Story) -> None:
    story.send(commute())
    assert figures((await story.drives())[0]) == CLEAN


async def test_every_batch_twice_changes_nothing(story: Story) -> None:
    story.send([batch for batch in commute() for _ in range(2)])
    drives = await story.drives()
    assert len(drives) == 1 and figures(drives[0]) == CLEAN


async def test_batches_out_of_order_change_nothing(story: Story) -> None:
    batches = commute()
    # Every other second between +100 and +300 arrives after the one that follows it.
    for index in range(101, 301, 2):
        batches[index], batches[index + 1] = batches[index + 1], batches[index]
    story.send(batches)
    drives = await story.drives()
    assert len(drives) == 1 and figures(drives[0]) == CLEAN
    assert story.carlog.tracker.logs["car1"].late == 100


async def test_a_late_park_still_ends_the_drive_when_it_is_the_newest_news_of_the_gear(story: Story) -> None:
    batches = commute()
    park = batches.pop()                     # P at +670 ...
    batches += [(675, {SPEED: 0.0}), park]   # ... arrives after a batch of +675
    story.send(batches)
    drive = (await story.drives())[0]
    assert drive["end_ts"] == T0 + 670


async def test_a_night_asleep_is_no_drive_and_the_car_wakes_where_it_slept(story: Story) -> None:
    story.send(commute())
    story.send([(670 + 9 * 3600, {GEAR: 126, SOC: 70.0, SPEED: 0.0})])
    assert len(await story.drives()) == 1
    assert story.carlog.tracker.logs["car1"].drive is None


async def test_a_gap_while_driving_ends_the_drive_where_the_data_stopped(story: Story) -> None:
    batches = [batch for batch in commute() if batch[0] <= 360]   # 3 km, then nothing for two hours
    story.send(batches)
    story.send([(360 + 7200, {GEAR: 126, SPEED: 0.0, ODOMETER: 12_806_000, **at(6000)})])
    drive = (await story.drives())[0]
    assert (drive["end_ts"], drive["distance_m"]) == (T0 + 360, 3000.0)


async def test_a_tunnel_of_two_minutes_is_one_drive(story: Story) -> None:
    story.send([batch for batch in commute() if not 200 <= batch[0] < 320])
    drives = await story.drives()
    assert len(drives) == 1
    assert drives[0]["distance_m"] == 6000.0 and drives[0]["end_ts"] == T0 + 670


async def test_a_gps_jump_is_left_out_of_distance_and_track(story: Story) -> None:
    batches = [(t, {k: v for k, v in values.items() if k not in (ODOMETER, SPEED)}) for t, values in commute()]
    jumped = at(50_000, bearing=0.0)                 # one fix 50 km north, at +360
    batches[301] = (batches[301][0], {**batches[301][1], **jumped})
    story.send(batches)
    drive = (await story.drives())[0]
    assert drive["distance_source"] == "position"
    assert drive["distance_m"] == pytest.approx(6000.0, abs=1.0)
    track = await story.carlog.queries.drive_track("car1", str(drive["id"]))
    assert all(abs(float(str(p["latitude"])) - float(str(at(0)[LAT]))) < 0.01 for p in track)
    assert drive["end_place"] == "Work"
    assert story.carlog.tracker.logs["car1"].drive is None


async def test_a_drive_across_midnight_is_one_drive_on_the_day_it_began(story: Story) -> None:
    start = dt.datetime(2026, 11, 25, 23, 55, tzinfo=BERLIN).timestamp() - T0 - 60
    story.send([(start + t, values) for t, values in commute()])
    drives = await story.drives()
    assert len(drives) == 1
    assert str(drives[0]["start"]).startswith("2026-11-25T23:55") and str(drives[0]["end"]).startswith(
        "2026-11-26T00:05")
    summary = await story.carlog.queries.summary("car1", "day", Window(T0 - 86_400, T0 + 3 * 86_400))
    assert [(b["start"], b["distance_km"]) for b in summary["buckets"]] == [("2026-11-25", 6.0)]  # type: ignore[union-attr]


async def test_hostile_values_are_counted_not_believed(story: Story) -> None:
    batches: list[Batch] = commute()
    story.send(batches[:200])
    # An odometer that leaps 1,000 km in a second is not believed; a timestamp a century ahead is refused by the
    # hub itself, so the story never sees it.
    story.hub.ingest("car1", {ODOMETER: 13_800_000}, ts=T0 + batches[199][0] + 0.5)
    with pytest.raises(InvalidTimestamp):
        story.hub.ingest("car1", {SPEED: 30.0}, ts=T0 + 100 * 365 * 86_400)
    story.send(batches[200:])
    drive = (await story.drives())[0]
    assert figures(drive) == CLEAN
    stats = story.carlog.tracker.logs["car1"].stats()
    assert stats["implausible_values"] == 1 and stats["bad_timestamps"] == 0


async def test_a_fix_at_null_island_is_ignored(story: Story) -> None:
    batches = commute()
    batches[300] = (batches[300][0], {**batches[300][1], LAT: 0.0, LON: 0.0})
    story.send(batches)
    drive = (await story.drives())[0]
    track = await story.carlog.queries.drive_track("car1", str(drive["id"]))
    assert all(p["latitude"] != 0.0 for p in track)


async def test_a_late_value_older_than_the_signals_last_reading_is_ignored(story: Story) -> None:
    story.send(commute())                         # ... P at +670
    story.send([(600, {GEAR: 127})])              # a D from +600 arrives after the P: stale
    vehicle_log = story.carlog.tracker.logs["car1"]
    assert vehicle_log.drive is None and vehicle_log.stats()["stale_values"] == 1
    assert len(await story.drives()) == 1
