"""A hub that keeps some things and relays the others to the hub that keeps them.

In a fleet every node registers every car, but each car is *kept* by one hub at a time (the worker owning its
partition, see `homebound/cluster`): there its state lives, ingest runs, commands start and history is written.
Everywhere else the car is *relayed*, through a `Relay`:

- `write`: the batch is validated here, with the same compiled validators, and handed to the relay, which returns
  once the keeper's input log holds it durably. `ingest` of a relayed thing is refused: it would change only the
  replica here, and the batch would be lost.
- `command`: goes to the keeper; what comes back is the keeper's command, or its refusal as `Refused`.
- providers: an owner registered here for a relayed thing is announced to the keeper (`Relay.provided`); the
  keeper's actuation requests come back through `deliver_actuation`, and the owner's refusals go back through
  `fail_command`.
- reading: the read door serves a replica, which the relay keeps current while someone here is interested
  (`refresh`, `subscribe`) and feeds with `replace_replica` and `apply_*`. Those update subscribers, never
  listeners: the keeper's listeners already recorded the change.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from homebound.hub.commands import ActuationOwner, Command
from homebound.hub.core import DEFAULT_COMMAND_TIMEOUT_S, Hub, IngestResult
from homebound.hub.errors import RejectedValue, UnknownCommand
from homebound.hub.events import Field, Update
from homebound.hub.owners import OwnerKind
from homebound.hub.safety import Interlocks
from homebound.hub.state import ThingState
from homebound.hub.subscriptions import DEFAULT_MAILBOX_BATCHES, Subscription
from homebound.model.errors import ErrorCode, HomeboundError, InvalidValue, UnknownPath
from homebound.model.limits import DEFAULT_LIMITS, Limits, TooLarge, check_timestamp
from homebound.model.signal import SignalKind, Value

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A command as a relaying hub hands it to the keeper: the id is fixed here, so a retry is the same command."""

    principal: str
    thing: str
    path: str
    target: object
    command_id: str
    timeout: float | None


class Relay(Protocol):
    """The way from a relaying hub to the hubs that keep its relayed things (a cluster's input log and workers)."""

    async def write(self, thing: str, values: dict[str, Value], ts: float, principal: str) -> None:
        """Return once the keeper will apply the batch (it is stored durably); HomeboundError if it is not."""

    async def command(self, request: CommandRequest) -> Command:
        """The keeper's command (usually pending); `Refused` with the keeper's code when it refuses."""

    async def fail(self, command: Command, reason: str) -> None:
        """A provider connected here refused or could not carry out the command."""

    def provided(self, thing: str, paths: list[str]) -> None:
        """The actuators of `thing` a provider connected here now carries out (empty: none any more)."""

    async def follow(self, thing: str) -> None:
        """Bring this hub's replica of the thing up to date, and keep it so while it is watched or read."""


class RelayedElsewhere(HomeboundError):
    code = ErrorCode.UNAVAILABLE


class RelayingHub(Hub):
    """A hub whose things are each either kept here or relayed to the hub keeping them (see the module doc)."""

    def __init__(self, relay: Relay | None = None, default_command_timeout: float = DEFAULT_COMMAND_TIMEOUT_S,
                 limits: Limits = DEFAULT_LIMITS, safety: Interlocks | None = None) -> None:
        super().__init__(default_command_timeout, limits=limits, safety=safety)
        self._relay = relay
        self._relayed: set[str] = set()
        self._followed: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def attach(self, relay: Relay) -> None:
        """Give the relay (built after the hub, since it feeds the hub's replicas)."""
        self._relay = relay

    @property
    def relay(self) -> Relay:
        if self._relay is None:
            raise RelayedElsewhere("this hub relays things but has no relay attached")
        return self._relay

    # ---- which things are kept here -----------------------------------------------------------------------

    def relay_thing(self, thing_id: str) -> None:
        """From now on the thing is kept elsewhere. Its values, targets and pending commands here are dropped
        (the keeper has them durably) without ending anything; its subscriptions and providers stay."""
        thing = self._thing(thing_id)
        for command in list(thing.pending.values()):
            self._book.disarm(command.id)
        thing.pending.clear()
        thing.current.clear()
        thing.targets.clear()
        self._relayed.add(thing.id)
        self._followed.discard(thing.id)
        if self._provided_paths(thing):
            self.relay.provided(thing.id, self._provided_paths(thing))

    def keep_thing(self, thing_id: str) -> None:
        """From now on the thing is kept here: what its replica held is dropped; restore its stored state next
        (`restore`, `restore_command`), before the first ingest."""
        thing = self._thing(thing_id)
        self._relayed.discard(thing.id)
        self._followed.discard(thing.id)
        thing.current.clear()
        thing.targets.clear()
        thing.pending.clear()

    def is_relayed(self, thing_id: str) -> bool:
        return self._thing(thing_id).id in self._relayed

    def kept_things(self) -> list[str]:
        return [thing for thing in self._things if thing not in self._relayed]

    # ---- the doors, for relayed things --------------------------------------------------------------------

    def ingest(self, thing_id: str, values: Mapping[str, object], ts: float | None = None,
               principal: str = "unknown") -> IngestResult:
        if self._relayed and (thing_id in self._relayed or self._thing(thing_id).id in self._relayed):
            raise RelayedElsewhere(f"{thing_id} is kept by another hub of the cluster: write with `await "
                                   "hub.write(...)`, which waits until the keeper has the batch")
        return super().ingest(thing_id, values, ts, principal)

    async def write(self, thing_id: str, values: Mapping[str, object], ts: float | None = None,
                    principal: str = "unknown") -> IngestResult:
        thing = self._thing(thing_id)
        if thing.id not in self._relayed:
            return await super().write(thing.id, values, ts, principal)
        ts = time.time() if ts is None else check_timestamp(ts)
        if len(values) > self.limits.max_batch:
            raise TooLarge(f"{thing.id}: a batch of {len(values)} values is over the limit of "
                           f"{self.limits.max_batch} (limits.max_batch); send it in parts")
        accepted, errors = _check(thing, values, self.limits.max_suggested)
        if errors:
            self.rejected_values += len(errors)
        if accepted:
            await self.relay.write(thing.id, accepted, ts, principal)
        return IngestResult(len(accepted), errors)

    async def command(self, principal: str, thing_id: str, path: str, target: object, *,
                      command_id: str | None = None, timeout: float | None = None) -> Command:
        thing = self._thing(thing_id)
        if thing.id not in self._relayed:
            return await super().command(principal, thing.id, path, target, command_id=command_id, timeout=timeout)
        self.metadata(thing.id, path)
        return await self.relay.command(CommandRequest(principal, thing.id, path, target,
                                                       command_id or uuid.uuid4().hex, timeout))

    def get_command(self, command_id: str) -> Command:
        """Commands of relayed things are known here only while their replica is followed (else ask storage)."""
        command = super().get_command(command_id)
        if command.thing in self._relayed and command.thing not in self._followed:
            raise UnknownCommand(f"unknown command {command_id!r} here (its thing is kept by another hub)")
        return command

    def fail_command(self, command_id: str, reason: str) -> Command:
        command = self._book.get(command_id)
        if command is not None and command.thing in self._relayed:
            self._spawn(self.relay.fail(command, reason))
            return command
        return super().fail_command(command_id, reason)

    # ---- providers connected here -------------------------------------------------------------------------

    def register_owner(self, thing_id: str, owner: ActuationOwner, paths: Iterable[str] | None = None,
                       kind: OwnerKind = OwnerKind.PROVIDER) -> None:
        super().register_owner(thing_id, owner, paths, kind)
        thing = self._thing(thing_id)
        if thing.id in self._relayed:
            self.relay.provided(thing.id, self._provided_paths(thing))

    def unregister_owner(self, thing_id: str, owner: ActuationOwner) -> None:
        super().unregister_owner(thing_id, owner)
        thing = self._thing(thing_id)
        if thing.id in self._relayed:
            self.relay.provided(thing.id, self._provided_paths(thing))

    @staticmethod
    def _provided_paths(thing: ThingState) -> list[str]:
        owners = thing.owners
        if owners.gateway is not None:
            return sorted(p for p, m in thing.catalog.signals.items() if m.kind is SignalKind.ACTUATOR)
        return sorted({*owners.claims, *(path for path, watching in owners.watchers.items() if watching)})

    async def deliver_actuation(self, command: Command) -> str | None:
        """Hand the keeper's actuation request to the provider connected here. Returns why it could not be
        handed over (then the keeper fails the command), or None."""
        thing = self._thing(command.thing)
        owner = thing.owners.owner_of(command.path)
        if owner is None:
            return f"{thing.id}: {command.path}: the provider is no longer connected"
        self._book.remember(command)
        try:
            await owner.actuate(command)
        except HomeboundError as error:
            return str(error)
        except Exception as error:
            log.exception("provider of %s %s failed on command %s", thing.id, command.path, command.id)
            return f"provider error: {error}"
        return None

    # ---- the replica of relayed things --------------------------------------------------------------------

    def subscribe(self, thing_id: str, patterns: Iterable[str], fields: Iterable[Field] = (Field.VALUE,),
                  max_batches: int = DEFAULT_MAILBOX_BATCHES, close_when_full: bool = False) -> Subscription:
        subscription = super().subscribe(thing_id, patterns, fields, max_batches, close_when_full)
        if subscription.thing in self._relayed and subscription.thing not in self._followed:
            self._spawn(self.relay.follow(subscription.thing))
        return subscription

    async def refresh(self, thing_id: str) -> None:
        thing = self._thing(thing_id)
        if thing.id in self._relayed:
            await self.relay.follow(thing.id)

    def watched(self, thing_id: str) -> bool:
        """Whether anyone here subscribes to the thing (a replica nobody watches may be dropped)."""
        return any(subscription.thing == thing_id for subscription in self._subscriptions)

    def followed(self) -> set[str]:
        return set(self._followed)

    def replace_replica(self, thing_id: str, current: Mapping[str, tuple[object, float, str]],
                        targets: Mapping[str, tuple[object, float, str]], commands: Iterable[Command]) -> None:
        """Start (or restart) the replica of a relayed thing from the keeper's snapshot."""
        thing = self._relayed_thing(thing_id)
        thing.current.clear()
        thing.targets.clear()
        thing.pending.clear()
        for warning in self.restore(thing.id, current, targets):
            log.warning("replica: %s", warning)
        for command in commands:
            self._book.remember(command)
            if not command.state.is_final:
                thing.pending[command.path] = command
        self._followed.add(thing.id)

    def drop_replica(self, thing_id: str) -> None:
        """Stop following: the values here are no longer kept current, so they are forgotten."""
        thing = self._thing(thing_id)
        if thing.id in self._relayed:
            thing.current.clear()
            thing.targets.clear()
            thing.pending.clear()
        self._followed.discard(thing.id)

    def apply_changes(self, thing_id: str, field_: Field, changes: Mapping[str, object], ts: float,
                      principal: str) -> None:
        """Values or targets the keeper accepted: stored in the replica and handed to subscribers here."""
        thing = self._relayed_thing(thing_id)
        side = thing.targets if field_ is Field.TARGET else thing.current
        accepted, errors = _check(thing, changes, 0)
        for error in errors:
            log.warning("replica of %s: keeper's change dropped: %s", thing.id, str(error)[:200])
        for path, value in accepted.items():
            side[path] = (value, ts, principal)
        watchers = thing.watchers[field_]
        if not watchers or not accepted:
            return
        outgoing: dict[Subscription, list[Update]] = {}
        for path, value in accepted.items():
            for subscription in watchers.get(path, ()):
                outgoing.setdefault(subscription, []).append(Update(thing.id, path, field_, value, ts))
        for subscription, updates in outgoing.items():
            subscription.deliver(updates)

    def apply_command(self, command: Command) -> None:
        """A command of a relayed thing started or changed at the keeper."""
        thing = self._relayed_thing(command.thing)
        self._book.remember(command)
        if command.state.is_final:
            if (held := thing.pending.get(command.path)) is not None and held.id == command.id:
                del thing.pending[command.path]
        else:
            thing.pending[command.path] = command
        self._book.notify(command)

    def _relayed_thing(self, thing_id: str) -> ThingState:
        thing = self._thing(thing_id)
        if thing.id not in self._relayed:
            raise RelayedElsewhere(f"{thing.id} is kept here: its replica cannot be written")
        return thing

    # ---- housekeeping -------------------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("relay: %s", str(error)[:300])

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        super().close()


def _check(thing: ThingState, values: Mapping[str, object],
           max_suggested: int) -> tuple[dict[str, Value], list[HomeboundError]]:
    """The values a thing's catalog accepts (coerced by the same compiled validators as `ingest`), and an error for
    each it refuses."""
    validators = thing.catalog.validators
    accepted: dict[str, Value] = {}
    errors: list[HomeboundError] = []
    for path, raw in values.items():
        check = validators.get(path)
        if check is None:
            suggested = thing.catalog.suggest(path) if len(errors) < max_suggested else []
            errors.append(UnknownPath(path, suggested, thing.id))
            continue
        try:
            accepted[path] = check(raw)
        except InvalidValue as error:
            valid = thing.catalog.signals[path].describe_valid()
            errors.append(RejectedValue(thing.id, path, raw, error.reason, valid))
    return accepted, errors
