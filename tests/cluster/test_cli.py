"""The cluster's command line, run as an operator runs it: `serve --cluster`, `sim --rate`, `cluster status`,
`fleet bench`, and the errors that say what is missing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live import free_port

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
ROOT = Path(__file__).parents[2]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HOMEBOUND, *args], capture_output=True, text=True, timeout=timeout, env=ENV, cwd=ROOT)


def test_serve_cluster_takes_a_fixed_rate_fleet_and_status_shows_it(nats_url: str, cluster_name: str,
                                                                     database: str) -> None:
    port = free_port()
    server = subprocess.Popen([HOMEBOUND, "serve", "--cluster", nats_url, "--cluster-name", cluster_name,
                               "--partitions", "4", "--lease-ttl", "2", "--storage", database, "--fleet", "20",
                               "--port", str(port), "--no-grpc"], env=ENV, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        sim = run("sim", "--vehicles", "20", "--hub", f"http://127.0.0.1:{port}", "--duration", "4", "--rate", "2")
        assert sim.returncode == 0, sim.stderr
        match = re.search(r"20 vehicles: (\d+) datapoints/s \((\d+) batches/s of 40 offered, (\d+) sent late\) "
                          r".* 0 rejected, 0 errors", sim.stdout)
        assert match, sim.stdout
        assert int(match.group(2)) >= 30, "most of the offered load was taken"
        time.sleep(1.0)
        status = run("cluster", "status", "--cluster", nats_url, "--cluster-name", cluster_name, "--json")
        assert status.returncode == 0, status.stderr
        body = json.loads(status.stdout)
        assert body["partitions"] == 4 and body["unheld_partitions"] == 0 and body["lag_total"] == 0
        assert len(body["workers"]) == 1 and body["workers"][0]["values_applied"] > 0
        table = run("cluster", "status", "--cluster", nats_url, "--cluster-name", cluster_name)
        assert "door-to-stored p50" in table.stdout and "partition" in table.stdout
        vehicles = httpx.get(f"http://127.0.0.1:{port}/api/v1/vehicles/car7/signals/Vehicle.Speed").json()
        assert vehicles["value"] is not None
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0, server.stderr.read() if server.stderr else ""


def test_fleet_bench_kills_a_worker_and_finds_nothing_lost(nats_url: str) -> None:
    from tests.conftest import POSTGRES_URL

    result = run("fleet", "bench", "--vehicles", "40", "--workers", "2", "--duration", "6", "--kill-worker",
                 "--cluster", nats_url, "--storage", POSTGRES_URL, "--lease-ttl", "2", timeout=240)
    assert result.returncode == 0, result.stderr + result.stdout
    figures = json.loads(result.stdout)
    assert figures["lost"] == 0 and figures["duplicates"] == 0 and figures["out_of_order"] == 0
    assert figures["rows_stored"] == figures["rows_expected"] > 0
    assert figures["failover_s"] is not None and figures["left_in_log"] == 0


def test_a_cluster_without_postgresql_is_refused_with_the_reason(nats_url: str) -> None:
    result = run("worker", "--cluster", nats_url, "--storage", "sqlite:///x.db")
    assert result.returncode == 2
    assert "a cluster keeps its state in PostgreSQL" in result.stderr


def test_an_unreachable_nats_is_one_clear_line(database: str) -> None:
    result = run("worker", "--cluster", f"nats://127.0.0.1:{free_port()}", "--storage", database, timeout=90)
    assert result.returncode == 1
    assert "cannot reach NATS" in result.stderr and "Traceback" not in result.stderr
