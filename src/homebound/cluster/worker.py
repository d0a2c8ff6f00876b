"""A worker of a cluster: it holds a fair share of the partitions, keeps their cars, and hands them over cleanly.

Every `lease_ttl / 3` seconds a worker renews its leases and its heartbeat (in the workers bucket, with its
figures), and every round it balances: with `n` live workers each should hold `ceil(partitions / n)`. A worker
holding more hands the extra partitions over (commit, release the lease); one holding fewer takes free ones.
When a worker dies its leases expire after the TTL and the others take its partitions in the next round: that is
the failover time, about the lease TTL plus one round plus restoring the cars from PostgreSQL.

The worker's hub has every car: the ones of held partitions are kept, the others relayed (so an automation on
this worker can command any car). Its listeners route each accepted change and command update to the runner of
the car's partition, which commits them (cluster/partition.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable

import orjson

from homebound.cluster.connection import ClusterLink
from homebound.cluster.figures import WorkerFigures
from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import partition_of, thing_token
from homebound.cluster.leases import Leases
from homebound.cluster.partition import PartitionRunner, PartitionServices
from homebound.cluster.providers import ProviderDirectory
from homebound.cluster.relay import ClusterRelay
from homebound.hub.commands import Command
from homebound.hub.events import ChangeBatch
from homebound.hub.reading import ThingKind
from homebound.hub.relay import RelayingHub
from homebound.storage.partition_store import PartitionStore

log = logging.getLogger(__name__)

COMMITS_AT_ONCE = 2
OwnershipListener = Callable[[set[str], set[int]], None]


class Worker:
    """Holds partitions of a cluster and keeps their cars (see the module doc)."""

    def __init__(self, link: ClusterLink, hub: RelayingHub, store: PartitionStore, worker_id: str) -> None:
        self.link = link
        self.hub = hub
        self.store = store
        self.worker_id = worker_id
        self.partitions = link.facts.partitions
        self.figures = WorkerFigures()
        self.relay = ClusterRelay(link, hub, worker_id)
        self.providers = ProviderDirectory(link, hub)
        self.services = PartitionServices(link, hub, store, self.providers, self.figures, worker_id,
                                          asyncio.Semaphore(COMMITS_AT_ONCE))
        self.leases = Leases(link.leases, worker_id, link.facts.lease_ttl_s)
        self.runners: dict[int, PartitionRunner] = {}
        self.on_ownership: list[OwnershipListener] = []
        self.started_at = 0.0
        self._things_by_partition: dict[int, list[str]] = {}
        self._partition_of: dict[str, int] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._balance_lock = asyncio.Lock()
        self._stopping = False
        self._rate_mark = (time.monotonic(), 0)
        self.rate = 0.0
        self.loop_lag = 0.0

    # ---- start and stop -----------------------------------------------------------------------------------

    async def start(self) -> None:
        for thing in self.hub.thing_ids(ThingKind.VEHICLE):
            partition = partition_of(thing, self.partitions)
            self._partition_of[thing] = partition
            self._things_by_partition.setdefault(partition, []).append(thing)
        self.hub.attach(self.relay)
        for thing in self._partition_of:
            self.hub.relay_thing(thing)
        self.hub.add_listener(self._route_batch)
        self.hub.add_command_listener(self._route_command)
        await self.relay.start()
        await self.providers.start()
        self.started_at = time.time()
        await self._heartbeat()
        interval = self.link.facts.lease_ttl_s / 3
        self._tasks = [asyncio.create_task(self._every(interval, self._renew), name="worker-renew"),
                       asyncio.create_task(self._every(interval, self._balance), name="worker-balance"),
                       asyncio.create_task(self._watch_loop_lag(), name="worker-loop-lag")]
        await self._balance()
        log.info("worker %s started: %d cars in %d partitions", self.worker_id, len(self._partition_of),
                 self.partitions)

    async def stop(self) -> None:
        """Hand every partition over (commit, release), then leave the workers bucket."""
        self._stopping = True
        renewing = self._tasks[0] if self._tasks else None
        for task in self._tasks[1:]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._balance_lock:
            # All at once, while the leases are still renewed: a handover commits what is in hand first.
            await asyncio.gather(*(self._hand_over(partition) for partition in sorted(self.runners)))
        if renewing is not None:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        with contextlib.suppress(Exception):
            await self.link.workers.delete(thing_token(self.worker_id))
        await self.providers.stop()
        await self.relay.stop()
        self.hub.remove_listener(self._route_batch)
        self.hub.remove_command_listener(self._route_command)

    async def _every(self, seconds: float, step: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.error("worker %s: %s", self.worker_id, str(error)[:300] or type(error).__name__)

    async def _watch_loop_lag(self) -> None:
        """How late the event loop runs what is due (the largest delay since the last heartbeat)."""
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.1
            await asyncio.sleep(0.1)
            self.loop_lag = max(self.loop_lag, loop.time() - due)

    # ---- leases and balance -------------------------------------------------------------------------------

    async def _renew(self) -> None:
        lost = [partition for partition in list(self.leases.held) if not await self.leases.renew(partition)]
        await self._heartbeat()
        stopped = [p for p, runner in self.runners.items() if runner.fenced or p in lost]
        if not stopped:
            return
        # Under the balance lock: a partition is taken again only once its old runner has fully stopped.
        async with self._balance_lock:
            for partition in stopped:
                runner = self.runners.get(partition)
                if runner is None:
                    continue
                if partition in lost:
                    log.warning("partition %d: lease lost; stopping without writing", partition)
                runner.abandon()
                await runner.stop()
                self.runners.pop(partition, None)
                await self.leases.release(partition)
                self._ownership_changed()

    async def _balance(self) -> None:
        if self._stopping:
            return
        async with self._balance_lock:
            live = await self._live_workers()
            fair = math.ceil(self.partitions / max(1, len(live)))
            if len(self.runners) > fair:
                for partition in sorted(self.runners)[fair:]:
                    await self._hand_over(partition)
                return
            if len(self.runners) == fair:
                return
            held = await self.leases.holders()
            free = [p for p in range(self.partitions) if p not in held]
            random.shuffle(free)
            for partition in free:
                if len(self.runners) >= fair or self._stopping:
                    break
                await self._take(partition)

    async def _take(self, partition: int) -> None:
        if partition in self.runners:
            return  # its old runner is still stopping
        lease = await self.leases.acquire(partition)
        if lease is None:
            return
        runner = PartitionRunner(self.services, partition, lease.epoch, self._things_by_partition.get(partition, []))
        self.runners[partition] = runner
        try:
            started = await runner.start()
        except Exception as error:
            log.error("partition %d not taken: %s", partition, str(error)[:300])
            started = False
            with contextlib.suppress(Exception):
                await runner.stop()
        if not started:
            self.runners.pop(partition, None)
            await self.leases.release(partition)
            return
        self._ownership_changed()

    async def _hand_over(self, partition: int) -> None:
        runner = self.runners.get(partition)
        if runner is not None:
            # Still routed to while it stops: the batch in hand is applied and committed by `stop`.
            await runner.stop()
            self.runners.pop(partition, None)
            self._ownership_changed()
        await self.leases.release(partition)

    async def _live_workers(self) -> list[str]:
        entries = await bucket_entries(self.link.workers)
        live = set(entries)
        live.add(thing_token(self.worker_id))
        return sorted(live)

    def _ownership_changed(self) -> None:
        kept = set(self.hub.kept_things()) & set(self._partition_of)
        held = set(self.runners)
        for listener in self.on_ownership:
            listener(kept, held)

    # ---- the hub's listeners ------------------------------------------------------------------------------

    def _route_batch(self, batch: ChangeBatch) -> None:
        runner = self.runners.get(self._partition_of.get(batch.thing, -1))
        if runner is not None and runner.active:
            runner.record(batch)
        else:
            log.error("a change of %s came with no partition runner to commit it", batch.thing)

    def _route_command(self, command: Command) -> None:
        runner = self.runners.get(self._partition_of.get(command.thing, -1))
        if runner is not None and runner.active:
            runner.record_command(command)
        else:
            log.error("command %s of %s came with no partition runner to commit it", command.id, command.thing)

    # ---- figures ------------------------------------------------------------------------------------------

    async def _heartbeat(self) -> None:
        now = time.monotonic()
        then, values_then = self._rate_mark
        if now > then:
            self.rate = (self.figures.values_applied - values_then) / (now - then)
        self._rate_mark = (now, self.figures.values_applied)
        await self.link.workers.put(thing_token(self.worker_id), orjson.dumps(self.status()))
        self.loop_lag = 0.0

    def status(self) -> dict[str, object]:
        figures = self.figures
        p50, p99 = figures.latency.quantile(0.5), figures.latency.quantile(0.99)
        return {
            "worker": self.worker_id, "host": socket.gethostname(), "pid": os.getpid(),
            "started_at": self.started_at, "at": time.time(),
            "partitions": [runner.status() for runner in sorted(self.runners.values(), key=lambda r: r.partition)],
            "values_per_s": round(self.rate, 1), "batches_applied": figures.batches_applied,
            "values_applied": figures.values_applied, "values_rejected": figures.values_rejected,
            "duplicates_skipped": figures.duplicates_skipped, "bad_messages": figures.bad_messages,
            "commits": figures.commits, "commit_failures": figures.commit_failures,
            "rows_written": figures.rows_written, "commands": figures.commands,
            "loop_lag_ms": round(self.loop_lag * 1000, 1),
            "latency_ms": {"p50": None if p50 is None else round(p50 * 1000, 2),
                           "p99": None if p99 is None else round(p99 * 1000, 2)},
            "latency_histogram": figures.latency.to_json(),
        }
