"""`homebound drives|charges list|show`, `homebound summary`, `homebound history stats|compact`: the car's story on
the command line, from a running hub (`--hub URL`, the REST API) or straight from a database (`--storage URL`).

Both sources give the same JSON (`--json` prints it as the REST API returns it); without `--json` it is a table.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homebound.app.history_sources import errors, fail, open_database, source
from homebound.history.config import RecordingConfig
from homebound.history.exports import drive_gpx
from homebound.history.retention import Retention, storage_stats
from homebound.history.summaries import PERIODS
from homebound.model.errors import HomeboundError

drives = typer.Typer(help="Drives: list them, show one (with its track as GPX).", no_args_is_help=True)
charges = typer.Typer(help="Charging sessions: list them, show one with its power curve.", no_args_is_help=True)
history = typer.Typer(help="Raw history: how much is stored; apply retention now.", no_args_is_help=True)
console = Console()
Row = dict[str, object]
DEFAULT_HUB = "http://127.0.0.1:8321"

HubOption = Annotated[str, typer.Option("--hub", help="Base URL of a running hub (ignored with --storage).")]
StorageOption = Annotated[str | None, typer.Option(
    "--storage", help="Read this database instead of asking a hub: sqlite:///file.db or postgresql://...")]
VehicleOption = Annotated[str | None, typer.Option("--vehicle", help="Vehicle id or VIN (default: the first).")]
SinceOption = Annotated[str | None, typer.Option(help="From: ISO date or time (2026-11-25, 2026-11-25T08:00) or "
                                                      "epoch seconds.")]
UntilOption = Annotated[str | None, typer.Option(help="Until (exclusive), like --since.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the JSON the REST API returns.")]
ZoneOption = Annotated[str | None, typer.Option("--timezone", help="Time zone for days and local times with "
                                                                  "--storage (default: the system's).")]


def _params(since: str | None, until: str | None, **more: str | int | None) -> dict[str, str | int]:
    out: dict[str, str | int] = {k: v for k, v in more.items() if v is not None}
    if since:
        out["since"] = since
    if until:
        out["until"] = until
    return out


def _local(ts: object, zone: zoneinfo.ZoneInfo) -> str:
    if not isinstance(ts, int | float):
        return ""
    return dt.datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")


def _number(value: object, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) and not isinstance(value, bool) else "-"


def _soc(row: Row) -> str:
    return f"{_number(row.get('soc_start'), 0)} → {_number(row.get('soc_end'), 0)} %"


def _print_json(body: object) -> None:
    print(json.dumps(body, indent=2, ensure_ascii=False))


# ---- drives -----------------------------------------------------------------------------------------------------

@drives.command("list")
def list_drives(vehicle: VehicleOption = None, since: SinceOption = None, until: UntilOption = None,
                limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
                offset: Annotated[int, typer.Option(min=0)] = 0, as_json: JsonOption = False,
                csv: Annotated[bool, typer.Option("--csv", help="Print every drive in the window as CSV.")] = False,
                hub: HubOption = DEFAULT_HUB, storage: StorageOption = None, timezone: ZoneOption = None) -> None:
    """Drives, newest first."""
    where = source(hub, storage, timezone)
    try:
        car = where.vehicle(vehicle)
        if csv:
            print(where.text(car, "drives.csv", _params(since, until)), end="")
            return
        body = where.get(car, "drives", _params(since, until, limit=limit, offset=offset))
    except HomeboundError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json(body)
        return
    items = body["items"]
    assert isinstance(items, list)
    table = Table(title=f"{car}: drives {offset + 1}-{offset + len(items)} of {body['total']}")
    for column in ("id", "start", "from", "to", "km", "min", "kWh", "Wh/km", "battery", "°C"):
        table.add_column(column, justify="right" if column in ("km", "min", "kWh", "Wh/km", "°C") else "left")
    for row in items:
        table.add_row(str(row["id"]), _local(row["start_ts"], where.zone), str(row.get("start_place") or ""),
                      str(row.get("end_place") or ""), _number(row.get("distance_km"), 2),
                      _number(row.get("duration_min"), 0), _number(row.get("energy_kwh"), 2),
                      _number(row.get("efficiency_wh_km"), 0), _soc(row), _number(row.get("outside_temp_c"), 0))
    console.print(table)


@drives.command("show")
def show_drive(drive_id: Annotated[str, typer.Argument(help="The drive's id (from `drives list`).")],
               vehicle: VehicleOption = None, as_json: JsonOption = False,
               gpx: Annotated[Path | None, typer.Option(help="Also write the track to this GPX file.")] = None,
               hub: HubOption = DEFAULT_HUB, storage: StorageOption = None, timezone: ZoneOption = None) -> None:
    """One drive with every figure; `--gpx FILE` writes its track."""
    where = source(hub, storage, timezone)
    try:
        car = where.vehicle(vehicle)
        drive = where.get(car, f"drives/{drive_id}", {"track": "true"} if gpx or as_json else {})
    except HomeboundError as error:
        raise fail(str(error)) from None
    track = drive.pop("track", None)
    if gpx is not None:
        points = track if isinstance(track, list) else []
        gpx.write_text(drive_gpx(drive, points), encoding="utf-8")
        errors.print(f"track of {len(points)} points written to {gpx}", highlight=False)
    if as_json:
        _print_json({**drive, "track": track})
        return
    _details(drive, ("start", "end", "start_place", "end_place", "distance_km", "distance_source",
                                 "duration_min", "max_speed_kmh", "mean_speed_kmh", "energy_kwh", "energy_source",
                                 "efficiency_wh_km", "soc_start", "soc_end", "outside_temp_c", "odometer_start_m",
                                 "odometer_end_m"))


def _details(row: Row, keys: tuple[str, ...]) -> None:
    table = Table(show_header=False, title=str(row.get("id")))
    table.add_column("figure", style="bold")
    table.add_column("value")
    for key in keys:
        value = row.get(key)
        table.add_row(key.replace("_", " "), "-" if value is None else str(value))
    console.print(table)


# ---- charges ----------------------------------------------------------------------------------------------------

@charges.command("list")
def list_charges(vehicle: VehicleOption = None, since: SinceOption = None, until: UntilOption = None,
                 limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
                 offset: Annotated[int, typer.Option(min=0)] = 0, as_json: JsonOption = False,
                 csv: Annotated[bool, typer.Option("--csv", help="Print every session in the window as CSV.")] = False,
                 hub: HubOption = DEFAULT_HUB, storage: StorageOption = None, timezone: ZoneOption = None) -> None:
    """Charging sessions, newest first."""
    where = source(hub, storage, timezone)
    try:
        car = where.vehicle(vehicle)
        if csv:
            print(where.text(car, "charges.csv", _params(since, until)), end="")
            return
        body = where.get(car, "charges", _params(since, until, limit=limit, offset=offset))
    except HomeboundError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json(body)
        return
    items = body["items"]
    assert isinstance(items, list)
    table = Table(title=f"{car}: charging sessions {offset + 1}-{offset + len(items)} of {body['total']}")
    for column in ("id", "start", "place", "type", "kWh", "peak kW", "min", "battery", "cost", "ended"):
        table.add_column(column, justify="right" if column in ("kWh", "peak kW", "min", "cost") else "left")
    for row in items:
        cost = f"{_number(row.get('cost'), 2)} {row.get('currency') or ''}".strip()
        table.add_row(str(row["id"]), _local(row["start_ts"], where.zone), str(row.get("place") or ""),
                      str(row.get("charge_type") or "-"), _number(row.get("energy_added_kwh"), 2),
                      _number(row.get("peak_power_kw"), 1), _number(row.get("duration_min"), 0), _soc(row), cost,
                      str(row.get("end_reason")))
    console.print(table)


@charges.command("show")
def show_charge(charge_id: Annotated[str, typer.Argument(help="The session's id (from `charges list`).")],
                vehicle: VehicleOption = None, as_json: JsonOption = False, hub: HubOption = DEFAULT_HUB,
                storage: StorageOption = None, timezone: ZoneOption = None) -> None:
    """One charging session with every figure and its power curve."""
    where = source(hub, storage, timezone)
    try:
        car = where.vehicle(vehicle)
        charge = where.get(car, f"charges/{charge_id}", {})
    except HomeboundError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json(charge)
        return
    curve = charge.get("power_curve")
    _details(charge, ("start", "end", "place", "charge_type", "energy_added_kwh", "energy_source",
                                  "energy_wall_kwh", "soc_start", "soc_end", "peak_power_kw", "mean_power_kw",
                                  "duration_min", "interruptions", "end_reason", "cost", "currency", "capacity_kwh",
                                  "range_at_100_km"))
    if isinstance(curve, list) and curve:
        console.print(f"power curve: {len(curve)} points, "
                      + ", ".join(f"{_local(p['ts'], where.zone)[-5:]} {_number(p.get('power_kw'))} kW"
                                  for p in curve[:: max(1, len(curve) // 8)]), highlight=False)


# ---- summary ----------------------------------------------------------------------------------------------------

def summary(period: Annotated[str, typer.Option(help="day, week or month.")] = "day",
            vehicle: VehicleOption = None, since: SinceOption = None, until: UntilOption = None,
            as_json: JsonOption = False, hub: HubOption = DEFAULT_HUB, storage: StorageOption = None,
            timezone: ZoneOption = None) -> None:
    """Per day, week or month: distance, energy, efficiency, charging and its cost, vampire drain; and efficiency
    by outside temperature."""
    if period not in PERIODS:
        raise fail(f"--period {period!r} is not one of {', '.join(PERIODS)}")
    where = source(hub, storage, timezone)
    try:
        car = where.vehicle(vehicle)
        body = where.get(car, "summary", _params(since, until, period=period))
    except HomeboundError as error:
        raise fail(str(error)) from None
    if as_json:
        _print_json(body)
        return
    buckets = body["buckets"]
    assert isinstance(buckets, list)
    table = Table(title=f"{car}: summary per {period} ({body.get('timezone')})")
    for column in ("from", "drives", "km", "kWh", "Wh/km", "°C", "charges", "charged kWh", "cost", "drain %/day"):
        table.add_column(column, justify="left" if column == "from" else "right")
    for row in buckets:
        cost = row.get("cost")
        costs = ", ".join(f"{v:.2f} {k}" for k, v in cost.items()) if isinstance(cost, dict) else ""
        table.add_row(str(row["start"]), str(row["drives"]), _number(row["distance_km"], 1),
                      _number(row["energy_kwh"], 2), _number(row.get("efficiency_wh_km"), 0),
                      _number(row.get("outside_temp_c"), 0), str(row["charges"]), _number(row["charged_kwh"], 2),
                      costs, _number(row.get("drain_per_day"), 2))
    console.print(table)
    bands = body.get("efficiency_by_temperature")
    if isinstance(bands, list) and bands:
        console.print("efficiency by outside temperature: " + ", ".join(
            f"{b['from_c']:g}..{b['to_c']:g} °C {_number(b.get('efficiency_wh_km'), 0)} Wh/km "
            f"({_number(b['distance_km'])} km)" for b in bands), highlight=False)


# ---- raw history ------------------------------------------------------------------------------------------------

@history.command()
def stats(storage: Annotated[str, typer.Option("--storage", help="Database URL.")] = "sqlite:///homebound.db",
          as_json: JsonOption = False) -> None:
    """How much is stored: raw history rows (the top signals), sessions, and the size on disk."""
    database = open_database(storage)
    try:
        figures = storage_stats(database)
    finally:
        database.dispose()
    if as_json:
        _print_json(figures)
        return
    size = figures.get("size_bytes")
    console.print(f"{figures['database']}: {_mb(size)} on disk"
                  + (f" ({_mb(figures.get('free_bytes'))} free for reuse)" if figures.get("free_bytes") else "")
                  + (f", raw history {_mb(figures.get('history_bytes'))}" if figures.get("history_bytes") else ""),
                  highlight=False)
    days = figures.get("days") or 0.0
    rows = int(str(figures["history_rows"]))
    console.print(f"raw history: {rows:,} rows over {float(str(days)):.1f} days"
                  + (f" (about {rows / float(str(days)):,.0f} a day)" if isinstance(days, float) and days >= 1 else ""),
                  highlight=False)
    for entry in figures["top_paths"]:  # type: ignore[attr-defined]
        console.print(f"  {entry['rows']:>12,}  {entry['path']}", highlight=False)
    sessions = figures["sessions"]
    assert isinstance(sessions, dict)
    console.print("sessions: " + ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in sessions.items()),
                  highlight=False)


def _mb(value: object) -> str:
    return f"{int(value) / 1e6:.1f} MB" if isinstance(value, int | float) else "?"


@history.command()
def compact(storage: Annotated[str, typer.Option("--storage", help="Database URL.")] = "sqlite:///homebound.db",
            raw_days: Annotated[float, typer.Option(help="Keep every value this long.", min=0.001)] = 30.0,
            downsample_s: Annotated[float, typer.Option(help="Then one value per signal per this.", min=1)] = 60.0,
            keep_days: Annotated[float | None, typer.Option(help="Delete older than this.", min=0.001)] = None) -> None:
    """Apply retention now (a running hub does it every hour with its configured rules)."""
    try:
        recording = RecordingConfig(raw_days=raw_days, downsample_s=downsample_s, keep_days=keep_days)
    except ValueError as error:
        raise fail(str(error).splitlines()[-1]) from None
    database = open_database(storage)
    try:
        result = Retention(database, recording).run()
    finally:
        database.dispose()
    console.print(f"{result.downsampled_rows:,} rows downsampled, {result.deleted_rows:,} deleted", highlight=False)


__all__ = ["charges", "drives", "history", "summary"]
