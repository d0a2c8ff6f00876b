"""The car's drive history as the smart-charging planner's departure history.

The planner asks synchronously ("when did this car leave, since ...?"); the drives live in the session store,
read asynchronously. So the last weeks of drive starts are loaded at start, and each `drive_started` event adds
the new one as it happens: the planner always answers from memory.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

from homebound.history.session_queries import Page, SessionQueries, Window

log = logging.getLogger(__name__)

WEEKS_KEPT = 8
PAGE = 500


class DriveDepartures:
    """`energy.departures.DepartureHistory` over the car's story."""

    def __init__(self, sessions: SessionQueries, vehicles: list[str]) -> None:
        self.sessions = sessions
        self.vehicles = vehicles
        self._starts: dict[str, list[float]] = {vehicle: [] for vehicle in vehicles}

    async def load(self) -> None:
        since = time.time() - WEEKS_KEPT * 7 * 86_400
        for vehicle in self.vehicles:
            starts: list[float] = []
            offset = 0
            while True:
                body = await self.sessions.drives(vehicle, Window(since, None), Page(PAGE, offset))
                items = body.get("items")
                if not isinstance(items, list) or not items:
                    break
                starts += [float(str(row["start_ts"])) for row in items if isinstance(row, dict)]
                if len(items) < PAGE:
                    break
                offset += PAGE
            self._starts[vehicle] = sorted(starts)
        log.debug("drive departures loaded: %s", {v: len(s) for v, s in self._starts.items()})

    def on_car_event(self, vehicle: str, event: str, details: dict[str, object]) -> None:
        started = details.get("start_ts", details.get("ts"))
        if event == "drive_started" and vehicle in self._starts and isinstance(started, int | float):
            self._starts[vehicle].append(float(started))

    def departures(self, vehicle_id: str, since: dt.datetime) -> Sequence[dt.datetime]:
        cutoff = since.timestamp()
        zone = since.tzinfo or dt.UTC
        return [dt.datetime.fromtimestamp(ts, zone) for ts in self._starts.get(vehicle_id, []) if ts >= cutoff]
