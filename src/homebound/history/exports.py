"""Exports: drives and charges as CSV (one row per session, times in UTC and in the household's zone), a drive's
track as GPX 1.1 (what mapping and sports tools import)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterable, Sequence

Row = dict[str, object]

DRIVE_COLUMNS = ("id", "vehicle", "start", "end", "start_place", "end_place", "distance_km", "duration_min",
                 "max_speed_kmh", "mean_speed_kmh", "energy_kwh", "efficiency_wh_km", "soc_start", "soc_end",
                 "outside_temp_c", "distance_source", "energy_source", "start_ts", "end_ts")
CHARGE_COLUMNS = ("id", "vehicle", "start", "end", "place", "charge_type", "energy_added_kwh", "energy_wall_kwh",
                  "soc_start", "soc_end", "peak_power_kw", "mean_power_kw", "duration_min", "interruptions",
                  "end_reason", "cost", "currency", "energy_source", "start_ts", "end_ts")
GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"


def local_time(ts: object, zone: zoneinfo.ZoneInfo) -> str:
    if not isinstance(ts, int | float):
        return ""
    return dt.datetime.fromtimestamp(ts, zone).isoformat(timespec="seconds")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    return value


def _csv(rows: Iterable[Row], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def drives_csv(drives: Iterable[Row]) -> str:
    """Drives as presented by the queries (with `start`, `end`, places and derived minutes/km)."""
    return _csv(drives, DRIVE_COLUMNS)


def charges_csv(charges: Iterable[Row]) -> str:
    return _csv(charges, CHARGE_COLUMNS)


def drive_gpx(drive: Row, points: Iterable[Row]) -> str:
    """A GPX 1.1 document with the drive as one track of one segment."""
    ET.register_namespace("", GPX_NAMESPACE)
    root = ET.Element(f"{{{GPX_NAMESPACE}}}gpx", {"version": "1.1", "creator": "Homebound"})
    metadata = ET.SubElement(root, f"{{{GPX_NAMESPACE}}}metadata")
    ET.SubElement(metadata, f"{{{GPX_NAMESPACE}}}name").text = f"Drive {drive.get('id')}"
    start = drive.get("start_ts")
    if isinstance(start, int | float):
        ET.SubElement(metadata, f"{{{GPX_NAMESPACE}}}time").text = _utc(start)
    track = ET.SubElement(root, f"{{{GPX_NAMESPACE}}}trk")
    ET.SubElement(track, f"{{{GPX_NAMESPACE}}}name").text = (
        f"{drive.get('start_place') or ''} → {drive.get('end_place') or ''}".strip(" →"))
    segment = ET.SubElement(track, f"{{{GPX_NAMESPACE}}}trkseg")
    for point in points:
        lat, lon, ts = point.get("latitude"), point.get("longitude"), point.get("ts")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            continue
        element = ET.SubElement(segment, f"{{{GPX_NAMESPACE}}}trkpt", {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}"})
        if isinstance(ts, int | float):
            ET.SubElement(element, f"{{{GPX_NAMESPACE}}}time").text = _utc(ts)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
