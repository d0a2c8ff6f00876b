"""Departures: the usual one per weekday learned from past drives, and who has the last word."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from homebound.energy.departures import (
    Departure,
    DeparturePredictor,
    choose_departure,
    next_scheduled,
)
from tests.energy.simday import TZ

NOW = dt.datetime(2025, 6, 10, 20, 0, tzinfo=TZ)  # Tuesday evening


class DriveLog:
    """Past departures, as the drive history (issue 12) will give them."""

    def __init__(self, departures: list[dt.datetime]) -> None:
        self.times = departures

    def departures(self, vehicle_id: str, since: dt.datetime) -> Sequence[dt.datetime]:
        return [t for t in self.times if t >= since] if vehicle_id == "car1" else []


def weekdays_back(weeks: int, weekday: int, clock: dt.time, minutes: list[int] | None = None) -> list[dt.datetime]:
    """Departures on `weekday` for the last `weeks` weeks, each `minutes[i]` off `clock`."""
    out = []
    for week in range(1, weeks + 1):
        day = NOW.date() - dt.timedelta(days=(NOW.weekday() - weekday) % 7 or 7) - dt.timedelta(weeks=week - 1)
        offset = (minutes or [0] * weeks)[week - 1]
        out.append(dt.datetime.combine(day, clock, tzinfo=TZ) + dt.timedelta(minutes=offset))
    return out


def test_the_usual_departure_is_the_median_with_how_sure_it_is() -> None:
    wednesdays = weekdays_back(8, 2, dt.time(7, 30), [0, 4, -3, 6, -5, 2, 0, 1])
    del wednesdays[3]  # one Wednesday at home: 7 of the last 8 weeks
    mondays = weekdays_back(8, 0, dt.time(8, 0))
    usual = DeparturePredictor(DriveLog(sorted(wednesdays + mondays)), TZ).usual("car1", NOW)
    assert usual[2].time == dt.time(7, 30)
    assert usual[2].samples == 7
    assert usual[2].confidence == pytest.approx(7 / 8)


def test_evening_errands_do_not_count_as_the_days_departure() -> None:
    mornings = weekdays_back(6, 2, dt.time(7, 30))
    evenings = [t.replace(hour=18) for t in mornings] + [t.replace(hour=2) for t in mornings]  # 02:00: last night
    usual = DeparturePredictor(DriveLog(sorted(mornings + evenings)), TZ).usual("car1", NOW)
    assert usual[2].time == dt.time(7, 30)


def test_a_scattered_weekday_has_no_usual_departure() -> None:
    thursdays = weekdays_back(8, 3, dt.time(9, 0), [0, 200, -150, 300, 90, -240, 400, -60])
    predictor = DeparturePredictor(DriveLog(thursdays), TZ)
    assert predictor.usual("car1", NOW)[3].confidence < 0.6
    assert predictor.next_departure("car1", NOW) is None


def test_the_next_departure_is_tomorrows_usual_one() -> None:
    predictor = DeparturePredictor(DriveLog(weekdays_back(8, 2, dt.time(7, 30))), TZ)
    departure = predictor.next_departure("car1", NOW)
    assert departure == Departure(dt.datetime(2025, 6, 11, 7, 30, tzinfo=TZ), "predicted", 1.0)
    assert departure.describe() == "Wed 07:30 (usual departure, 100% sure)"


def test_a_new_car_with_three_weeks_of_history_is_already_sure() -> None:
    predictor = DeparturePredictor(DriveLog(weekdays_back(3, 2, dt.time(8, 0))), TZ)
    assert predictor.usual("car1", NOW)[2].confidence == 1.0


def test_the_user_beats_the_schedule_which_beats_the_prediction() -> None:
    predicted = Departure(dt.datetime(2025, 6, 11, 7, 30, tzinfo=TZ), "predicted", 0.9)
    scheduled = next_scheduled({2: dt.time(6, 45)}, NOW, TZ)
    assert scheduled == Departure(dt.datetime(2025, 6, 11, 6, 45, tzinfo=TZ), "schedule")
    user = dt.datetime(2025, 6, 11, 9, 0, tzinfo=TZ)
    assert choose_departure(NOW, user, scheduled, predicted) == Departure(user, "user")
    assert choose_departure(NOW, None, scheduled, predicted) == scheduled
    assert choose_departure(NOW, None, None, predicted) == predicted
    assert choose_departure(NOW, NOW - dt.timedelta(hours=1), None, predicted) == predicted  # passed: ignored
