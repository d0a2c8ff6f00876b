"""`homebound fleet bench`: load a real cluster the way a fleet does, and check that nothing was lost or reordered.

It creates a cluster of its own (a fresh NATS stream and buckets, a fresh PostgreSQL database), starts W workers as
processes (`homebound worker`), and drives N cars from a door in this process: every car sends a batch of S
signals at a fixed rate, one batch after the other (a car's gateway waits for each acknowledgement). One signal of
the batch, `Vehicle.TraveledDistance`, carries the batch's number, so that afterwards every car's history can be
checked: each acknowledged batch stored exactly once, in order. With `--kill-worker`, the first worker is killed
with SIGKILL halfway through, and the failover time is measured: from the kill until every partition it held is
held by a live worker again and has stored a new batch.

The result is one JSON object (see `BenchResult`). Everything the bench created is removed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson
import psycopg

from homebound.cluster.connection import ClusterLink, delete_cluster, open_cluster
from homebound.cluster.figures import LatencyHistogram
from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import ClusterLayout
from homebound.cluster.leases import Leases
from homebound.cluster.relay import ClusterRelay
from homebound.cluster.status import cluster_status
from homebound.hub.relay import RelayingHub
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError
from homebound.model.signal import SignalKind, SignalMetadata, Value
from homebound.model.vss_loader import builtin_catalog
from homebound.storage.database import Database

COUNTER = "Vehicle.TraveledDistance"
MAX_IN_FLIGHT = 4000


@dataclass
class BenchSettings:
    vehicles: int
    workers: int
    duration_s: float
    kill_worker: bool = False
    signals: int = 20
    rate_hz: float = 1.0
    nats_url: str = "nats://127.0.0.1:4222"
    postgres_url: str = "postgresql://root@127.0.0.1:5432/test"
    partitions: int = 16
    lease_ttl_s: float = 3.0
    keep: bool = False


@dataclass
class BenchResult:
    vehicles: int
    workers: int
    signals: int
    rate_hz: float
    duration_s: float
    partitions: int
    offered_dps: float
    accepted_dps: float
    stored_dps: float
    offered_batches: int
    not_sent_batches: int
    accepted_batches: int
    refused_batches: int
    rows_expected: int
    rows_stored: int
    lost: int
    duplicates: int
    out_of_order: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    publish_p50_ms: float | None
    publish_p99_ms: float | None
    drain_s: float
    left_in_log: int
    failover_s: float | None
    killed_worker: str | None
    note: str


def bench_signals(catalog: Catalog, count: int) -> dict[str, Value]:
    """`count` sensor values a car sends together: the counter first, then other numeric sensors."""
    chosen: dict[str, Value] = {COUNTER: 0}
    for meta in catalog.signals.values():
        if len(chosen) >= count:
            break
        if meta.kind is SignalKind.SENSOR and meta.path != COUNTER and not meta.datatype.is_array:
            value = _value(meta)
            if value is not None:
                chosen[meta.path] = value
    if len(chosen) < count:
        raise HomeboundError(f"the catalog has only {len(chosen)} usable sensors; ask for fewer signals")
    return chosen


def _value(meta: SignalMetadata) -> Value | None:
    if meta.allowed:
        return meta.allowed[0]
    name = meta.datatype.value
    if name == "boolean":
        return True
    if name == "string":
        return "bench"
    if meta.datatype.is_integer or name in ("float", "double"):
        low = meta.min if meta.min is not None else 0
        high = meta.max if meta.max is not None else 100
        middle = (low + high) / 2
        return int(middle) if meta.datatype.is_integer else float(middle)
    return None


class _Load:
    """N cars, each sending one batch every 1/rate seconds, a batch only after the previous one was acknowledged."""

    def __init__(self, hub: RelayingHub, cars: list[str], batch: dict[str, Value], rate_hz: float) -> None:
        self.hub = hub
        self.cars = cars
        self.batch = batch
        self.rate_hz = rate_hz
        self.accepted: dict[str, list[int]] = {car: [] for car in cars}
        self.refused = 0
        self.offered = 0
        self.not_sent = 0
        """Batches due while MAX_IN_FLIGHT were already waiting for the door: the load could not even be offered."""
        self.publish = LatencyHistogram()
        self._locks = {car: asyncio.Lock() for car in cars}
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._tasks: set[asyncio.Task[None]] = set()
        self.errors: dict[str, int] = {}

    async def run(self, duration: float) -> float:
        """Send for `duration` seconds; returns how long sending took (until the last acknowledgement)."""
        started = time.monotonic()
        slot = 0
        total = len(self.cars)
        while (now := time.monotonic()) - started < duration:
            due = int((now - started) * total * self.rate_hz)
            while slot < due:
                car, number = self.cars[slot % total], slot // total + 1
                slot += 1
                if self._in_flight.locked():
                    self.not_sent += 1  # the door is this far behind: offering more would only queue here
                    continue
                await self._in_flight.acquire()
                task = asyncio.get_running_loop().create_task(self._send(car, number))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(0.005)
        self.offered = slot
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        return time.monotonic() - started

    async def _send(self, car: str, number: int) -> None:
        try:
            async with self._locks[car]:
                values = dict(self.batch)
                values[COUNTER] = number
                began = time.monotonic()
                try:
                    result = await self.hub.write(car, values, time.time(), "bench:load")
                except HomeboundError as error:
                    self.refused += 1
                    key = str(error)[:80]
                    self.errors[key] = self.errors.get(key, 0) + 1
                    return
                self.publish.add(time.monotonic() - began)
                if result.errors:
                    self.refused += 1
                    return
                self.accepted[car].append(number)
        finally:
            self._in_flight.release()


class FleetBench:
    """One run of the bench (see the module doc)."""

    def __init__(self, settings: BenchSettings) -> None:
        self.settings = settings
        tag = uuid.uuid4().hex[:8]
        self.layout = ClusterLayout(f"bench{tag}")
        self.database_name = f"homebound_bench_{tag}"
        self.database_url = f"{settings.postgres_url.rsplit('/', 1)[0]}/{self.database_name}"
        self.logs = Path(tempfile.mkdtemp(prefix="homebound-bench-"))
        self.workers: list[tuple[str, subprocess.Popen[bytes]]] = []

    async def run(self) -> BenchResult:
        settings = self.settings
        self._create_database()
        link: ClusterLink | None = None
        try:
            await asyncio.to_thread(Database(self.database_url).migrate)
            link = await open_cluster(settings.nats_url, self.layout, client_name="homebound-bench",
                                      partitions=settings.partitions, lease_ttl_s=settings.lease_ttl_s)
            self._start_workers()
            await self._wait_all_held(link, 60.0)
            return await self._load(link)
        finally:
            self._stop_workers()
            if link is not None:
                with contextlib.suppress(Exception):
                    await link.close()
            if not settings.keep:
                try:
                    await delete_cluster(settings.nats_url, self.layout)
                finally:
                    self._drop_database()
                    shutil.rmtree(self.logs, ignore_errors=True)

    # ---- the load -----------------------------------------------------------------------------------------

    async def _load(self, link: ClusterLink) -> BenchResult:
        settings = self.settings
        catalog = builtin_catalog()
        cars = [f"car{n}" for n in range(1, settings.vehicles + 1)]
        hub = RelayingHub()
        for car in cars:
            hub.add_vehicle(car, catalog)
        relay = ClusterRelay(link, hub, f"bench-door-{os.getpid()}")
        hub.attach(relay)
        for car in cars:
            hub.relay_thing(car)
        await relay.start()
        load = _Load(hub, cars, bench_signals(catalog, settings.signals), settings.rate_hz)
        killer = asyncio.create_task(self._kill_halfway(link)) if settings.kill_worker else None
        started = time.monotonic()
        sending_s = await load.run(settings.duration_s)
        failover_s = await killer if killer is not None else None
        drained_s = await self._drain(link, 300.0)
        stored_after_s = time.monotonic() - started
        left_in_log = (await link.js.stream_info(link.layout.stream)).state.messages
        latency = await self._latency(link)
        await relay.stop()
        hub.close()
        lost, duplicates, out_of_order, rows = await asyncio.to_thread(self._verify, load.accepted)
        accepted_batches = sum(len(numbers) for numbers in load.accepted.values())
        p50, p99 = latency.quantile(0.5), latency.quantile(0.99)
        q50, q99 = load.publish.quantile(0.5), load.publish.quantile(0.99)
        note = f"logs in {self.logs}" if settings.keep else ""
        if load.errors:
            note += "; refusals: " + "; ".join(f"{n} x {text}" for text, n in load.errors.items())
        if settings.kill_worker:
            note += "; latency from surviving workers only"
        return BenchResult(
            vehicles=settings.vehicles, workers=settings.workers, signals=settings.signals, rate_hz=settings.rate_hz,
            duration_s=round(sending_s, 2), partitions=settings.partitions,
            offered_dps=round(settings.vehicles * settings.rate_hz * settings.signals, 1),
            accepted_dps=round(accepted_batches * settings.signals / sending_s, 1),
            stored_dps=round(rows / stored_after_s, 1), offered_batches=load.offered,
            not_sent_batches=load.not_sent, accepted_batches=accepted_batches,
            refused_batches=load.refused, rows_expected=accepted_batches * settings.signals, rows_stored=rows,
            lost=lost, duplicates=duplicates, out_of_order=out_of_order,
            latency_p50_ms=_ms(p50), latency_p99_ms=_ms(p99), publish_p50_ms=_ms(q50), publish_p99_ms=_ms(q99),
            drain_s=round(drained_s, 2), left_in_log=left_in_log,
            failover_s=None if failover_s is None else round(failover_s, 2),
            killed_worker=self.workers[0][0] if settings.kill_worker else None, note=note.strip("; "))

    async def _kill_halfway(self, link: ClusterLink) -> float | None:
        await asyncio.sleep(self.settings.duration_s / 2)
        victim, process = self.workers[0]
        holders = await Leases(link.leases, "bench", link.facts.lease_ttl_s).holders()
        lost = sorted(p for p, worker in holders.items() if worker == victim)
        before = await asyncio.to_thread(self._applied, lost)
        process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        while time.monotonic() - killed < 120:
            await asyncio.sleep(0.1)
            holders = await Leases(link.leases, "bench", link.facts.lease_ttl_s).holders()
            if any(holders.get(p) in (None, victim) for p in lost):
                continue
            now = await asyncio.to_thread(self._applied, lost)
            if all(now.get(p, 0) > before.get(p, 0) for p in lost):
                return time.monotonic() - killed
        return None

    async def _drain(self, link: ClusterLink, limit: float) -> float:
        """Wait until every partition's log is applied; returns how long that took."""
        began = time.monotonic()
        while time.monotonic() - began < limit:
            status = await cluster_status(link)
            if status["lag_total"] == 0 and status["unheld_partitions"] == 0:
                await asyncio.sleep(1.0)
                return time.monotonic() - began
            await asyncio.sleep(0.5)
        raise HomeboundError(f"the cluster did not catch up within {limit:.0f} s")

    async def _latency(self, link: ClusterLink) -> LatencyHistogram:
        """The live workers' door-to-stored histograms, merged (after their next heartbeat)."""
        live = self.settings.workers - (1 if self.settings.kill_worker else 0)
        merged = LatencyHistogram()
        for _attempt in range(20):
            await asyncio.sleep(link.facts.lease_ttl_s / 2)
            merged, seen = LatencyHistogram(), 0
            for value in (await bucket_entries(link.workers)).values():
                body = orjson.loads(value)
                if isinstance(body, dict) and body.get("latency_histogram"):
                    merged.merge(LatencyHistogram.from_json(body["latency_histogram"]))
                    seen += 1
            if seen >= live:
                break
        return merged

    async def _wait_all_held(self, link: ClusterLink, limit: float) -> None:
        began = time.monotonic()
        while time.monotonic() - began < limit:
            workers = await bucket_entries(link.workers)
            holders = await Leases(link.leases, "bench", link.facts.lease_ttl_s).holders()
            if len(workers) >= self.settings.workers and len(holders) == link.facts.partitions:
                # Balanced: every worker holds its share, so the load does not start in a rebalance.
                counts = [sum(1 for w in holders.values() if w == name) for name, _ in self.workers]
                if max(counts) - min(counts) <= 1:
                    return
            for name, process in self.workers:
                if process.poll() is not None:
                    raise HomeboundError(f"worker {name} exited with {process.returncode}; see {self.logs}")
            await asyncio.sleep(0.3)
        raise HomeboundError(f"the workers did not take every partition within {limit:.0f} s; see {self.logs}")

    # ---- processes and databases --------------------------------------------------------------------------

    def _start_workers(self) -> None:
        settings = self.settings
        for number in range(settings.workers):
            name = f"bench-worker-{number + 1}"
            log = (self.logs / f"{name}.log").open("wb")
            process = subprocess.Popen(
                [sys.executable, "-c", "from homebound.app.cli import main; main()", "worker",
                 "--cluster", settings.nats_url, "--cluster-name", self.layout.name, "--storage", self.database_url,
                 "--fleet", str(settings.vehicles), "--worker-id", name],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            self.workers.append((name, process))

    def _stop_workers(self) -> None:
        for _name, process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in self.workers:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _create_database(self) -> None:
        try:
            with psycopg.connect(self.settings.postgres_url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'CREATE DATABASE "{self.database_name}"')
        except psycopg.Error as error:
            raise HomeboundError(f"cannot create the bench's database on {self.settings.postgres_url}: "
                                 f"{str(error).strip()}") from None

    def _drop_database(self) -> None:
        with contextlib.suppress(psycopg.Error), psycopg.connect(self.settings.postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')

    def _applied(self, partitions: list[int]) -> dict[int, int]:
        with psycopg.connect(self.database_url) as connection:
            rows = connection.execute("SELECT partition, applied_seq FROM cluster_partitions WHERE cluster = "
                                      "(SELECT cluster FROM cluster_partitions LIMIT 1)").fetchall()
        return {int(p): int(seq) for p, seq in rows if int(p) in partitions}

    def _verify(self, accepted: dict[str, list[int]]) -> tuple[int, int, int, int]:
        """Lost, duplicated and out-of-order batches over every car, and the history rows stored."""
        stored: dict[str, list[int]] = {car: [] for car in accepted}
        with psycopg.connect(self.database_url) as connection:
            rows = connection.execute(
                "SELECT thing, value_json FROM history WHERE path = %s AND field = 'value' ORDER BY id",
                (COUNTER,))
            for thing, value in rows:
                stored.setdefault(thing, []).append(int(orjson.loads(value)))
            total = connection.execute("SELECT count(*) FROM history WHERE field = 'value'").fetchone()
        lost = duplicates = out_of_order = 0
        for car, numbers in accepted.items():
            seen = stored.get(car, [])
            unique = set(seen)
            lost += len(set(numbers) - unique)
            duplicates += len(seen) - len(unique)
            out_of_order += sum(1 for before, after in itertools.pairwise(seen) if after <= before)
        return lost, duplicates, out_of_order, int(total[0]) if total else 0


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def run_bench(settings: BenchSettings) -> dict[str, object]:
    result = asyncio.run(FleetBench(settings).run())
    return asdict(result)

