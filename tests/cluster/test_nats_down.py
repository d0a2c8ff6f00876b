"""NATS goes down in the middle of a load and comes back: writes are refused while it is down (the writer keeps
them), everything acknowledged before is applied once it is back, and the worker goes on by itself.

This test runs a nats-server of its own (JetStream in a temporary folder, on a free port), so that it can stop it.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from homebound.cluster.connection import ClusterLink, open_cluster
from homebound.cluster.layout import ClusterLayout
from homebound.model.catalog import Catalog
from homebound.model.errors import ErrorCode, HomeboundError
from tests.cluster.conftest import COUNTER, LEASE_TTL_S, Workers, door, drained, stored_counters, wait_until_held
from tests.conftest import service_missing
from tests.support.live import free_port

CARS = [f"car{n}" for n in range(1, 5)]


class OwnNats:
    """A nats-server with JetStream that the test may stop and start again (same port, same store)."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not Path(self.binary).exists():
            service_missing("nats-server is not installed (apt-get install nats-server)")
        self.port = free_port()
        self.store = folder / "jetstream"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd",
                                         str(self.store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[OwnNats]:
    server = OwnNats(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_writes_are_refused_while_nats_is_down_and_nothing_acknowledged_is_lost(
        own_nats: OwnNats, database: str, catalog: Catalog, tmp_path: Path) -> None:
    layout = ClusterLayout("down")
    link: ClusterLink = await open_cluster(own_nats.url, layout, client_name="test", partitions=4,
                                           lease_ttl_s=LEASE_TTL_S)
    workers = Workers(own_nats.url, layout.name, database, len(CARS), tmp_path)
    try:
        workers.start("w1")
        await wait_until_held(link, {"w1"})
        accepted: dict[str, list[int]] = {car: [] for car in CARS}
        refused: list[HomeboundError] = []
        async with door(link, catalog, CARS) as hub:
            numbers = dict.fromkeys(CARS, 0)

            async def send_round() -> None:
                for car in CARS:
                    numbers[car] += 1
                    try:
                        await hub.write(car, {COUNTER: numbers[car]}, time.time(), "test")
                        accepted[car].append(numbers[car])
                    except HomeboundError as error:
                        refused.append(error)

            for _round in range(10):
                await send_round()
            own_nats.stop()
            await send_round()
            own_nats.start()
            for _round in range(10):
                await send_round()
                await asyncio.sleep(0.3)  # the first rounds may still find the door reconnecting: refused
            await wait_until_held(link, {"w1"}, timeout=60)
            await drained(link)
        assert refused and all(error.code is ErrorCode.UNAVAILABLE for error in refused)
        assert stored_counters(database) == accepted
        assert all(len(numbers) >= 12 for numbers in accepted.values()), accepted
        assert workers.processes["w1"].poll() is None, "the worker rode it out"
    finally:
        workers.close()
        await link.close()
