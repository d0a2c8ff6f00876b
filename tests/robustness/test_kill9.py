"""Acknowledged means stored: `kill -9` of `homebound serve` at any moment loses no acknowledged datapoint and no
acknowledged command (storage.durability: durable, the default).

Before the fixes, the recorder wrote every 0.25 s after the acknowledgement, so a `kill -9` lost the last 0.1 to
0.5 s of acknowledged datapoints, and a command acknowledged with 202 just before it was gone after a restart.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx

from homebound.storage.database import Database
from homebound.storage.state_store import StateStore
from tests.robustness.conftest import hub_config
from tests.support.serve_process import served

DISTANCE = "Vehicle.TraveledDistance"
TRACK = "Vehicle.Cabin.Infotainment.Media.Played.Track"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
WRITERS = 4
EPOCH = 1_700_000_000.0  # batch n is written at EPOCH + n seconds: unique, and a time a car could report


def stored(database: Path) -> StateStore:
    """The database as a restarted hub would find it."""
    return StateStore(Database(f"sqlite:///{database}"))


def test_kill_9_while_writing_loses_no_acknowledged_datapoint(tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    kill_after = random.Random(seed).uniform(0.5, 1.5)
    acknowledged: list[int] = []
    numbers = iter(range(1, 10_000_000))
    lock = threading.Lock()
    stop = threading.Event()

    def write(base_url: str) -> None:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            while not stop.is_set():
                with lock:
                    n = next(numbers)
                try:
                    response = client.post("/api/v1/vehicles/car1/signals", json={
                        "values": {DISTANCE: float(n), TRACK: f"batch {n}"}, "ts": EPOCH + n})
                except httpx.TransportError:
                    return  # the server is gone
                if response.status_code == 200:
                    with lock:
                        acknowledged.append(n)

    with served(tmp_path, hub_config(tmp_path), "--no-grpc") as hub:
        writers = [threading.Thread(target=write, args=(hub.base_url,)) for _ in range(WRITERS)]
        for writer in writers:
            writer.start()
        time.sleep(kill_after)
        hub.kill()
        stop.set()
        for writer in writers:
            writer.join(15)
    assert len(acknowledged) > 50, f"too few writes to mean anything ({len(acknowledged)}, seed {seed})"
    store = stored(tmp_path / "hub.db")
    distances = {(ts, value) for ts, value, _who in store.history("car1", DISTANCE, limit=10_000_000)}
    tracks = {(ts, value) for ts, value, _who in store.history("car1", TRACK, limit=10_000_000)}
    lost = [n for n in acknowledged
            if (EPOCH + n, float(n)) not in distances or (EPOCH + n, f"batch {n}") not in tracks]
    print(f"kill -9 after {kill_after:.2f} s (seed {seed}): {len(acknowledged)} batches acknowledged, "
          f"{len(distances)} stored, {len(lost)} acknowledged and lost")
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged batches lost, e.g. {lost[:5]} (seed {seed})"


def test_a_command_acknowledged_just_before_kill_9_is_stored(tmp_path: Path) -> None:
    config = hub_config(tmp_path, commands={"without_provider": "wait"})
    with served(tmp_path, config, "--no-grpc") as hub:
        response = httpx.post(f"{hub.base_url}/api/v1/vehicles/car1/commands",
                              json={"path": LIMIT, "target": 80, "id": "charge-to-80"}, timeout=10)
        hub.kill()
    assert response.status_code == 202, response.text
    command = stored(tmp_path / "hub.db").load_command("charge-to-80")
    assert command is not None, "the acknowledged command is not in the commands table"
    assert (command.thing, command.path, command.target, command.state.value) == ("car1", LIMIT, 80, "pending")


def test_with_the_deadband_on_the_last_acknowledged_value_survives_kill_9(tmp_path: Path) -> None:
    with served(tmp_path, hub_config(tmp_path, deadband=True), "--no-grpc") as hub:
        for metres in (1000, 1050):  # the second is within TraveledDistance's deadband of 100 m
            response = httpx.post(f"{hub.base_url}/api/v1/vehicles/car1/signals",
                                  json={"values": {DISTANCE: metres}}, timeout=10)
            assert response.status_code == 200
        hub.kill()
    snapshot = stored(tmp_path / "hub.db").load_snapshot("car1")
    assert snapshot.current[DISTANCE][0] == 1050  # what a restarted hub reads
