"""`homebound drives|charges|summary|history` run as a user runs them: on a database, against a hub; and the
demo's day told from the session store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from homebound.app.config import Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.automations.schema import ZoneConfig
from tests.history.conftest import HOME, IS_CHARGING, PLUGGED, T0, WORK, ac_charge, commute, history_config
from tests.support.live import LiveServer, free_port, live_server

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TZ": "Europe/Berlin"}
PROJECT = Path(__file__).resolve().parents[2]


def homebound(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOMEBOUND, *args], capture_output=True, text=True, timeout=timeout, env=ENV, cwd=PROJECT)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    """A hub on a SQLite file, car1 having commuted and charged at work."""
    folder: Path = tmp_path_factory.mktemp("cli")
    config = Config(storage=StorageConfig(url=f"sqlite:///{folder / 'hub.db'}", flush_interval_s=0.05),
                    kuksa=KuksaConfig(enabled=False), history=history_config(),
                    zones=[ZoneConfig(id=z.id, name=z.name, latitude=z.latitude, longitude=z.longitude,
                                      radius=z.radius_m) for z in (HOME, WORK)],
                    vehicles=[VehicleConfig(id="car1")])
    charge = ac_charge(1000, 30, soc=71.0)
    t, last = charge[-1]
    charge[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
    with live_server(config) as live:
        for t, values in [*commute(), *charge]:
            live.run(live.runtime.hub.ingest, "car1", values, T0 + t, "gateway")
        live.call(live.runtime.carlog.writer.flush())
        yield live, folder / "hub.db"


def test_drives_list_against_a_running_hub(hub: tuple[LiveServer, Path]) -> None:
    live, _ = hub
    result = homebound("drives", "list", "--hub", live.base_url, "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["total"] == 1 and body["items"][0]["distance_km"] == 6.0
    table = homebound("drives", "list", "--hub", live.base_url)
    assert "Home" in table.stdout and "Work" in table.stdout and "6.00" in table.stdout and "250" in table.stdout


def test_drives_list_straight_from_the_database(hub: tuple[LiveServer, Path]) -> None:
    _, database = hub
    result = homebound("drives", "list", "--storage", f"sqlite:///{database}", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert len(items) == 1 and items[0]["energy_kwh"] == 1.5 and items[0]["start"] == "2026-11-25T07:01:00+01:00"


def test_drive_show_writes_the_track_as_gpx(hub: tuple[LiveServer, Path], tmp_path: Path) -> None:
    live, _ = hub
    drive_id = json.loads(homebound("drives", "list", "--hub", live.base_url, "--json").stdout)["items"][0]["id"]
    result = homebound("drives", "show", drive_id, "--hub", live.base_url, "--gpx", str(tmp_path / "d.gpx"))
    assert result.returncode == 0, result.stderr
    assert "efficiency wh km" in result.stdout and "250.0" in result.stdout
    assert (tmp_path / "d.gpx").read_text().count("<trkpt") == 201


def test_charges_list_show_and_csv(hub: tuple[LiveServer, Path]) -> None:
    live, database = hub
    listed = homebound("charges", "list", "--storage", f"sqlite:///{database}")
    assert "limit_reached" in listed.stdout or "unplugged" in listed.stdout
    assert "2.40 EUR" in listed.stdout
    charge_id = json.loads(homebound("charges", "list", "--hub", live.base_url, "--json").stdout)["items"][0]["id"]
    shown = homebound("charges", "show", charge_id, "--hub", live.base_url)
    assert "power curve: 31 points" in shown.stdout
    exported = homebound("charges", "list", "--hub", live.base_url, "--csv")
    assert exported.stdout.splitlines()[0].startswith("id,vehicle,start,end,place,charge_type")


def test_summary_and_history_stats(hub: tuple[LiveServer, Path]) -> None:
    live, database = hub
    summary = json.loads(homebound("summary", "--hub", live.base_url, "--since", "2026-11-01", "--json").stdout)
    assert summary["buckets"][0]["distance_km"] == 6.0 and summary["buckets"][0]["cost"] == {"EUR": 2.4}
    stats = homebound("history", "stats", "--storage", f"sqlite:///{database}")
    assert stats.returncode == 0, stats.stderr
    assert "raw history:" in stats.stdout and "1 drives" in stats.stdout


def test_clear_errors_for_no_hub_no_database_and_an_unknown_drive(hub: tuple[LiveServer, Path],
                                                                  tmp_path: Path) -> None:
    live, _ = hub
    nobody = homebound("drives", "list", "--hub", f"http://127.0.0.1:{free_port()}")
    assert nobody.returncode == 1 and "no hub answers" in nobody.stderr
    missing = homebound("drives", "list", "--storage", f"sqlite:///{tmp_path / 'nope.db'}")
    assert missing.returncode == 1 and "no database at" in missing.stderr
    unknown = homebound("drives", "show", "nope", "--hub", live.base_url)
    assert unknown.returncode == 1 and "no drive with id 'nope'" in unknown.stderr


def test_the_demo_day_ends_with_its_drives_and_charge_from_the_session_store(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = homebound("demo", "--scenario", "examples/scenarios/a_day.yaml", "--speed", "1000", "--port",
                       str(free_port()), "--database", str(database), timeout=240)
    assert result.returncode == 0, result.stderr
    assert "The day's drives and charges (from the session store)" in result.stdout
    assert result.stdout.count("│ drive ") == 2 and result.stdout.count("│ charge ") == 1
    listed = json.loads(homebound("drives", "list", "--storage", f"sqlite:///{database}", "--json").stdout)
    assert listed["total"] == 2
    assert all(7.0 < float(d["distance_km"]) < 7.5 for d in listed["items"])
    charges = json.loads(homebound("charges", "list", "--storage", f"sqlite:///{database}", "--json").stdout)
    assert charges["total"] == 1 and charges["items"][0]["end_reason"] == "limit_reached"
    assert "ERROR" not in result.stderr and "Traceback" not in result.stderr
