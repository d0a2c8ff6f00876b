"""The doors' side of the cluster: a `Relay` (hub/relay.py) over NATS.

- `write` publishes a car's validated batch to its partition's subject of the input log and returns when JetStream
  has stored it (the publish acknowledgement). A retry after a timeout carries the same message id, so JetStream
  stores the batch once. Refusals (the log is full, JetStream is down) come back as `unavailable`.
- `command` asks the partition's holder (request/reply on `ask.<partition>`), retrying while the partition is
  changing hands; the command id is fixed before the first try, so every retry is the same command.
- `provided` announces in the providers bucket which actuators of a car a provider connected here carries out,
  and renews it; the car's keeper sends actuation requests to `actuate.<door>`, handed here to the provider.
- `follow` keeps replicas of the cars someone here reads or watches (cluster/replica.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time

import nats
import orjson
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js.errors import APIError, NoStreamResponseError

from homebound.cluster.connection import ClusterLink
from homebound.cluster.layout import partition_of
from homebound.cluster.replica import Replicas
from homebound.cluster.wire import (
    MAX_MESSAGE_BYTES,
    InputBatch,
    WireError,
    command_from_json,
    decode_object,
    encode_batch,
    reply_refusal,
)
from homebound.hub.commands import Command
from homebound.hub.errors import Refused
from homebound.hub.relay import CommandRequest, RelayingHub
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.model.signal import Value

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 5.0
ASK_ATTEMPT_S = 2.0


class ClusterUnavailable(HomeboundError):
    code = ErrorCode.UNAVAILABLE


class ClusterRelay:
    """What a hub needs to relay its cars to the cluster (see the module doc)."""

    def __init__(self, link: ClusterLink, hub: RelayingHub, door_id: str, *,
                 publish_timeout: float = PUBLISH_TIMEOUT_S, command_wait: float | None = None) -> None:
        self.link = link
        self.hub = hub
        self.door_id = door_id
        self.publish_timeout = publish_timeout
        # Long enough for a dead worker's leases to expire and another to take its partitions over.
        self.command_wait = command_wait if command_wait is not None else 3 * link.facts.lease_ttl_s + 5.0
        self.replicas = Replicas(link, hub, self._ask)
        self._partitions: dict[str, int] = {}
        self._message_ids = itertools.count(1)
        self._provided: dict[str, list[str]] = {}
        self._actuations: NatsSubscription | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._announcing: set[asyncio.Task[None]] = set()
        self.batches_written = 0
        self.values_written = 0
        self.write_failures = 0
        self.commands_relayed = 0

    def partition(self, thing: str) -> int:
        partition = self._partitions.get(thing)
        if partition is None:
            partition = self._partitions[thing] = partition_of(thing, self.link.facts.partitions)
        return partition

    async def start(self) -> None:
        self._actuations = await self.link.nc.subscribe(self.link.layout.actuate_subject(self.door_id),
                                                         cb=self._on_actuation)
        self._renewer = asyncio.create_task(self._renew_announcements(), name="provider-announcements")
        await self.replicas.start()

    async def stop(self) -> None:
        await self.replicas.stop()
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        for thing in list(self._provided):
            self.provided(thing, [])
        if self._announcing:
            await asyncio.gather(*self._announcing, return_exceptions=True)
        if self._actuations is not None:
            with contextlib.suppress(Exception):
                await self._actuations.unsubscribe()

    # ---- writes -------------------------------------------------------------------------------------------

    async def write(self, thing: str, values: dict[str, Value], ts: float, principal: str) -> None:
        payload = encode_batch(InputBatch(thing, dict(values), ts, principal, time.time()))
        if len(payload) > MAX_MESSAGE_BYTES:
            raise HomeboundError(f"{thing}: a batch of {len(payload)} bytes is larger than the cluster takes "
                                 f"({MAX_MESSAGE_BYTES}); send it in smaller batches")
        subject = self.link.layout.input_subject(self.partition(thing), thing)
        if not self.link.nc.is_connected:
            # Never into the client's reconnect buffer: a batch refused here must not be stored later.
            self.write_failures += 1
            raise ClusterUnavailable(f"{thing}: not connected to the cluster's NATS; the batch was not sent")
        headers = {"Nats-Msg-Id": f"{self.door_id}.{next(self._message_ids)}"}
        deadline = time.monotonic() + self.publish_timeout
        while True:
            left = deadline - time.monotonic()
            try:
                ack = await self.link.js.publish(subject, payload, timeout=max(left, 0.05), headers=headers)
                self.replicas.written(thing, ack.seq)
                break
            except (TimeoutError, nats.errors.TimeoutError):
                if time.monotonic() >= deadline:
                    self.write_failures += 1
                    raise ClusterUnavailable(f"{thing}: the cluster's input log did not confirm the batch within "
                                             f"{self.publish_timeout:.0f} s (it may still be stored)") from None
            except NoStreamResponseError:
                self.write_failures += 1
                raise ClusterUnavailable(f"{thing}: the cluster's input log ({self.link.layout.stream}) does not "
                                         "answer: is JetStream running?") from None
            except APIError as error:
                self.write_failures += 1
                raise ClusterUnavailable(f"{thing}: the cluster's input log refused the batch: "
                                         f"{error.description or error}") from None
            except nats.errors.ConnectionClosedError:
                self.write_failures += 1
                raise ClusterUnavailable(f"{thing}: not connected to the cluster's NATS") from None
        self.batches_written += 1
        self.values_written += len(values)

    # ---- commands -----------------------------------------------------------------------------------------

    async def command(self, request: CommandRequest) -> Command:
        body = await self._ask(request.thing, {
            "op": "command", "thing": request.thing, "path": request.path, "target": request.target,
            "principal": request.principal, "id": request.command_id, "timeout": request.timeout},
            wait=self.command_wait, what=f"command {request.command_id} on {request.thing} {request.path}")
        self.commands_relayed += 1
        try:
            return command_from_json(body.get("command"), "the keeper's command")
        except WireError as error:
            raise ClusterUnavailable(str(error)) from None

    async def fail(self, command: Command, reason: str) -> None:
        await self._ask(command.thing, {"op": "fail", "thing": command.thing, "id": command.id,
                                        "reason": reason[:2000]},
                        wait=self.command_wait, what=f"failing command {command.id}")

    async def _ask(self, thing: str, request: dict[str, object], *, wait: float, what: str) -> dict[str, object]:
        """Request/reply with the holder of the thing's partition, retried while no one holds it."""
        partition = self.partition(thing)
        subject = self.link.layout.ask_subject(partition)
        payload = orjson.dumps(request)
        deadline = time.monotonic() + wait
        while True:
            try:
                reply = await self.link.nc.request(subject, payload, timeout=ASK_ATTEMPT_S)
            except (TimeoutError, nats.errors.NoRespondersError, nats.errors.TimeoutError):
                reply = None
            except nats.errors.ConnectionClosedError:
                raise ClusterUnavailable(f"{what}: not connected to the cluster's NATS") from None
            if reply is not None:
                try:
                    body = decode_object(reply.data, "a worker's reply")
                except WireError as error:
                    raise ClusterUnavailable(f"{what}: {error}") from None
                refusal = reply_refusal(body)
                if refusal is None:
                    return body
                if not body.get("elsewhere"):
                    raise Refused(refusal.message, refusal.code)
            if time.monotonic() >= deadline:
                raise ClusterUnavailable(f"{what}: no worker holds partition {partition} (waited {wait:.0f} s); "
                                         "start a worker: homebound worker --cluster ...")
            await asyncio.sleep(0.2)

    # ---- providers connected here -------------------------------------------------------------------------

    def provided(self, thing: str, paths: list[str]) -> None:
        if paths:
            self._provided[thing] = list(paths)
        else:
            self._provided.pop(thing, None)
        task = asyncio.get_running_loop().create_task(self._announce(thing, list(paths)))
        self._announcing.add(task)
        task.add_done_callback(self._announcing.discard)

    async def _announce(self, thing: str, paths: list[str]) -> None:
        key = self.link.layout.provider_key(thing, self.door_id)
        try:
            if paths:
                await self.link.providers.put(key, orjson.dumps({"thing": thing, "door": self.door_id,
                                                                 "paths": paths}))
            else:
                await self.link.providers.delete(key)
        except Exception as error:
            log.error("cannot announce the provider of %s: %s", thing, error)

    async def _renew_announcements(self) -> None:
        while True:
            await asyncio.sleep(self.link.facts.lease_ttl_s)
            for thing, paths in list(self._provided.items()):
                await self._announce(thing, paths)

    async def _on_actuation(self, msg: Msg) -> None:
        try:
            body = decode_object(msg.data, "actuation request")
            command = command_from_json(body.get("command"), "actuation request")
            if not self.hub.exists(command.thing, command.path):
                raise WireError(f"actuation request for unknown {command.thing} {command.path}")
            reason = await self.hub.deliver_actuation(command)
        except HomeboundError as error:
            log.warning("actuation request refused: %s", str(error)[:300])
            reason = str(error)
        if msg.reply:
            await msg.respond(orjson.dumps({"error": reason} if reason else {}))

    # ---- replicas -----------------------------------------------------------------------------------------

    async def follow(self, thing: str) -> None:
        await self.replicas.follow(thing)

    def stats(self) -> dict[str, object]:
        return {"batches_written": self.batches_written, "values_written": self.values_written,
                "write_failures": self.write_failures, "commands_relayed": self.commands_relayed,
                "replicas": self.replicas.stats(), "providers_announced": len(self._provided)}
