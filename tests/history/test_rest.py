"""The car's story over REST, against a real server: lists with time filters and pages, one session, exports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homebound.app.config import Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.automations.schema import ZoneConfig
from tests.history.conftest import (
    HOME,
    IS_CHARGING,
    PLUGGED,
    T0,
    WORK,
    ac_charge,
    commute,
    history_config,
)
from tests.support.live import LiveServer, live_server

GPX = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A hub whose car1 has commuted twice (25 and 26 November) and charged once at work."""
    folder: Path = tmp_path_factory.mktemp("rest")
    config = Config(storage=StorageConfig(url=f"sqlite:///{folder / 'hub.db'}", flush_interval_s=0.05),
                    kuksa=KuksaConfig(enabled=False), history=history_config(),
                    zones=[ZoneConfig(id=z.id, name=z.name, latitude=z.latitude, longitude=z.longitude,
                                      radius=z.radius_m) for z in (HOME, WORK)],
                    vehicles=[VehicleConfig(id="car1", vin="5YJ3E1EA7KF000001")])
    charge = ac_charge(1000, 30, soc=71.0)
    t, last = charge[-1]
    charge[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
    day = 86_400
    stream = [*commute(), *charge, *[(t + day, v) for t, v in commute(odometer=12_806_000, soc=81.0)]]
    with live_server(config) as live:
        for t, values in stream:
            live.run(live.runtime.hub.ingest, "car1", values, T0 + t, "gateway")
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.base_url}/api/v1/vehicles/car1", timeout=10) as http:
        yield http


def test_drives_newest_first_with_a_total(client: httpx.Client) -> None:
    body = client.get("/drives").json()
    assert body["total"] == 2 and [d["start"][:10] for d in body["items"]] == ["2026-11-26", "2026-11-25"]
    first = body["items"][1]
    assert (first["distance_km"], first["energy_kwh"], first["efficiency_wh_km"]) == (6.0, 1.5, 250.0)
    assert (first["start_place"], first["end_place"]) == ("Home", "Work")


def test_drives_by_time_and_page(client: httpx.Client) -> None:
    assert client.get("/drives", params={"since": "2026-11-26"}).json()["total"] == 1
    assert client.get("/drives", params={"until": "2026-11-26T00:00+01:00"}).json()["total"] == 1
    assert client.get("/drives", params={"since": str(T0 + 86_000)}).json()["total"] == 1
    page = client.get("/drives", params={"limit": 1, "offset": 1}).json()
    assert [d["start"][:10] for d in page["items"]] == ["2026-11-25"] and page["total"] == 2


def test_the_vin_names_the_vehicle_too(server: LiveServer) -> None:
    body = httpx.get(f"{server.base_url}/api/v1/vehicles/5YJ3E1EA7KF000001/drives").json()
    assert body["vehicle"] == "car1" and body["total"] == 2


def test_one_drive_with_its_track_and_as_gpx(client: httpx.Client) -> None:
    drive_id = client.get("/drives").json()["items"][1]["id"]
    drive = client.get(f"/drives/{drive_id}", params={"track": "true"}).json()
    assert drive["id"] == drive_id and len(drive["track"]) == 201
    gpx = client.get(f"/drives/{drive_id}/track.gpx")
    assert gpx.headers["content-type"].startswith("application/gpx+xml")
    root = ET.fromstring(gpx.text)
    points = root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    assert len(points) == 201 and points[0].find(f"{GPX}time").text == "2026-11-25T06:01:00Z"  # type: ignore[union-attr]
    assert root.find(f"{GPX}trk/{GPX}name").text == "Home → Work"  # type: ignore[union-attr]


def test_drives_as_csv(client: httpx.Client) -> None:
    response = client.get("/drives.csv")
    assert response.headers["content-disposition"] == 'attachment; filename="car1-drives.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 and rows[1]["start"] == "2026-11-25T07:01:00+01:00"
    assert (rows[1]["distance_km"], rows[1]["efficiency_wh_km"], rows[1]["end_place"]) == ("6.0", "250.0", "Work")


def test_charges_their_curve_and_csv(client: httpx.Client) -> None:
    body = client.get("/charges").json()
    assert body["total"] == 1
    charge = body["items"][0]
    assert (charge["energy_added_kwh"], charge["cost"], charge["place"], charge["end_reason"]) == (
        6.0, 2.4, "Work", "unplugged")
    detail = client.get(f"/charges/{charge['id']}").json()
    assert len(detail["power_curve"]) == 31
    rows = list(csv.DictReader(io.StringIO(client.get("/charges.csv").text)))
    assert (rows[0]["charge_type"], rows[0]["cost"], rows[0]["currency"]) == ("AC", "2.4", "EUR")


def test_summary_per_day(client: httpx.Client) -> None:
    body = client.get("/summary", params={"since": "2026-11-25", "until": "2026-11-27"}).json()
    assert body["timezone"] == "Europe/Berlin"
    assert [(b["start"], b["distance_km"], b["charged_kwh"], b["cost"]) for b in body["buckets"]] == [
        ("2026-11-25", 6.0, 6.0, {"EUR": 2.4}), ("2026-11-26", 6.0, 0.0, {})]
    assert body["total"]["distance_km"] == 12.0


def test_parked_places_battery_and_what_is_open(client: httpx.Client) -> None:
    parked = client.get("/parked").json()
    assert parked["total"] == 2          # at home before each commute; at work since the second is open
    places = client.get("/places").json()["places"]
    assert places[0]["place"] == "Work"
    assert client.get("/battery").json()["estimated_capacity_kwh"] == 60.0
    current = client.get("/sessions/current").json()
    assert current["drive"] is None and current["parked"]["zone"] == "work"


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/drives/20261125T000000-000000", 404, "unknown_session"),
    ("/charges/nope", 404, "unknown_session"),
    ("/drives?since=yesterday", 400, "bad_request"),
    ("/drives?since=2026-11-26&until=2026-11-25", 400, "bad_request"),
    ("/drives?limit=0", 422, "invalid_request"),
    ("/summary?period=year", 422, "invalid_request"),
])
def test_bad_requests_are_named(client: httpx.Client, path: str, status: int, code: str) -> None:
    response = client.get(path)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_an_unknown_vehicle_is_404(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/api/v1/vehicles/car9/drives")
    assert response.status_code == 404 and "car9" in response.json()["error"]["message"]
