"""The command line, run as a user runs it: `homebound vss ...` and `homebound serve`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOMEBOUND, *args], capture_output=True, text=True, timeout=60, env=ENV, cwd=cwd)


def count(output: str, label: str) -> int:
    match = re.search(rf"│\s*{re.escape(label)}\s*│\s*(\d+)\s*│", output)
    assert match, f"{label!r} not in output:\n{output}"
    return int(match.group(1))


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("serve", "vss"):
        assert word in result.stdout


@pytest.mark.parametrize(("release", "sensors", "actuators", "attributes", "total"), [
    ("vss_release_4.0.json", 379, 425, 106, 910),
    ("vss_release_5.1.json", 495, 706, 120, 1321),
    ("vss_release_6.0.json", 490, 643, 130, 1263),
])
def test_vss_info_counts_an_official_release(vss_dir: Path, release: str, sensors: int, actuators: int,
                                             attributes: int, total: int) -> None:
    result = run("vss", "info", "--vss", str(vss_dir / release))
    assert result.returncode == 0, result.stderr
    assert count(result.stdout, "sensor") == sensors
    assert count(result.stdout, "actuator") == actuators
    assert count(result.stdout, "attribute") == attributes
    assert count(result.stdout, "total leaf signals") == total


def test_vss_info_of_the_builtin_catalog() -> None:
    result = run("vss", "info")
    assert result.returncode == 0 and count(result.stdout, "total leaf signals") >= 150
    assert count(result.stdout, "boolean") > 0


def test_vss_show_prints_metadata() -> None:
    result = run("vss", "show", "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging")
    assert result.returncode == 0
    assert "actuator" in result.stdout and "START, STOP" in result.stdout


def test_vss_show_unknown_path_suggests() -> None:
    result = run("vss", "show", "Vehicle.Sped")
    assert result.returncode == 1 and "did you mean Vehicle.Speed" in result.stdout


def test_vss_info_with_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("vss", "info", "--vss", str(tmp_path / "none.json"))
    assert result.returncode == 2 and "cannot read" in result.stdout


def test_serve_with_a_bad_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("server:\n  port: 99999\nvehicles:\n  - id: car1\n    colour: red\n")
    result = run("serve", "--config", str(config))
    assert result.returncode == 2
    assert "server.port" in result.stderr and "vehicles[0].colour" in result.stderr


def test_serve_with_defaults_answers_stores_in_the_working_directory_and_shuts_down_cleanly(
        tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    for attempt in range(2):
        process = subprocess.Popen([HOMEBOUND, "serve", "--port", str(port), "--grpc-port", "0"], cwd=tmp_path, env=ENV,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            vehicles = _wait_for(f"{base}/vehicles")
            assert [v["id"] for v in vehicles] == ["car1"]
            assert (tmp_path / "homebound.db").exists()
            if attempt == 0:
                httpx.post(f"{base}/vehicles/car1/signals", json={"values": {"Vehicle.TraveledDistance": 12345}})
            else:
                # Written just before the SIGTERM of the first run: the shutdown flushed it.
                assert httpx.get(f"{base}/vehicles/car1/signals/Vehicle.TraveledDistance").json()["value"] == 12345
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=15)
        assert process.returncode == 0, output
        assert "Traceback" not in output and "ERROR" not in output, output
        bound = re.search(r"gRPC on 127\.0\.0\.1:(\d+)", output)
        assert bound is not None and int(bound.group(1)) > 0, output  # --grpc-port 0: the port really bound


def test_serve_with_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(free_port()), "--grpc-port", str(port), cwd=tmp_path)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_an_unreachable_broker_says_so(tmp_path: Path) -> None:
    result = run("serve", "--port", str(free_port()), "--no-grpc", "--mqtt", f"mqtt://127.0.0.1:{free_port()}",
                 cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach the MQTT broker" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_the_example_config(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "homebound.yaml"
    port = free_port()
    process = subprocess.Popen([HOMEBOUND, "serve", "--config", str(example), "--port", str(port), "--no-grpc",
                                "--storage", f"sqlite:///{tmp_path / 'x.db'}"], env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        vehicles = _wait_for(f"http://127.0.0.1:{port}/api/v1/vehicles")
        assert vehicles[0]["id"] == "car1" and vehicles[0]["vin"]
    finally:
        process.terminate()
        process.communicate(timeout=15)


def _wait_for(url: str) -> list[dict[str, object]]:
    deadline = time.monotonic() + 20
    while True:
        try:
            response = httpx.get(url, timeout=1)
            return response.json()  # type: ignore[no-any-return]
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
