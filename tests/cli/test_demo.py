"""`homebound demo` and `homebound sim`, run as a user runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live import free_port

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def test_demo_drives_home_the_house_reacts_and_a_summary_is_printed(tmp_path: Path) -> None:
    result = subprocess.run([HOMEBOUND, "demo", "--speed", "120", "--duration", "34", "--port", str(free_port()),
                             "--database", str(tmp_path / "demo.db")],
                            capture_output=True, text=True, timeout=120, env=ENV, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "arriving_home fired (proximity)" in output
    assert "purifier Switch.Power.State = True confirmed" in output
    assert "garage Cover.Door.Command = 'OPEN' confirmed" in output
    # the family's phone (OwnTracks) is told, and is the car's key: never while it moves, then in the garage
    assert re.search(r"Ana's phone shows: Family car arriving in \d+ minutes", output)
    assert "ana is at the car but it is moving: not unlocked" in output
    unlocked, locked = output.find("key  unlocked car1 for ana"), output.find("key  locked car1 for ana")
    assert output.find("Ana at the car") < unlocked < output.find("Ana walking in") < locked, output
    assert "car1 Vehicle.Cabin.Door.Row1.DriverSide.IsLocked = False confirmed (phone:ana)" in output
    summary = re.search(r"(\d+\.\d) km driven.*?(\d+) automations fired, (\d+) commands confirmed", output, re.S)
    assert summary, output
    assert 6.5 < float(summary.group(1)) < 8.0
    assert int(summary.group(2)) >= 2 and int(summary.group(3)) >= 3
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr and "Traceback" not in result.stderr


def test_sim_feeds_a_fleet_and_reports_its_rate(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([HOMEBOUND, "serve", "--fleet", "5", "--port", str(port), "--no-grpc",
                               "--storage", f"sqlite:///{tmp_path / 'fleet.db'}"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        result = subprocess.run([HOMEBOUND, "sim", "--vehicles", "5", "--hub", f"http://127.0.0.1:{port}",
                                 "--duration", "3"], capture_output=True, text=True, timeout=60, env=ENV,
                                cwd=Path(__file__).parents[2])
        assert result.returncode == 0, result.stderr
        match = re.search(r"5 vehicles: (\d+) datapoints/s .* 0 rejected, 0 errors", result.stdout)
        assert match and int(match.group(1)) > 0, result.stdout
        vehicles = httpx.get(f"http://127.0.0.1:{port}/api/v1/vehicles").json()
        assert all(v["signals_with_value"] > 20 for v in vehicles)
    finally:
        server.terminate()
        server.wait(15)
