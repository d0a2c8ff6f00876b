"""Reading the car's story: the narrow interface REST and the command line use (`SessionQueries`), and its
implementation over the database (`StoredSessions`).

Sessions come out as JSON-ready dictionaries: the stored figures (epoch seconds, metres, kWh) plus what people
read (local ISO times in the household's zone, place labels, km and minutes). Lists are filtered by start time
(`since` inclusive, `until` exclusive) and paged (`limit`, `offset`, newest first, with the total).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from homebound.history.battery import battery_report
from homebound.history.exports import local_time
from homebound.history.places import Places, coordinates
from homebound.history.store import MAX_ROWS, SessionStore
from homebound.history.summaries import PERIODS, Period, summarise
from homebound.model.errors import ErrorCode, HomeboundError

Row = dict[str, object]
T = TypeVar("T")
MAX_PAGE = 1000
DEFAULT_SUMMARY_SPAN_S: dict[Period, float] = {"day": 31 * 86_400.0, "week": 13 * 7 * 86_400.0,
                                               "month": 366 * 86_400.0}


class UnknownSession(HomeboundError):
    """A drive or charge id this vehicle does not have."""

    code = ErrorCode.UNKNOWN_SESSION

    def __init__(self, vehicle: str, kind: str, session_id: str) -> None:
        self.vehicle, self.kind, self.session_id = vehicle, kind, session_id
        super().__init__(f"{vehicle}: no {kind} with id {session_id[:64]!r}")


class BadQuery(HomeboundError):
    """A time window or page that makes no sense, named with what would."""


@dataclass(frozen=True, slots=True)
class Window:
    """Sessions that start in [since, until) (epoch seconds; None: open-ended)."""

    since: float | None = None
    until: float | None = None

    def check(self) -> Window:
        for name, value in (("since", self.since), ("until", self.until)):
            if value is not None and not -1e11 < value < 1e11:
                raise BadQuery(f"{name}={value!r} is not an epoch time in seconds")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise BadQuery(f"since ({self.since}) is after until ({self.until})")
        return self


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 50
    offset: int = 0

    def check(self) -> Page:
        if not 1 <= self.limit <= MAX_PAGE:
            raise BadQuery(f"limit={self.limit} is outside 1..{MAX_PAGE}")
        if self.offset < 0:
            raise BadQuery(f"offset={self.offset} is negative")
        return self


def parse_when(value: str | float | None, zone: zoneinfo.ZoneInfo, name: str = "time") -> float | None:
    """Epoch seconds from epoch seconds or ISO 8601 (`2026-11-25`, `2026-11-25T08:00`, with or without an
    offset; without one, in the household's zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()[:64]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"{name}={text!r} is not a time: give epoch seconds or ISO 8601 like 2026-11-25 or "
                       "2026-11-25T08:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.timestamp()


class SessionQueries(Protocol):
    """What REST and the command line need to tell the car's story; nothing else of the hub."""

    zone: zoneinfo.ZoneInfo

    def vehicle(self, vehicle_id: str) -> str: ...
    async def drives(self, vehicle: str, window: Window, page: Page) -> Row: ...
    async def drive(self, vehicle: str, drive_id: str) -> Row: ...
    async def drive_track(self, vehicle: str, drive_id: str) -> list[Row]: ...
    async def charges(self, vehicle: str, window: Window, page: Page) -> Row: ...
    async def charge(self, vehicle: str, charge_id: str) -> Row: ...
    async def parked(self, vehicle: str, window: Window, page: Page) -> Row: ...
    async def places(self, vehicle: str, window: Window) -> Row: ...
    async def summary(self, vehicle: str, period: Period, window: Window) -> Row: ...
    async def battery(self, vehicle: str) -> Row: ...
    async def current(self, vehicle: str) -> Row: ...


class StoredSessions:
    """`SessionQueries` over the database, with the running hub's extras when there is one: vehicle ids and VINs
    (`resolve`), sessions still being written (`flush`), sessions still open (`live`), capacities."""

    def __init__(self, store: SessionStore, zone: zoneinfo.ZoneInfo, places: Places,
                 resolve: Callable[[str], str] | None = None,
                 flush: Callable[[], Awaitable[object]] | None = None,
                 live: Callable[[str], Row] | None = None,
                 capacity: Callable[[str], tuple[float | None, float | None]] | None = None) -> None:
        self.store = store
        self.zone = zone
        self.places_ = places
        self._resolve = resolve
        self._flush = flush
        self._live = live
        self._capacity = capacity

    def vehicle(self, vehicle_id: str) -> str:
        if self._resolve is not None:
            return self._resolve(vehicle_id)
        if not 0 < len(vehicle_id) <= 128:
            raise BadQuery(f"vehicle id {vehicle_id[:64]!r}... is not 1..128 characters")
        return vehicle_id

    async def _read(self, function: Callable[..., T], *args: object) -> T:
        if self._flush is not None:
            await self._flush()
        return await asyncio.to_thread(function, *args)

    # ---- lists and single sessions ------------------------------------------------------------------------

    async def _page(self, kind: str, vehicle: str, window: Window, page: Page,
                    present: Callable[[Row], Row]) -> Row:
        window, page = window.check(), page.check()
        rows, total = await self._read(self.store.sessions, kind, vehicle, window.since, window.until, page.limit,
                                       page.offset)
        return {"vehicle": vehicle, "items": [present(row) for row in rows], "total": total, "limit": page.limit,
                "offset": page.offset, "since": window.since, "until": window.until}

    async def drives(self, vehicle: str, window: Window, page: Page) -> Row:
        return await self._page("drives", vehicle, window, page, self.present_drive)

    async def charges(self, vehicle: str, window: Window, page: Page) -> Row:
        return await self._page("charges", vehicle, window, page, self.present_charge)

    async def parked(self, vehicle: str, window: Window, page: Page) -> Row:
        return await self._page("parked", vehicle, window, page, self.present_parked)

    async def drive(self, vehicle: str, drive_id: str) -> Row:
        row = await self._read(self.store.session, "drives", vehicle, drive_id)
        if row is None:
            raise UnknownSession(vehicle, "drive", drive_id)
        return self.present_drive(row)

    async def drive_track(self, vehicle: str, drive_id: str) -> list[Row]:
        await self.drive(vehicle, drive_id)
        return await asyncio.to_thread(self.store.track, drive_id)

    async def charge(self, vehicle: str, charge_id: str) -> Row:
        row = await self._read(self.store.session, "charges", vehicle, charge_id)
        if row is None:
            raise UnknownSession(vehicle, "charge", charge_id)
        curve = await asyncio.to_thread(self.store.curve, charge_id)
        return {**self.present_charge(row), "power_curve": curve}

    # ---- aggregates ---------------------------------------------------------------------------------------

    async def _all(self, kind: str, vehicle: str, window: Window) -> list[Row]:
        rows, _ = await self._read(self.store.sessions, kind, vehicle, window.since, window.until, MAX_ROWS, 0,
                                   False)
        return rows

    async def summary(self, vehicle: str, period: Period, window: Window) -> Row:
        if period not in PERIODS:
            raise BadQuery(f"period {period!r} is not one of {', '.join(PERIODS)}")
        until = window.until
        since = window.since if window.since is not None else (
            (until if until is not None else time.time()) - DEFAULT_SUMMARY_SPAN_S[period])
        window = Window(since, until).check()
        drives = await self._all("drives", vehicle, window)
        charges = await self._all("charges", vehicle, window)
        parked = await self._all("parked", vehicle, window)
        return {"vehicle": vehicle, "since": since, "until": until,
                **summarise(drives, charges, parked, period, self.zone)}

    async def places(self, vehicle: str, window: Window) -> Row:
        """Time parked at each place (zone, or a spot about 100 m across), most time first."""
        spots: dict[str, dict[str, object]] = {}
        for row in await self._all("parked", vehicle, window.check()):
            zone, lat, lon = row.get("zone"), row.get("latitude"), row.get("longitude")
            if isinstance(zone, str):
                key, label = f"zone:{zone}", self.places_.label(zone, None, None)
            elif isinstance(lat, float) and isinstance(lon, float):
                key, label = f"spot:{lat:.3f},{lon:.3f}", coordinates(round(lat, 3), round(lon, 3))
            else:
                key, label = "unknown", "unknown"
            spot = spots.setdefault(key, {"place": label, "zone": zone if isinstance(zone, str) else None,
                                          "visits": 0, "parked_s": 0.0, "soc_lost": 0.0})
            spot["visits"] = int(str(spot["visits"])) + 1
            spot["parked_s"] = float(str(spot["parked_s"])) + float(str(row["end_ts"])) - float(str(row["start_ts"]))
            spot["soc_lost"] = round(float(str(spot["soc_lost"])) + float(str(row.get("soc_lost") or 0.0)), 3)
        ordered = sorted(spots.values(), key=lambda spot: -float(str(spot["parked_s"])))
        return {"vehicle": vehicle, "places": ordered}

    async def battery(self, vehicle: str) -> Row:
        estimates = await self._read(self.store.capacity_estimates, vehicle)
        recent = Window(time.time() - 30 * 86_400, None)
        drives = await self._all("drives", vehicle, recent)
        charges, _ = await asyncio.to_thread(self.store.sessions, "charges", vehicle, None, None, 20, 0)
        configured, reported = self._capacity(vehicle) if self._capacity is not None else (None, None)
        return {"vehicle": vehicle, **battery_report(estimates, drives, charges, configured, reported)}

    async def current(self, vehicle: str) -> Row:
        """The sessions open right now (none when reading a database without a running hub)."""
        live = self._live(vehicle) if self._live is not None else {"drive": None, "charge": None, "parked": None}
        return {"vehicle": vehicle, **live}

    # ---- presentation -------------------------------------------------------------------------------------

    def _times(self, row: Row) -> Row:
        return {"start": local_time(row.get("start_ts"), self.zone), "end": local_time(row.get("end_ts"), self.zone)}

    def _label(self, row: Row, prefix: str = "") -> str | None:
        zone, lat, lon = row.get(f"{prefix}zone"), row.get(f"{prefix}latitude"), row.get(f"{prefix}longitude")
        return self.places_.label(zone if isinstance(zone, str) else None,
                                  float(lat) if isinstance(lat, int | float) else None,
                                  float(lon) if isinstance(lon, int | float) else None)

    def present_drive(self, row: Row) -> Row:
        distance, duration = row.get("distance_m"), row.get("duration_s")
        return {**row, **self._times(row), "start_place": self._label(row, "start_"),
                "end_place": self._label(row, "end_"),
                "distance_km": round(distance / 1000, 3) if isinstance(distance, int | float) else None,
                "duration_min": round(duration / 60, 2) if isinstance(duration, int | float) else None}

    def present_charge(self, row: Row) -> Row:
        duration = row.get("duration_s")
        return {**row, **self._times(row), "place": self._label(row),
                "duration_min": round(duration / 60, 2) if isinstance(duration, int | float) else None}

    def present_parked(self, row: Row) -> Row:
        return {**row, **self._times(row), "place": self._label(row)}
