"""The car's story over REST: drives, charging sessions, parked periods, places, summaries, the battery; CSV and
GPX exports. Needs only the `SessionQueries` of its services, nothing else of the hub."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from homebound.adapters.http import bounded
from homebound.adapters.http.services import HttpServices
from homebound.history.exports import charges_csv, drive_gpx, drives_csv
from homebound.history.session_queries import Page, SessionQueries, Window, parse_when
from homebound.history.summaries import Period
from homebound.model.errors import HomeboundError

router = bounded.router(prefix="/api/v1/vehicles", tags=["history"])
MAX_EXPORT_ROWS = 100_000
Row = dict[str, object]


def get_sessions(request: Request) -> SessionQueries:
    services: HttpServices = request.app.state.services
    if services.sessions is None:
        raise HomeboundError("drives and charges are not kept by this hub (a fleet door keeps no car's story)")
    return services.sessions


SessionsDep = Annotated[SessionQueries, Depends(get_sessions)]
Since = Annotated[str | None, Query(description="sessions starting at or after: epoch seconds or ISO 8601 "
                                                "(without offset: the household's time zone)")]
Until = Annotated[str | None, Query(description="sessions starting before: epoch seconds or ISO 8601")]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="sessions to skip (newest first)")]


def _window(sessions: SessionQueries, since: str | None, until: str | None) -> Window:
    return Window(parse_when(since, sessions.zone, "since"), parse_when(until, sessions.zone, "until")).check()


async def _everything(sessions: SessionQueries, kind: str, vehicle: str, window: Window) -> list[Row]:
    items: list[Row] = []
    while len(items) < MAX_EXPORT_ROWS:
        page = Page(1000, len(items))
        body = await (sessions.drives if kind == "drives" else sessions.charges)(vehicle, window, page)
        chunk = body["items"]
        assert isinstance(chunk, list)
        items += chunk
        if len(chunk) < page.limit:
            break
    return items


def _csv(text: str, vehicle: str, kind: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{vehicle}-{kind}.csv"'})


@router.get("/{vehicle_id}/drives")
async def list_drives(vehicle_id: str, sessions: SessionsDep, since: Since = None, until: Until = None,
                      limit: Limit = 50, offset: Offset = 0) -> Row:
    """Drives, newest first: places, distance, duration, speeds, energy, efficiency, state of charge."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.drives(vehicle, _window(sessions, since, until), Page(limit, offset))


@router.get("/{vehicle_id}/drives.csv", response_class=Response)
async def export_drives(vehicle_id: str, sessions: SessionsDep, since: Since = None, until: Until = None) -> Response:
    """Drives as CSV (oldest last, as listed), up to 100,000."""
    vehicle = sessions.vehicle(vehicle_id)
    return _csv(drives_csv(await _everything(sessions, "drives", vehicle, _window(sessions, since, until))),
                vehicle, "drives")


@router.get("/{vehicle_id}/drives/{drive_id}")
async def get_drive(vehicle_id: str, drive_id: str, sessions: SessionsDep,
                    track: Annotated[bool, Query(description="include the track's points")] = False) -> Row:
    vehicle = sessions.vehicle(vehicle_id)
    drive = await sessions.drive(vehicle, drive_id)
    if track:
        drive["track"] = await sessions.drive_track(vehicle, drive_id)
    return drive


@router.get("/{vehicle_id}/drives/{drive_id}/track.gpx", response_class=Response)
async def drive_track_gpx(vehicle_id: str, drive_id: str, sessions: SessionsDep) -> Response:
    """The drive's track as GPX 1.1."""
    vehicle = sessions.vehicle(vehicle_id)
    drive = await sessions.drive(vehicle, drive_id)
    points = await sessions.drive_track(vehicle, drive_id)
    return Response(drive_gpx(drive, points), media_type="application/gpx+xml",
                    headers={"content-disposition": f'attachment; filename="{vehicle}-{drive_id}.gpx"'})


@router.get("/{vehicle_id}/charges")
async def list_charges(vehicle_id: str, sessions: SessionsDep, since: Since = None, until: Until = None,
                       limit: Limit = 50, offset: Offset = 0) -> Row:
    """Charging sessions, newest first: place, AC/DC, energy, power, cost, why it ended."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.charges(vehicle, _window(sessions, since, until), Page(limit, offset))


@router.get("/{vehicle_id}/charges.csv", response_class=Response)
async def export_charges(vehicle_id: str, sessions: SessionsDep, since: Since = None,
                         until: Until = None) -> Response:
    vehicle = sessions.vehicle(vehicle_id)
    return _csv(charges_csv(await _everything(sessions, "charges", vehicle, _window(sessions, since, until))),
                vehicle, "charges")


@router.get("/{vehicle_id}/charges/{charge_id}")
async def get_charge(vehicle_id: str, charge_id: str, sessions: SessionsDep) -> Row:
    """One charging session with its power curve."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.charge(vehicle, charge_id)


@router.get("/{vehicle_id}/parked")
async def list_parked(vehicle_id: str, sessions: SessionsDep, since: Since = None, until: Until = None,
                      limit: Limit = 50, offset: Offset = 0) -> Row:
    """Parked periods, newest first, with the state of charge lost standing (vampire drain)."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.parked(vehicle, _window(sessions, since, until), Page(limit, offset))


@router.get("/{vehicle_id}/places")
async def places(vehicle_id: str, sessions: SessionsDep, since: Since = None, until: Until = None) -> Row:
    """Time parked at each place, most first."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.places(vehicle, _window(sessions, since, until))


@router.get("/{vehicle_id}/summary")
async def summary(vehicle_id: str, sessions: SessionsDep, period: Period = "day", since: Since = None,
                  until: Until = None) -> Row:
    """Per day, week or month (the household's time zone): distance, energy, efficiency, charging, cost,
    vampire drain; and efficiency by outside temperature. Default window: the last 31 days, 13 weeks or
    12 months."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.summary(vehicle, period, _window(sessions, since, until))


@router.get("/{vehicle_id}/battery")
async def battery(vehicle_id: str, sessions: SessionsDep) -> Row:
    """Usable capacity estimated from charging sessions over time; projected range at 100 %."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.battery(vehicle)


@router.get("/{vehicle_id}/sessions/current")
async def current_sessions(vehicle_id: str, sessions: SessionsDep) -> Row:
    """The drive, charging session and parked period open right now, with their figures so far."""
    vehicle = sessions.vehicle(vehicle_id)
    return await sessions.current(vehicle)
