"""Smart charging on a running hub: the REST routes and `homebound charging`, against a real server with the
simulated household in-process (its wallbox, grid meter and inverter joining by discovery)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from homebound.app.config import Config, load_config
from homebound.automations.loader import load_text
from homebound.simulators.household.site import StandInCar
from tests.support.live import LiveServer, live_server

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}

CONFIG = """
storage: {url: "sqlite:///%(db)s", flush_interval_s: 0.05}
kuksa: {enabled: false}
simulation: {household: true}
energy:
  timezone: Europe/Berlin
  interval_s: 0.5
  site:
    main_fuse_a: 35
    grid: {thing: grid, power: Sensor.Power.Value}
    solar: {thing: solar, power: Sensor.Power.Value}
  tariff:
    kind: time_of_day
    price: 0.35
    feed_in: 0.08
    zones: [{from: "22:00", to: "06:00", price: 0.18}]
  charge_points:
    - name: garage
      title: Garage
      vehicle: car1
      battery_kwh: 60
      mode: solar
      wallbox:
        thing: wallbox
        plugged: BinarySensor.Plugged.State
        enable: Switch.Charging.State
        power: Sensor.Power.Value
        current_limit: Number.CurrentLimit.Value
        phases_switch: Select.Phases.Option
vehicles: [{id: car1}]
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "homebound.yaml"
    path.write_text(CONFIG % {"db": tmp_path / "hub.db"})
    return path


@pytest.fixture
def server(config_file: Path) -> Iterator[LiveServer]:
    with live_server(load_config(config_file)) as live:
        deadline = time.monotonic() + 10
        while not live.run(lambda: live.runtime.energy is not None and live.runtime.energy.cycles > 1):
            assert time.monotonic() < deadline, "the energy service did not run"
            time.sleep(0.05)
        yield live


def plug(server: LiveServer, soc: float = 30.0) -> None:
    def plug_in() -> None:
        assert server.runtime.household is not None
        car = server.runtime.household.devices["wallbox"].vehicle  # type: ignore[attr-defined]
        assert isinstance(car, StandInCar)
        car.is_plugged = True
        server.runtime.hub.ingest("car1", {"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": soc})
        server.runtime.household.tick(1.0)
    server.run(plug_in)
    wait_for(lambda: httpx.get(f"{server.base_url}/api/v1/energy/charge-points/garage").json()["plugged"])


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_configuration_example_in_the_docs_is_valid() -> None:
    text = (Path(__file__).parents[2] / "docs" / "energy.md").read_text()
    block = text.split("```yaml", 1)[1].split("```", 1)[0]
    config = Config.model_validate(yaml.safe_load(block))
    assert [cp.name for cp in config.energy.charge_points] == ["garage"]


def test_the_automation_example_in_the_docs_loads() -> None:
    text = (Path(__file__).parents[2] / "docs" / "energy.md").read_text()
    block = next(b.split("```", 1)[0] for b in text.split("```yaml")[1:] if "low_battery_charge_now" in b)
    loaded = load_text(block, "docs/energy.md")
    assert loaded.errors == [] and [a.id for a in loaded.automations] == ["low_battery_charge_now"]


def test_the_charge_points_are_listed_with_what_they_do(server: LiveServer) -> None:
    points = httpx.get(f"{server.base_url}/api/v1/energy/charge-points").json()
    assert [p["name"] for p in points] == ["garage"]
    assert points[0]["mode"] == "solar" and points[0]["thing"] == "chargepoint.garage"
    assert points[0]["status"] == "no car plugged in"
    assert points[0]["problems"] == []


def test_a_mode_set_over_rest_is_a_confirmed_command_and_the_wallbox_follows(server: LiveServer) -> None:
    plug(server)
    answer = httpx.put(f"{server.base_url}/api/v1/energy/charge-points/garage/mode", json={"mode": "now"},
                       headers={"x-homebound-principal": "ana"}).json()
    assert answer["command"]["state"] == "confirmed" and answer["command"]["principal"] == "rest:ana"
    wait_for(lambda: httpx.get(f"{server.base_url}/api/v1/energy/charge-points/garage").json()["power_w"] > 10_000)
    status = httpx.get(f"{server.base_url}/api/v1/energy/charge-points/garage").json()
    assert status["status"] == "charging as fast as allowed"
    commands = server.run(lambda: [c for c in server.runtime.hub.recent_commands() if c.thing == "wallbox"])
    assert commands and all(c.principal == "energy:garage" for c in commands)


def test_bad_requests_name_what_was_wrong(server: LiveServer) -> None:
    wrong = httpx.put(f"{server.base_url}/api/v1/energy/charge-points/garage/mode", json={"mode": "turbo"})
    assert wrong.status_code == 422 and "mode" in wrong.json()["error"]["message"]
    unknown = httpx.get(f"{server.base_url}/api/v1/energy/charge-points/carport")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "unknown charge point 'carport'; known: garage"
    prices = httpx.put(f"{server.base_url}/api/v1/energy/tariff/prices", content=b"[]")
    assert prices.status_code == 400 and "only to a dynamic one" in prices.json()["error"]["message"]


def test_a_plan_set_over_rest_is_answered_in_words(server: LiveServer) -> None:
    plug(server, soc=40)
    answer = httpx.put(f"{server.base_url}/api/v1/energy/charge-points/garage/plan",
                       json={"target_soc": 80, "departure": "2099-01-01T07:30"})
    assert answer.status_code == 200
    assert answer.json()["commands"][1]["state"] == "failed"  # more than a week ahead
    answer = httpx.put(f"{server.base_url}/api/v1/energy/charge-points/garage/plan", json={"departure": "07:30"})
    status = answer.json()["status"]
    assert status["departure"]["source"] == "user"
    assert status["plan"]["text"].startswith("80 % by ")


def test_the_cli_shows_the_status_and_changes_the_mode(server: LiveServer) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([HOMEBOUND, "charging", *args, "--hub", server.base_url], capture_output=True,
                              text=True, timeout=60, env=ENV)

    shown = run("status")
    assert shown.returncode == 0, shown.stderr
    assert "garage (chargepoint.garage)" in shown.stdout and "no car plugged in" in shown.stdout
    changed = run("mode", "garage", "off")
    assert changed.returncode == 0 and "garage: mode off (confirmed)" in changed.stdout
    as_json = json.loads(run("status", "garage", "--json").stdout)
    assert as_json["mode"] == "off"
    refused = run("mode", "garage", "turbo")
    assert refused.returncode != 0 and "turbo" in refused.stderr
    missing = run("status", "carport")
    assert missing.returncode == 1 and "unknown charge point 'carport'" in missing.stderr
    planned = run("plan", "garage", "--target", "75", "--by", "06:45")
    assert planned.returncode == 0, planned.stderr
