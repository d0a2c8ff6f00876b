"""Replicas of relayed cars at a door, so the read door and subscriptions work for cars kept elsewhere.

A door follows a car from the first time it is read (`Hub.refresh`) or subscribed to: it subscribes to the car's
change subject, asks the keeper for a snapshot, and from then on applies the keeper's change events in order.
Each event carries the keeper's epoch and the car's event number, so a missed event (core NATS drops messages to
a slow subscriber) or a new keeper (failover) is seen, and answered with a fresh snapshot. A car nobody here has
read for `idle_after_s` and nobody subscribes to is dropped. Nothing polls the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription

from homebound.cluster.connection import ClusterLink
from homebound.cluster.wire import ChangeEvent, WireError, command_from_json, decode_event
from homebound.hub.relay import RelayingHub
from homebound.model.errors import HomeboundError

log = logging.getLogger(__name__)

Ask = Callable[..., Awaitable[dict[str, object]]]
BUFFERED_EVENTS = 10_000
SNAPSHOT_WAIT_S = 10.0


@dataclass(slots=True)
class _Followed:
    thing: str
    subscription: NatsSubscription | None = None
    synced: bool = False
    epoch: int = -1
    number: int = -1
    applied: int = 0
    wanted: int = 0
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    buffer: list[ChangeEvent] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_used: float = 0.0


class Replicas:
    """The cars this door follows, each with its subscription to the keeper's change events."""

    def __init__(self, link: ClusterLink, hub: RelayingHub, ask: Ask, idle_after_s: float = 300.0) -> None:
        self.link = link
        self.hub = hub
        self.ask = ask
        self.idle_after_s = idle_after_s
        self._followed: dict[str, _Followed] = {}
        self._written: dict[str, int] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._resyncs: set[asyncio.Task[None]] = set()
        self.snapshots = 0
        self.events_applied = 0
        self.gaps = 0
        self.bad_events = 0

    async def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep(), name="replica-sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for task in list(self._resyncs):
            task.cancel()
        for thing in list(self._followed):
            await self._drop(thing)

    def written(self, thing: str, seq: int) -> None:
        """This door's write of `thing` was stored at `seq` of the input log: a read here waits until it is applied."""
        if seq > self._written.get(thing, 0):
            self._written[thing] = seq

    async def follow(self, thing: str) -> None:
        """Return once the replica of `thing` reflects the keeper's state, this door's writes included (raises if no
        keeper answers; after `SNAPSHOT_WAIT_S` without the last write applied, serves what the keeper has)."""
        followed = self._followed.get(thing)
        if followed is None:
            followed = self._followed[thing] = _Followed(thing)

            async def on_event(msg: Msg, followed: _Followed = followed) -> None:
                self._on_event(followed, msg)

            followed.subscription = await self.link.nc.subscribe(self.link.layout.changes_subject(thing),
                                                                 cb=on_event, pending_msgs_limit=BUFFERED_EVENTS)
        followed.last_used = time.monotonic()
        if not followed.synced:
            await self._sync(followed)
        after = self._written.get(thing, 0)
        if followed.applied < after:
            followed.caught_up.clear()
            followed.wanted = after
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(followed.caught_up.wait(), SNAPSHOT_WAIT_S)

    async def _sync(self, followed: _Followed) -> None:
        async with followed.lock:
            if followed.synced:
                return
            body = await self.ask(followed.thing, {"op": "snapshot", "thing": followed.thing,
                                                   "after": self._written.get(followed.thing, 0)},
                                  wait=SNAPSHOT_WAIT_S * 2, what=f"snapshot of {followed.thing}")
            try:
                epoch, number, current, targets = _snapshot(body)
                commands = [command_from_json(c, "snapshot command") for c in _list(body.get("commands"))]
            except (WireError, ValueError, TypeError) as error:
                raise HomeboundError(f"{followed.thing}: the keeper's snapshot is unreadable: {error}") from None
            self.hub.replace_replica(followed.thing, current, targets, commands)
            self.snapshots += 1
            followed.epoch, followed.number, followed.synced = epoch, number, True
            self._advance(followed, _applied(body))
            waiting, followed.buffer = followed.buffer, []
            for event in sorted(waiting, key=lambda e: (e.epoch, e.number)):
                self._apply(followed, event)

    def _on_event(self, followed: _Followed, msg: Msg) -> None:
        try:
            event = decode_event(msg.data)
        except WireError as error:
            self.bad_events += 1
            log.warning("replica of %s: %s", followed.thing, str(error)[:200])
            return
        if not followed.synced:
            if len(followed.buffer) < BUFFERED_EVENTS:
                followed.buffer.append(event)
            return
        self._apply(followed, event)

    def _apply(self, followed: _Followed, event: ChangeEvent) -> None:
        if event.epoch == followed.epoch and event.number <= followed.number:
            return
        if event.epoch != followed.epoch or event.number != followed.number + 1:
            self.gaps += 1
            followed.synced = False
            followed.buffer = [event]
            task = asyncio.get_running_loop().create_task(self._resync(followed))
            self._resyncs.add(task)
            task.add_done_callback(self._resyncs.discard)
            return
        followed.number = event.number
        self.events_applied += 1
        self._advance(followed, event.applied)
        try:
            if event.command is not None:
                self.hub.apply_command(event.command)
            else:
                self.hub.apply_changes(event.thing, event.field, event.changes, event.ts, event.principal)
        except HomeboundError as error:
            log.warning("replica of %s: event not applied: %s", followed.thing, str(error)[:200])

    @staticmethod
    def _advance(followed: _Followed, applied: int) -> None:
        followed.applied = max(followed.applied, applied)
        if followed.applied >= followed.wanted:
            followed.caught_up.set()

    async def _resync(self, followed: _Followed) -> None:
        try:
            await self._sync(followed)
        except HomeboundError as error:
            log.warning("replica of %s: cannot resynchronise: %s", followed.thing, str(error)[:200])

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(min(30.0, self.idle_after_s))
            idle_since = time.monotonic() - self.idle_after_s
            for thing, followed in list(self._followed.items()):
                if followed.last_used < idle_since and not self.hub.watched(thing):
                    await self._drop(thing)

    async def _drop(self, thing: str) -> None:
        followed = self._followed.pop(thing, None)
        if followed is None:
            return
        if followed.subscription is not None:
            with contextlib.suppress(Exception):
                await followed.subscription.unsubscribe()
        self.hub.drop_replica(thing)

    def stats(self) -> dict[str, int]:
        return {"followed": len(self._followed), "snapshots": self.snapshots, "events_applied": self.events_applied,
                "gaps": self.gaps, "bad_events": self.bad_events}


def _applied(body: dict[str, object]) -> int:
    applied = body.get("applied", 0)
    return applied if isinstance(applied, int) else 0


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise WireError("a list was expected")
    return value


Entries = dict[str, tuple[object, float, str]]


def _entries(value: object) -> Entries:
    if not isinstance(value, dict):
        raise WireError("an object of path: [value, ts, principal] was expected")
    out: Entries = {}
    for path, entry in value.items():
        if not isinstance(entry, list) or len(entry) != 3:
            raise WireError(f"{str(path)[:100]}: [value, ts, principal] was expected")
        out[str(path)] = (entry[0], float(entry[1]), str(entry[2]))
    return out


def _snapshot(body: dict[str, object]) -> tuple[int, int, Entries, Entries]:
    epoch, number = body.get("epoch"), body.get("number")
    if not isinstance(epoch, int) or not isinstance(number, int):
        raise WireError("epoch and number must be integers")
    return epoch, number, _entries(body.get("current")), _entries(body.get("targets"))

