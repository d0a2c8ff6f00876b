"""Automations from the outside: `homebound automations check|list|trace|reload` and the REST API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homebound.app.config import AutomationsConfig, Config, KuksaConfig, StorageConfig, ZoneConfig
from tests.support.live import LiveServer, live_server

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "automations"
TRUNK = """
- id: trunk_open
  alias: Trunk opened
  triggers:
    - trigger: state
      thing: car1
      path: Vehicle.Body.Trunk.Rear.IsOpen
      to: true
  conditions:
    - condition: numeric_state
      thing: car1
      path: Vehicle.Speed
      below: 5
  actions:
    - delay: 0.01
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOMEBOUND, *args], capture_output=True, text=True, timeout=60, env=ENV)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    folder = tmp_path / "automations"
    folder.mkdir()
    (folder / "trunk.yaml").write_text(TRUNK)
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}"), kuksa=KuksaConfig(enabled=False),
                    automations=AutomationsConfig(files=[folder]),
                    zones=[ZoneConfig(id="home", latitude=48.1, longitude=11.5, radius=100)])
    with live_server(config) as live:
        yield live


def test_check_the_examples_and_a_bad_file(tmp_path: Path) -> None:
    good = run("automations", "check", str(EXAMPLES))
    assert good.returncode == 0 and "10 valid, 0 problems" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  triggers: []\n  actions: [{delay: 1}]\n")
    result = run("automations", "check", str(bad))
    assert result.returncode == 1 and f"{bad}:2: automation 'x': triggers" in result.stdout


def test_list_trace_and_reload(server: LiveServer, tmp_path: Path) -> None:
    hub = server.runtime.hub
    server.run(hub.ingest, "car1", {"Vehicle.Speed": 0.0, "Vehicle.Body.Trunk.Rear.IsOpen": False})
    server.run(hub.ingest, "car1", {"Vehicle.Body.Trunk.Rear.IsOpen": True})
    time.sleep(0.2)
    server.run(hub.ingest, "car1", {"Vehicle.Speed": 20.0, "Vehicle.Body.Trunk.Rear.IsOpen": False})
    server.run(hub.ingest, "car1", {"Vehicle.Body.Trunk.Rear.IsOpen": True})
    time.sleep(0.2)
    base = ["--hub", server.base_url]
    listed = run("automations", "list", *base)
    assert listed.returncode == 0 and "trunk_open" in listed.stdout
    traces = httpx.get(f"{server.base_url}/api/v1/automations/trunk_open/traces").json()["traces"]
    assert [t["result"] for t in traces] == ["condition_failed", "completed"]
    assert traces[0]["conditions"][0]["value"] == 20.0
    shown = run("automations", "trace", "trunk_open", *base)
    assert "condition_failed" in shown.stdout and "✗ condition numeric_state" in shown.stdout
    assert "→ delay: completed" in shown.stdout
    (Path(str(server.runtime.config.automations.files[0])) / "more.yaml").write_text(
        TRUNK.replace("trunk_open", "trunk_again") + "\n- id: broken\n  triggers: []\n  actions: []\n")
    reloaded = run("automations", "reload", *base)
    assert "2 automations loaded" in reloaded.stdout and "broken" in reloaded.stdout
    assert httpx.get(f"{server.base_url}/api/v1/automations/nope/traces").status_code == 404
    checked = httpx.post(f"{server.base_url}/api/v1/automations/check", content=TRUNK,
                         headers={"content-type": "text/plain"}).json()
    assert checked == {"valid": ["trunk_open"], "problems": []}
