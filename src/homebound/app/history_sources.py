"""Where `homebound drives|charges|summary` read the car's story: a running hub over REST (`HubSource`), or a
database straight (`StorageSource`). Both give the JSON the REST API returns."""

from __future__ import annotations

import asyncio
import zoneinfo
from pathlib import Path
from typing import Protocol

import httpx
import sqlalchemy as sa
import typer
from rich.console import Console

from homebound.history.config import local_zone
from homebound.history.exports import charges_csv, drives_csv
from homebound.history.places import Places
from homebound.history.session_queries import Page, StoredSessions, Window, parse_when
from homebound.history.store import SessionStore
from homebound.storage.database import Database, DatabaseError

errors = Console(stderr=True)
Row = dict[str, object]


class Source(Protocol):
    """Where the story is read from; `path` is the REST path below `/api/v1/vehicles/{vehicle}/`."""

    zone: zoneinfo.ZoneInfo

    def vehicle(self, wanted: str | None) -> str: ...
    def get(self, vehicle: str, path: str, params: dict[str, str | int]) -> Row: ...
    def text(self, vehicle: str, path: str, params: dict[str, str | int]) -> str: ...


def fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)


class HubSource:
    """A running hub, over its REST API."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.zone = local_zone()

    def _request(self, path: str, params: dict[str, str | int] | None = None) -> httpx.Response:
        try:
            response = httpx.get(f"{self.base}{path}", params=params, timeout=30)
        except httpx.TransportError as error:
            raise fail(f"no hub answers at {self.base} ({error}); start one, or read a database with "
                       "--storage URL") from None
        if response.status_code >= 400:
            try:
                problem = response.json().get("error", {}).get("message")
            except (ValueError, AttributeError):
                problem = response.text[:300]
            raise fail(str(problem))
        return response

    def vehicle(self, wanted: str | None) -> str:
        if wanted:
            return wanted
        vehicles = self._request("/api/v1/vehicles").json()
        if not vehicles:
            raise fail("the hub has no vehicles")
        return str(vehicles[0]["id"])

    def get(self, vehicle: str, path: str, params: dict[str, str | int]) -> Row:
        body: Row = self._request(f"/api/v1/vehicles/{vehicle}/{path}", params).json()
        timezone = body.get("timezone")
        if isinstance(timezone, str):
            self.zone = zoneinfo.ZoneInfo(timezone)
        return body

    def text(self, vehicle: str, path: str, params: dict[str, str | int]) -> str:
        return self._request(f"/api/v1/vehicles/{vehicle}/{path}", params).text


class StorageSource:
    """A database, read directly (no hub needed)."""

    def __init__(self, url: str, timezone: str | None) -> None:
        try:
            self.zone = zoneinfo.ZoneInfo(timezone) if timezone else local_zone()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise fail(f"--timezone {timezone!r} is not a time zone name (like Europe/Berlin or UTC)") from None
        self.database = open_database(url)
        self.store = SessionStore(self.database)
        self.sessions = StoredSessions(self.store, self.zone, Places())

    def vehicle(self, wanted: str | None) -> str:
        if wanted:
            return wanted
        known = self.store.vehicles()
        return known[0] if known else "car1"

    def get(self, vehicle: str, path: str, params: dict[str, str | int]) -> Row:
        return asyncio.run(self._get(vehicle, path, params))

    async def _get(self, vehicle: str, path: str, params: dict[str, str | int]) -> Row:
        sessions = self.sessions
        window = Window(parse_when(_text(params.get("since")), self.zone, "since"),
                        parse_when(_text(params.get("until")), self.zone, "until"))
        page = Page(int(params.get("limit", 50)), int(params.get("offset", 0)))
        parts = path.split("/")
        if parts == ["drives"]:
            return await sessions.drives(vehicle, window, page)
        if parts == ["charges"]:
            return await sessions.charges(vehicle, window, page)
        if parts == ["summary"]:
            return await sessions.summary(vehicle, str(params.get("period", "day")), window)  # type: ignore[arg-type]
        if len(parts) == 2 and parts[0] == "drives":
            drive = await sessions.drive(vehicle, parts[1])
            if params.get("track"):
                drive["track"] = await sessions.drive_track(vehicle, parts[1])
            return drive
        if len(parts) == 2 and parts[0] == "charges":
            return await sessions.charge(vehicle, parts[1])
        raise fail(f"nothing at {path}")

    def text(self, vehicle: str, path: str, params: dict[str, str | int]) -> str:
        kind = path.split(".")[0]
        items: list[Row] = []
        while True:
            body = self.get(vehicle, kind, {**params, "limit": 1000, "offset": len(items)})
            chunk = body["items"]
            assert isinstance(chunk, list)
            items += chunk
            if len(chunk) < 1000:
                break
        return drives_csv(items) if kind == "drives" else charges_csv(items)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def open_database(url: str) -> Database:
    """An existing database (a missing SQLite file is an error, not a new empty database), schema up to date."""
    try:
        database = Database(url)
        name = database.engine.url.database
        if database.dialect == "sqlite" and name not in (None, "", ":memory:") and not Path(name).exists():
            raise fail(f"no database at {name}")
        database.migrate()
        return database
    except (DatabaseError, sa.exc.SQLAlchemyError) as error:
        raise fail(str(error)) from None


def source(hub: str, storage: str | None, timezone: str | None) -> Source:
    return StorageSource(storage, timezone) if storage else HubSource(hub)
