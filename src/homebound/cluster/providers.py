"""Providers connected to doors, seen from the workers that keep their cars.

A car's gateway (a Kuksa provider stream) connects to whichever door it reaches; the car is kept by some worker.
The door announces in the providers bucket which actuators of the car it carries out (`<car>.<door>` → paths,
renewed, expiring if the door dies). Every worker watches the bucket; for each car it keeps, it registers in its
hub a `RemoteProvider` per announcing door, whose `actuate` asks that door (request/reply on `actuate.<door>`) to
hand the command to the provider. No answer means the door is gone: the command fails at once, as it would
with no provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import nats
import orjson
from nats.js.kv import KeyValue

from homebound.cluster.connection import ClusterLink
from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import token_thing
from homebound.cluster.wire import WireError, decode_object
from homebound.hub.commands import Command
from homebound.hub.relay import RelayingHub
from homebound.model.errors import ErrorCode, HomeboundError

log = logging.getLogger(__name__)

ACTUATE_WAIT_S = 3.0


class ProviderUnreachable(HomeboundError):
    code = ErrorCode.UNAVAILABLE


class RemoteProvider:
    """The actuators of one car that a provider connected to another door carries out."""

    def __init__(self, link: ClusterLink, thing: str, door: str) -> None:
        self.link = link
        self.thing = thing
        self.door = door

    async def actuate(self, command: Command) -> None:
        payload = orjson.dumps({"command": command.to_json()})
        try:
            reply = await self.link.nc.request(self.link.layout.actuate_subject(self.door), payload,
                                               timeout=ACTUATE_WAIT_S)
        except (TimeoutError, nats.errors.NoRespondersError, nats.errors.TimeoutError):
            raise ProviderUnreachable(f"{self.thing}: {command.path}: the provider's door {self.door} does not "
                                      "answer") from None
        try:
            body = decode_object(reply.data, "actuation reply")
        except WireError as error:
            raise ProviderUnreachable(str(error)) from None
        if body.get("error"):
            raise HomeboundError(str(body["error"])[:2000])


class ProviderDirectory:
    """Which door provides which actuators of which car, kept current by a watch on the providers bucket."""

    def __init__(self, link: ClusterLink, hub: RelayingHub) -> None:
        self.link = link
        self.hub = hub
        self._announced: dict[str, dict[str, list[str]]] = {}
        self._registered: dict[str, dict[str, RemoteProvider]] = {}
        self._kept: set[str] = set()
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for key, value in (await bucket_entries(self.link.providers)).items():
            self._on_entry(key, value)
        self._watch = asyncio.create_task(self._follow(self.link.providers), name="provider-directory")

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch

    async def _follow(self, bucket: KeyValue) -> None:
        while True:
            watcher = None
            try:
                watcher = await bucket.watchall(include_history=False)
                async for entry in watcher:
                    if entry is None:
                        continue
                    self._on_entry(entry.key, None if entry.operation in ("DEL", "PURGE") else entry.value)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("provider directory: watch ended (%s); watching again", error)
                await asyncio.sleep(1.0)
            finally:
                if watcher is not None:
                    with contextlib.suppress(Exception):
                        await watcher.stop()  # type: ignore[no-untyped-call]

    def _on_entry(self, key: str, value: bytes | None) -> None:
        if value is None:
            thing_token, _, door_token = key.partition(".")
            try:
                thing, door = token_thing(thing_token), token_thing(door_token)
            except ValueError:
                return
            if self._announced.get(thing, {}).pop(door, None) is not None:
                self._refresh(thing)
            return
        try:
            body = decode_object(value, "provider announcement")
            named, by, paths = body.get("thing"), body.get("door"), body.get("paths")
            if not (isinstance(named, str) and isinstance(by, str) and isinstance(paths, list)
                    and all(isinstance(p, str) for p in paths) and len(paths) <= 10_000):
                raise WireError("provider announcement: thing, door and paths (strings) are needed")
            thing, door = named, by
            if self.link.layout.provider_key(thing, door) != key or not self.hub.exists(thing):
                raise WireError(f"provider announcement under {key[:100]!r} names another or an unknown car")
        except WireError as error:
            log.warning("%s", str(error)[:300])
            return
        self._announced.setdefault(thing, {})[door] = [p for p in paths if self.hub.exists(thing, p)]
        self._refresh(thing)

    def keep(self, things: Iterable[str]) -> None:
        """The worker now keeps these cars: register their remote providers in its hub."""
        for thing in things:
            self._kept.add(thing)
            self._refresh(thing)

    def release(self, things: Iterable[str]) -> None:
        """The worker hands these cars over: their remote providers leave its hub first."""
        for thing in things:
            self._kept.discard(thing)
            self._refresh(thing)

    def _refresh(self, thing: str) -> None:
        registered = self._registered.setdefault(thing, {})
        for provider in registered.values():
            self.hub.unregister_owner(thing, provider)
        registered.clear()
        if thing not in self._kept:
            return
        for door, paths in self._announced.get(thing, {}).items():
            if not paths:
                continue
            provider = RemoteProvider(self.link, thing, door)
            try:
                self.hub.register_owner(thing, provider, paths)
            except HomeboundError as error:
                log.warning("provider of %s at door %s not registered: %s", thing, door, error)
                continue
            registered[door] = provider

    def stats(self) -> dict[str, int]:
        return {"cars_with_providers": sum(1 for doors in self._announced.values() if doors)}
