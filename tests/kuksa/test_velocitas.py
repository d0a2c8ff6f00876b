"""A Velocitas vehicle app on the real SDK (velocitas-sdk 0.15.7, its own environment) against the hub.

The app (programs/velocitas_app.py) subscribes with a query the SDK builds, reads, sets an actuator's target and
receives updates, over sdv.databroker.v1; a v1 provider written with kuksa-client's v1 calls plays the car.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from kuksa_client.grpc import DataEntry, EntryUpdate, Field, SubscribeEntry, View, VSSClient

from tests.kuksa.velocitas import Lines, vehicle_model, velocitas_config, velocitas_env
from tests.support.live import LiveServer, live_server

SPEED = "Vehicle.Speed"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
APP = Path(__file__).parent / "programs" / "velocitas_app.py"


@pytest.fixture(scope="session")
def velocitas_bin() -> Path:
    return velocitas_env()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(velocitas_config(tmp_path)) as live:
        yield live


@contextlib.contextmanager
def v1_car(port: int, paths: list[str]) -> Iterator[list[object]]:
    """The car's side: a kuksa.val v1 provider (subscribe to targets, write the current value) in a thread."""
    seen: list[object] = []
    client = VSSClient("127.0.0.1", port)
    client.connect()

    def serve() -> None:
        with contextlib.suppress(Exception):
            entries = [SubscribeEntry(path, View.TARGET_VALUE, (Field.ACTUATOR_TARGET,)) for path in paths]
            for updates in client.subscribe(entries=entries):
                for update in updates:
                    if update.entry.actuator_target is not None:
                        seen.append(update.entry.actuator_target.value)
                        client.set(updates=[EntryUpdate(DataEntry(update.entry.path,
                                                                  value=update.entry.actuator_target), (Field.VALUE,))])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        client.disconnect()
        thread.join(5)


@contextlib.contextmanager
def running_app(server: LiveServer, bin_dir: Path, model: Path) -> Iterator[tuple[subprocess.Popen[str], Lines]]:
    env = {**os.environ, "SDV_VEHICLEDATABROKER_ADDRESS": f"grpc://127.0.0.1:{server.grpc_port}",
           "SDV_MIDDLEWARE_TYPE": "native", "PYTHONPATH": str(model)}
    process = subprocess.Popen([str(bin_dir / "python"), str(APP)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        yield process, Lines(process)
    finally:
        process.kill()
        process.wait(10)


def ask(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()


def test_the_velocitas_sdk_subscribes_with_a_query_reads_sets_and_receives_updates(
        server: LiveServer, velocitas_bin: Path, tmp_path: Path) -> None:
    hub = server.runtime.hub
    model = vehicle_model(velocitas_bin, tmp_path / "model")
    server.run(hub.ingest, "car1", {SPEED: 60.0, SOC: 70.0}, None, "test:car")
    with v1_car(server.grpc_port, [LIMIT]) as targets, running_app(server, velocitas_bin, model) as (app, lines):
        query = lines.next("query")["query"]
        assert query == f"SELECT {SPEED}, {SOC} WHERE Vehicle.Speed > 50"
        assert lines.next("driving") == {"event": "driving", "speed": 60.0, "soc": 70.0}
        server.run(hub.ingest, "car1", {SOC: 65.0}, None, "test:car")
        assert lines.next("driving")["soc"] == 65.0
        server.run(hub.ingest, "car1", {SPEED: 30.0}, None, "test:car")  # the condition turns false
        server.run(hub.ingest, "car1", {SOC: 60.0}, None, "test:car")
        lines.nothing("driving", within=0.5)
        server.run(hub.ingest, "car1", {SPEED: 55.0}, None, "test:car")
        assert lines.next("driving") == {"event": "driving", "speed": 55.0, "soc": 60.0}

        ask(app, f"get {SPEED}")
        assert lines.next("get")["value"] == 55.0

        lines.next("limit")  # the first reply: no value yet
        ask(app, f"set {LIMIT} 80")
        assert lines.next("set") == {"event": "set", "path": LIMIT, "ok": True}
        assert lines.next("limit", value=80)  # the provider reached the target: the app's subscription sees it
        assert targets == [80]
        assert [c.state.value for c in server.run(hub.recent_commands)] == ["confirmed"]

        ask(app, f"set {SPEED} 3.5")  # a sensor: the databroker refuses, the SDK raises
        assert "TypeError" in str(lines.next("set")["error"])
