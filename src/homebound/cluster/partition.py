"""One partition held by a worker: its cars kept in the worker's hub, its input log applied in order, and every
batch's effects durable in PostgreSQL before the log is acknowledged.

Taking the partition over: claim it in PostgreSQL with the lease's epoch (which fences the previous holder out),
restore its cars' latest state and pending commands, then recreate its durable pull consumer, so that every
message not yet acknowledged is delivered again at once, in order. Messages at or below the partition's applied
sequence were applied by the previous holder and are skipped: nothing is applied twice.

The loop: fetch a batch of messages, `Hub.ingest` each with its original time and principal (the hub's listeners
hand the accepted changes and command updates to this runner), commit them with the new applied sequence in one
transaction, then acknowledge the messages and publish the changes on the cars' change subjects. If the commit
fails (PostgreSQL is down) the rows are kept and retried and nothing is acknowledged; if it is fenced, the
partition was taken by a newer holder and this runner stops without writing.

Commands for the partition's cars arrive on its `ask` subject; the reply is sent once the command is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import nats
import orjson
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from homebound.cluster.connection import ClusterLink
from homebound.cluster.figures import WorkerFigures
from homebound.cluster.layout import partition_of
from homebound.cluster.providers import ProviderDirectory
from homebound.cluster.wire import (
    ChangeEvent,
    WireError,
    decode_batch,
    decode_object,
    encode_event,
    reply_error,
    reply_error_text,
)
from homebound.hub.commands import Command
from homebound.hub.errors import CommandConflict, UnknownCommand
from homebound.hub.events import ChangeBatch, Field
from homebound.hub.relay import RelayedElsewhere, RelayingHub
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.model.signal import SignalKind
from homebound.storage.partition_store import Fenced, PartitionStore
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)

FETCH_BATCH = 1000
IDLE_WAIT_S = 0.5
GROUP_WINDOW_S = 0.05
"""Once a message is in hand, others arriving within this window join its commit (group commit)."""
MAX_UNACKED = 50_000
APPLY_SLICE = 200
SNAPSHOT_WAIT_S = 1.5
"""How long a snapshot waits for the asking door's last write to be applied (less than a door's request attempt)."""
ACK_WAIT_S = 60.0


@dataclass(frozen=True, slots=True)
class PartitionServices:
    """What every partition runner of a worker shares."""

    link: ClusterLink
    hub: RelayingHub
    store: PartitionStore
    providers: ProviderDirectory
    figures: WorkerFigures
    worker_id: str
    commit_slots: asyncio.Semaphore
    """Commits running at once in threads: a few, so that the event loop (leases, requests) is not starved."""


class PartitionRunner:
    """Applies one partition's input log to the worker's hub (see the module doc)."""

    def __init__(self, services: PartitionServices, partition: int, epoch: int, things: list[str]) -> None:
        self.services = services
        self.partition = partition
        self.epoch = epoch
        self.things = things
        self._thing_set = frozenset(things)
        self.lock = asyncio.Lock()
        self._applied = asyncio.Condition()
        self.applied_seq = 0
        self.lag = 0
        self.active = False
        self.fenced = False
        self._ingested_seq = 0
        self._stopping = False
        self._batches: list[ChangeBatch] = []
        self._commands: dict[str, Command] = {}
        self._unacked: list[Msg] = []
        self._sent: list[float] = []
        self._numbers: dict[str, int] = {}
        self._pull: nats.js.JetStreamContext.PullSubscription | None = None
        self._ask: NatsSubscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._answers: set[asyncio.Task[None]] = set()
        self._last_error: str | None = None

    # ---- the hub's listeners route here (see Worker) ------------------------------------------------------

    def record(self, batch: ChangeBatch) -> None:
        self._batches.append(batch)

    def record_command(self, command: Command) -> None:
        self._commands[command.id] = command

    # ---- taking over and handing over ---------------------------------------------------------------------

    async def start(self) -> bool:
        """Claim, restore and start consuming; False if a newer holder has the partition (the lease is stale)."""
        services, hub = self.services, self.services.hub
        applied = await asyncio.to_thread(services.store.claim, self.partition, self.epoch, services.worker_id)
        if applied is None:
            return False
        self.applied_seq = self._ingested_seq = applied
        snapshots = await asyncio.to_thread(services.store.load_snapshots, self.things)
        pending = await asyncio.to_thread(services.store.load_pending_commands, self.things)
        for thing in self.things:
            hub.keep_thing(thing)
            snapshot = snapshots[thing]
            for warning in hub.restore(thing, snapshot.current, snapshot.targets):
                log.warning("partition %d: %s", self.partition, warning)
        self.active = True
        for command in pending:
            hub.restore_command(command)
        services.providers.keep(self.things)
        js, layout = services.link.js, services.link.layout
        name = layout.consumer(self.partition)
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(layout.stream, name)
        await js.add_consumer(layout.stream, ConsumerConfig(
            durable_name=name, filter_subject=layout.partition_filter(self.partition),
            ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL, ack_wait=ACK_WAIT_S,
            max_ack_pending=MAX_UNACKED, max_waiting=4))
        self._pull = await js.pull_subscribe_bind(name, stream=layout.stream)
        self._ask = await services.link.nc.subscribe(layout.ask_subject(self.partition), cb=self._on_ask)
        self._task = asyncio.create_task(self._run(), name=f"partition-{self.partition}")
        log.info("partition %d taken (epoch %d, %d cars, %d pending commands, applied up to %d)", self.partition,
                 self.epoch, len(self.things), len(pending), applied)
        return True

    async def stop(self) -> None:
        """Hand the partition over: finish the batch in hand, commit it, and relay its cars from now on."""
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.fenced:
            async with self.lock:
                for _attempt in range(3):
                    if await self._commit() or self.fenced:
                        break
                    await asyncio.sleep(0.5)
        for subscription in (self._ask, self._pull):
            if subscription is not None:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()
        for task in list(self._answers):
            task.cancel()
        self.active = False
        self.services.providers.release(self.things)
        for thing in self.things:
            self.services.hub.relay_thing(thing)
        log.info("partition %d handed over (applied up to %d)", self.partition, self.applied_seq)

    def abandon(self) -> None:
        """The lease is lost: stop at once without committing (a newer holder owns what is not committed)."""
        self.fenced = True
        self._stopping = True

    @property
    def stopped(self) -> bool:
        return self._task is not None and self._task.done()

    # ---- the loop -----------------------------------------------------------------------------------------

    async def _fetch(self, idle: bool) -> list[Msg]:
        """The next messages: when idle, wait for one, then take what arrives within the group window."""
        assert self._pull is not None
        messages: list[Msg] = []
        try:
            if idle:
                messages = await self._pull.fetch(1, timeout=IDLE_WAIT_S)
            messages += await self._pull.fetch(FETCH_BATCH - len(messages), timeout=GROUP_WINDOW_S)
        except (TimeoutError, nats.errors.TimeoutError):
            pass
        return messages

    async def _run(self) -> None:
        backoff = 0.25
        idle = True
        while not self._stopping:
            messages: list[Msg] = []
            if len(self._unacked) < MAX_UNACKED:
                try:
                    messages = await self._fetch(idle)
                except Exception as error:
                    self._note(f"fetch failed: {error or type(error).__name__}")
                    await asyncio.sleep(backoff)
                idle = not messages
            if self._stopping and self.fenced:
                return
            async with self.lock:
                if messages:
                    await self._apply(messages)
                if self._batches or self._commands or self._unacked:
                    if await self._commit():
                        backoff = 0.25
                    elif not self.fenced:
                        await asyncio.sleep(backoff)
                        backoff = min(backoff * 2, 5.0)

    async def _apply(self, messages: list[Msg]) -> None:
        hub, figures = self.services.hub, self.services.figures
        for number, msg in enumerate(messages):
            if number and number % APPLY_SLICE == 0:
                await asyncio.sleep(0)  # let leases and requests through between slices
            self._unacked.append(msg)
            try:
                metadata = msg.metadata
                seq = metadata.sequence.stream
            except Exception:
                figures.bad_messages += 1
                continue
            self.lag = metadata.num_pending
            if seq <= self._ingested_seq:
                figures.duplicates_skipped += 1
                continue
            self._ingested_seq = seq
            try:
                batch = decode_batch(msg.data)
                if batch.thing not in self._thing_set:
                    raise WireError(f"{batch.thing[:100]!r} is not a car of partition {self.partition}")
                result = hub.ingest(batch.thing, batch.values, batch.ts, batch.principal)
            except RelayedElsewhere:
                # The hub no longer keeps this partition's cars: stop without committing, so the next holder
                # applies these messages (skipping them would lose them).
                log.error("partition %d: its cars are no longer kept here; stopping without writing", self.partition)
                self.abandon()
                return
            except HomeboundError as error:
                figures.bad_messages += 1
                log.warning("partition %d: message %d skipped: %s", self.partition, seq, str(error)[:300])
                continue
            figures.batches_applied += 1
            figures.values_applied += result.accepted
            figures.values_rejected += len(result.errors)
            self._sent.append(batch.sent)

    async def _commit(self) -> bool:
        """Write what is buffered with the applied sequence; then acknowledge and publish. Hold `lock`."""
        if self.fenced:
            return False  # the partition is someone else's: what is in hand is theirs to apply again
        if not (self._batches or self._commands or self._unacked):
            return True
        services, figures = self.services, self.services.figures
        batches, self._batches = self._batches, []
        commands, self._commands = self._commands, {}
        unacked, self._unacked = self._unacked, []
        sent, self._sent = self._sent, []
        seq = self._ingested_seq
        rows = [StateStore.command_row(command) for command in commands.values()]
        try:
            async with services.commit_slots:
                written = await asyncio.to_thread(services.store.commit, self.partition, self.epoch, seq, batches,
                                                  rows)
        except Fenced as error:
            log.warning("partition %d: %s; stopping", self.partition, error)
            self.abandon()
            return False
        except Exception as error:
            self._batches[:0] = batches
            for command_id, command in commands.items():
                self._commands.setdefault(command_id, command)
            self._unacked[:0] = unacked
            self._sent[:0] = sent
            figures.commit_failures += 1
            self._note(f"commit failed, {len(batches)} batches kept for retry: {str(error)[:300]}")
            return False
        if self._last_error is not None:
            log.info("partition %d: commits resumed", self.partition)
            self._last_error = None
        self.applied_seq = seq
        async with self._applied:
            self._applied.notify_all()
        figures.commits += 1
        figures.rows_written += written
        now = time.time()
        for started in sent:
            figures.latency.add(now - started)
        for msg in unacked:
            with contextlib.suppress(Exception):
                await msg.ack()
        await self._publish(batches, commands.values())
        return True

    async def _publish(self, batches: list[ChangeBatch], commands: object) -> None:
        nc, layout = self.services.link.nc, self.services.link.layout
        try:
            for number, batch in enumerate(batches):
                if number and number % APPLY_SLICE == 0:
                    await asyncio.sleep(0)
                event = ChangeEvent(batch.thing, self.epoch, self._next_number(batch.thing), self.applied_seq,
                                    batch.field, batch.ts, batch.principal, dict(batch.changes))
                await nc.publish(layout.changes_subject(batch.thing), encode_event(event))
            for command in commands:  # type: ignore[attr-defined]
                event = ChangeEvent(command.thing, self.epoch, self._next_number(command.thing), self.applied_seq,
                                    Field.COMMAND, command.updated_at or command.created_at, command.principal, {},
                                    command)
                await nc.publish(layout.changes_subject(command.thing), encode_event(event))
        except Exception as error:
            # Followers see the gap in event numbers and take a fresh snapshot.
            self._note(f"change events not published: {error}")

    def _next_number(self, thing: str) -> int:
        number = self._numbers.get(thing, 0) + 1
        self._numbers[thing] = number
        return number

    async def flush(self) -> bool:
        """Make everything applied so far durable (a command's reply waits for this)."""
        async with self.lock:
            return await self._commit()

    def _note(self, message: str) -> None:
        if message != self._last_error:
            log.error("partition %d: %s", self.partition, message)
        self._last_error = message

    # ---- requests for the partition's cars ----------------------------------------------------------------

    async def _on_ask(self, msg: Msg) -> None:
        task = asyncio.create_task(self._answer(msg))
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    async def _answer(self, msg: Msg) -> None:
        try:
            reply = await self._handle(msg.data)
        except HomeboundError as error:
            reply = reply_error(error)
        except Exception as error:
            log.exception("partition %d: request failed", self.partition)
            reply = reply_error_text(ErrorCode.UNAVAILABLE, f"the worker failed: {error}")
        if msg.reply:
            with contextlib.suppress(Exception):
                await msg.respond(reply)

    async def _handle(self, data: bytes) -> bytes:
        if not self.active or self._stopping:
            return _elsewhere(f"partition {self.partition} is changing hands")
        body = decode_object(data, "request")
        thing = body.get("thing")
        if not isinstance(thing, str) or thing not in self._thing_set:
            raise WireError(f"request for {str(thing)[:100]!r}, not a car of partition {self.partition}")
        op = body.get("op")
        if op == "command":
            return await self._command(thing, body)
        if op == "fail":
            command_id, reason = body.get("id"), body.get("reason")
            if not isinstance(command_id, str) or not isinstance(reason, str):
                raise WireError("fail: 'id' and 'reason' must be strings")
            try:
                self.services.hub.fail_command(command_id, reason[:2000])
            except UnknownCommand:
                return orjson.dumps({})
            if not await self.flush():
                return _elsewhere("the failure is not durable yet")
            return orjson.dumps({})
        if op == "snapshot":
            after = body.get("after", 0)
            if isinstance(after, int) and after > self.applied_seq:
                # The asking door wrote up to `after`: answer once that is applied (read your writes), or soon.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SNAPSHOT_WAIT_S), self._applied:
                        await self._applied.wait_for(lambda: self.applied_seq >= after or self._stopping)
            async with self.lock:
                return orjson.dumps(self._snapshot(thing))
        raise WireError(f"unknown request {str(op)[:40]!r}: command, fail or snapshot")

    async def _command(self, thing: str, body: dict[str, object]) -> bytes:
        hub, store = self.services.hub, self.services.store
        command_id, path, principal = body.get("id"), body.get("path"), body.get("principal")
        timeout = body.get("timeout")
        if not (isinstance(command_id, str) and 0 < len(command_id) <= 64 and isinstance(path, str)
                and isinstance(principal, str) and len(principal) <= 128):
            raise WireError("command: 'id' (at most 64 characters), 'path' and 'principal' must be strings")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                    or not 0 < timeout <= 86_400):
            raise WireError("command: 'timeout' must be a number of seconds between 0 and 86400")
        try:
            hub.get_command(command_id)
        except UnknownCommand:
            stored = await asyncio.to_thread(store.load_command, command_id)
            if stored is not None:
                if (stored.thing, stored.path, stored.target) != (thing, path, body.get("target")):
                    raise CommandConflict(f"command id {command_id!r} was already used for {stored.thing} "
                                          f"{stored.path} = {stored.target!r}") from None
                return orjson.dumps({"command": stored.to_json()})
        command = await hub.command(principal, thing, path, body.get("target"), command_id=command_id,
                                    timeout=None if timeout is None else float(timeout))
        self.services.figures.commands += 1
        if not await self.flush():
            return _elsewhere("the command is not durable yet")
        return orjson.dumps({"command": command.to_json()})

    def _snapshot(self, thing: str) -> dict[str, object]:
        hub = self.services.hub
        current = {path: list(reading) for path, reading in hub.known_values(thing).items()}
        targets: dict[str, object] = {}
        for path, meta in hub.describe(thing).catalog.signals.items():
            if meta.kind is SignalKind.ACTUATOR and (target := hub.read_target(thing, path)) is not None:
                targets[path] = list(target)
        return {"epoch": self.epoch, "number": self._numbers.get(thing, 0), "applied": self.applied_seq,
                "current": current, "targets": targets,
                "commands": [command.to_json() for command in hub.pending_commands(thing)]}

    def status(self) -> dict[str, object]:
        return {"partition": self.partition, "epoch": self.epoch, "cars": len(self.things),
                "applied_seq": self.applied_seq, "lag": self.lag + len(self._unacked), "error": self._last_error}


def _elsewhere(message: str) -> bytes:
    """A refusal the door retries: the partition's holder is changing, or the answer is not durable yet."""
    return orjson.dumps({"error": {"code": ErrorCode.UNAVAILABLE.value, "message": message}, "elsewhere": True})


def partition_things(things: list[str], partition: int, partitions: int) -> list[str]:
    return [thing for thing in things if partition_of(thing, partitions) == partition]

