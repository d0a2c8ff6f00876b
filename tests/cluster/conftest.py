"""A real cluster for the tests: the machine's NATS with JetStream and PostgreSQL, workers as processes.

NATS is expected at nats://127.0.0.1:4222 (override with HOMEBOUND_TEST_NATS_URL). Each test gets a cluster name of
its own (so its stream and buckets meet no one else's) and a fresh database, and removes both at the end. When NATS
or PostgreSQL cannot be reached the tests are skipped with the reason, or fail under HOMEBOUND_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import orjson
import psycopg
import pytest

from homebound.cluster.connection import ClusterLink, delete_cluster, open_cluster
from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import ClusterLayout
from homebound.cluster.leases import Leases
from homebound.cluster.relay import ClusterRelay
from homebound.cluster.status import cluster_status
from homebound.hub.relay import RelayingHub
from homebound.model.catalog import Catalog
from tests.conftest import _postgres_database, service_missing

NATS_URL = os.environ.get("HOMEBOUND_TEST_NATS_URL", "nats://127.0.0.1:4222")
LEASE_TTL_S = 2.0


async def _jetstream_ready(url: str) -> str | None:
    try:
        nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0)
    except Exception as error:
        return f"NATS is not reachable at {url} ({error or type(error).__name__})"
    try:
        await nc.jetstream().account_info()
    except Exception:
        return f"NATS at {url} has no JetStream"
    finally:
        await nc.close()
    return None


@pytest.fixture
async def nats_url() -> str:
    problem = await _jetstream_ready(NATS_URL)
    if problem:
        service_missing(f"{problem}: start nats-server -js, or set HOMEBOUND_TEST_NATS_URL")
    return NATS_URL


@pytest.fixture
async def cluster_name(nats_url: str) -> AsyncIterator[str]:
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    await delete_cluster(nats_url, ClusterLayout(name))


@pytest.fixture
def database() -> Iterator[str]:
    yield from _postgres_database()


@pytest.fixture
async def link(nats_url: str, cluster_name: str) -> AsyncIterator[ClusterLink]:
    """The cluster, created with 8 partitions and short leases (so failover is quick in tests)."""
    opened = await open_cluster(nats_url, ClusterLayout(cluster_name), client_name="homebound-test", partitions=8,
                                lease_ttl_s=LEASE_TTL_S)
    yield opened
    await opened.close()


@dataclass
class Workers:
    """Worker processes (`homebound worker`), each logging to a file in the test's folder."""

    nats_url: str
    cluster: str
    database: str
    cars: int
    folder: Path
    config: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-c", "from homebound.app.cli import main; main()", "worker",
                   "--cluster", self.nats_url, "--cluster-name", self.cluster, "--storage", self.database,
                   "--fleet", str(self.cars), "--worker-id", name]
        if self.config is not None:
            command += ["--config", str(self.config)]
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL: no handover, no last commit, leases left to expire."""
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def stop(self, name: str) -> int:
        """SIGTERM: the worker hands its partitions over and exits."""
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        return process.wait(60)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers_for(nats_url: str, cluster_name: str, database: str, tmp_path: Path) -> Iterator[type[Workers]]:
    started: list[Workers] = []

    class Bound(Workers):
        def __init__(self, cars: int, config: Path | None = None) -> None:
            super().__init__(nats_url, cluster_name, database, cars, tmp_path, config)
            started.append(self)

    yield Bound
    for workers in started:
        workers.close()


async def holders(link: ClusterLink) -> dict[int, str]:
    return await Leases(link.leases, "test", link.facts.lease_ttl_s).holders()


async def wait_until_held(link: ClusterLink, workers: set[str], timeout: float = 60.0) -> dict[int, str]:
    """Until every partition is held, by the given workers only, each holding some."""
    deadline = time.monotonic() + timeout
    held: dict[int, str] = {}
    while time.monotonic() < deadline:
        held = await holders(link)
        live = set(await bucket_entries(link.workers))
        if len(held) == link.facts.partitions and set(held.values()) == workers and workers <= live:
            return held
        await asyncio.sleep(0.2)
    raise AssertionError(f"partitions not held by {sorted(workers)} within {timeout} s: {held}")


@contextlib.asynccontextmanager
async def door(link: ClusterLink, catalog: Catalog, cars: list[str]) -> AsyncIterator[RelayingHub]:
    """A door in the test process: a hub relaying every car to the cluster, as `serve --cluster` runs it."""
    hub = RelayingHub(default_command_timeout=10)
    for car in cars:
        hub.add_vehicle(car, catalog)
    relay = ClusterRelay(link, hub, f"test-door-{uuid.uuid4().hex[:6]}")
    hub.attach(relay)
    for car in cars:
        hub.relay_thing(car)
    await relay.start()
    try:
        yield hub
    finally:
        await relay.stop()
        hub.close()


COUNTER = "Vehicle.TraveledDistance"


async def drained(link: ClusterLink, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = await cluster_status(link)
        if status["lag_total"] == 0 and status["unheld_partitions"] == 0 and status["log_messages"] == 0:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"the cluster did not apply its whole log within {timeout} s")


def stored_counters(database: str) -> dict[str, list[int]]:
    with psycopg.connect(database) as connection:
        rows = connection.execute("SELECT thing, value_json FROM history WHERE path = %s ORDER BY id", (COUNTER,))
        out: dict[str, list[int]] = {}
        for thing, value in rows:
            out.setdefault(thing, []).append(int(orjson.loads(value)))
        return out


def stored_count(database: str, path: str) -> dict[str, int]:
    with psycopg.connect(database) as connection:
        rows = connection.execute("SELECT thing, count(*) FROM history WHERE path = %s AND field = 'value' "
                                  "GROUP BY thing", (path,))
        return {thing: int(count) for thing, count in rows}


def latest(database: str, path: str) -> dict[str, object]:
    with psycopg.connect(database) as connection:
        rows = connection.execute("SELECT thing, value_json FROM latest_values WHERE path = %s AND field = 'value'",
                                  (path,))
        return {thing: orjson.loads(value) for thing, value in rows}
