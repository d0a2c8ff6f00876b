"""The car's drives feed the planner's departure prediction: loaded at start, new ones added as they begin."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from homebound.app.drive_departures import DriveDepartures
from homebound.energy.departures import DeparturePredictor
from homebound.history.session_queries import Page, Window

TZ = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY_0730 = dt.datetime(2026, 11, 2, 7, 30, tzinfo=TZ)


class StoredDrives:
    """The session store's answer shape (`SessionQueries.drives`): newest first, paged."""

    def __init__(self, starts: list[float]) -> None:
        self.rows = [{"id": str(i), "start_ts": ts} for i, ts in enumerate(sorted(starts, reverse=True))]

    async def drives(self, vehicle: str, window: Window, page: Page) -> dict[str, object]:
        rows = [r for r in self.rows if window.since is None or float(str(r["start_ts"])) >= window.since]
        return {"items": rows[page.offset:page.offset + page.limit]}


async def test_past_drives_and_a_new_one_become_departures() -> None:
    weeks = [(MONDAY_0730 + dt.timedelta(days=7 * n)).timestamp() for n in range(3)]
    history = DriveDepartures(StoredDrives(weeks), ["car1"])  # type: ignore[arg-type]
    await history.load()
    since = MONDAY_0730 - dt.timedelta(days=1)
    assert [d.timestamp() for d in history.departures("car1", since)] == weeks
    later = (MONDAY_0730 + dt.timedelta(days=21)).timestamp()
    history.on_car_event("car1", "drive_started", {"start_ts": later, "distance_m": 12.0})
    history.on_car_event("car1", "charge_started", {"start_ts": later + 99})
    assert history.departures("car1", since)[-1].timestamp() == later
    predictor = DeparturePredictor(history, TZ)
    usual = predictor.usual("car1", MONDAY_0730 + dt.timedelta(days=22))
    assert usual[0].time == dt.time(7, 30)
