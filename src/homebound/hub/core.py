"""The hub: one door in for every change (`ingest`), one for every command (`command`), and one for reading.

`ingest` runs on every value a car or device sends, so it is written for speed: each signal's validator was
compiled with the catalog, state is a plain dict per thing, and subscribers are indexed by path so that a value
nobody watches costs two dictionary operations. Listeners that want the whole stream (the history recorder)
get one `ChangeBatch` per call and must not do I/O inline.

Reading (`read`, `read_target`, `read_many`, `describe`, `pending_command`, ...) returns immutable values, never
the hub's state objects: adapters see what the read door shows them, and nothing else.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from homebound.hub.command_book import CommandBook
from homebound.hub.commands import ActuationOwner, Command, CommandState, reached
from homebound.hub.durability import Durability, InMemory
from homebound.hub.errors import (
    CommandConflict,
    CommandRejected,
    RejectedValue,
    UnknownCommand,
    UnknownThing,
)
from homebound.hub.events import ChangeBatch, Field, Update
from homebound.hub.owners import OwnerKind
from homebound.hub.reading import Reading, ThingInfo, ThingKind
from homebound.hub.safety import Interlocks
from homebound.hub.state import ThingState, UnownedPolicy
from homebound.hub.subscriptions import DEFAULT_MAILBOX_BATCHES, Subscription
from homebound.model.catalog import Catalog
from homebound.model.errors import ErrorCode, HomeboundError, InvalidValue, UnknownPath, shown
from homebound.model.limits import DEFAULT_LIMITS, Limits, TooLarge, check_timestamp
from homebound.model.signal import SignalKind, SignalMetadata, Value

log = logging.getLogger(__name__)

DEFAULT_COMMAND_TIMEOUT_S = 30.0


@dataclass(slots=True)
class IngestResult:
    """What became of an ingest batch: how many values were kept, and an error for each one that was not."""

    accepted: int
    errors: list[HomeboundError]

    @property
    def ok(self) -> bool:
        return not self.errors


class Hub:
    """The state of every thing, and the only way to change it, command it or read it."""

    def __init__(self, default_command_timeout: float = DEFAULT_COMMAND_TIMEOUT_S,
                 limits: Limits = DEFAULT_LIMITS, safety: Interlocks | None = None) -> None:
        self.default_command_timeout = default_command_timeout
        self.limits = limits
        self.safety = safety or Interlocks()
        """The safety interlocks every command passes (hub/safety/): the built-in rules, or a household's
        stricter ones (`SafetyConfig.interlocks()`)."""
        self._things: dict[str, ThingState] = {}
        self._aliases: dict[str, str] = {}
        self._listeners: list[Callable[[ChangeBatch], None]] = []
        self._book = CommandBook(self._things)
        self._subscriptions: set[Subscription] = set()
        self.rejected_values = 0
        self.durability: Durability = InMemory()

    # ---- things -------------------------------------------------------------------------------------------

    def add_vehicle(self, vehicle_id: str, catalog: Catalog, *, name: str | None = None, vin: str | None = None,
                    unowned_commands: UnownedPolicy = "fail") -> None:
        """Register a vehicle; it can then be addressed by its id or its VIN."""
        self._add(ThingState(vehicle_id, ThingKind.VEHICLE, catalog, name=name, vin=vin,
                             unowned_commands=unowned_commands))
        if vin:
            self._aliases[vin] = vehicle_id

    def add_device(self, device_id: str, catalog: Catalog, *, name: str | None = None) -> None:
        """Register a household device; its catalog is its capability model (see adapters/mqtt/kinds)."""
        self._add(ThingState(device_id, ThingKind.DEVICE, catalog, name=name))

    def _add(self, state: ThingState) -> None:
        if state.id in self._things or state.id in self._aliases:
            raise ValueError(f"thing {state.id!r} is already registered")
        self._things[state.id] = state

    def set_catalog(self, thing_id: str, catalog: Catalog) -> None:
        """Replace a device's capabilities (it announced new or fewer components); values of gone paths go too."""
        thing = self._thing(thing_id)
        thing.catalog = catalog
        for side in (thing.current, thing.targets):
            for path in [p for p in side if p not in catalog.signals]:
                del side[path]

    def set_command_policy(self, thing_id: str, without_provider: UnownedPolicy) -> None:
        """What a command does when no provider is connected: fail at once, or wait pending."""
        self._thing(thing_id).unowned_commands = without_provider

    def remove_thing(self, thing_id: str) -> None:
        """Forget a device that left (its discovery was removed); its subscriptions end, its commands fail."""
        thing = self._thing(thing_id)
        for command in list(thing.pending.values()):
            self._book.finish(command, CommandState.FAILED, f"{thing.id} was removed", time.time())
        for subscription in [s for s in self._subscriptions if s.thing == thing.id]:
            subscription.close()
        del self._things[thing.id]

    def _thing(self, thing_id: str) -> ThingState:
        state = self._things.get(thing_id)
        if state is None:
            alias = self._aliases.get(thing_id)
            if alias is None:
                raise UnknownThing(thing_id, sorted(self._things))
            state = self._things[alias]
        return state

    # ---- ingest -------------------------------------------------------------------------------------------

    def ingest(self, thing_id: str, values: Mapping[str, object], ts: float | None = None,
               principal: str = "unknown") -> IngestResult:
        """Validate and store a batch of current values; publish what was accepted.

        Good values are kept even when others in the batch are bad; each bad one comes back as an error. A batch
        over `limits.max_batch`, or with a timestamp no car could report, is refused whole (TooLarge,
        InvalidTimestamp) before any work.
        """
        thing = self._things.get(thing_id) or self._thing(thing_id)
        ts = time.time() if ts is None else check_timestamp(ts)
        if len(values) > self.limits.max_batch:
            raise TooLarge(f"{thing.id}: a batch of {len(values)} values is over the limit of "
                           f"{self.limits.max_batch} (limits.max_batch); send it in parts")
        validators = thing.catalog.validators
        current = thing.current
        accepted: list[tuple[str, Value]] = []
        errors: list[HomeboundError] = []
        for path, raw in values.items():
            check = validators.get(path)
            if check is None:
                suggested = len(errors) < self.limits.max_suggested
                errors.append(UnknownPath(path, thing.catalog.suggest(path) if suggested else [], thing.id))
                continue
            try:
                value = check(raw)
            except InvalidValue as error:
                errors.append(RejectedValue(thing.id, path, raw, error.reason,
                                            thing.catalog.signals[path].describe_valid()))
                continue
            current[path] = (value, ts, principal)
            accepted.append((path, value))
        if errors:
            self.rejected_values += len(errors)
        if accepted:
            watchers = thing.watchers[Field.VALUE]
            if watchers:
                self._fan_out(thing.id, Field.VALUE, watchers, accepted, ts)
            if thing.pending:
                self._confirm_reached(thing, accepted, ts)
            if self._listeners:
                batch = ChangeBatch(thing.id, Field.VALUE, ts, principal, accepted)
                for listener in self._listeners:
                    listener(batch)
        return IngestResult(len(accepted), errors)

    async def write(self, thing_id: str, values: Mapping[str, object], ts: float | None = None,
                    principal: str = "unknown") -> IngestResult:
        """The door for writers who acknowledge what they sent (REST, Kuksa): refused at once while storage is
        down (StorageUnavailable), it returns once the accepted values are durable. A hub that relays a thing to
        the hub keeping it (hub/relay.py) returns once that keeper has the batch durably."""
        self.check_writable()
        result = self.ingest(thing_id, values, ts, principal)
        if result.accepted:
            await self.committed()
        return result

    def _fan_out(self, thing_id: str, field_: Field, watchers: dict[str, list[Subscription]],
                 changes: list[tuple[str, Value]], ts: float) -> None:
        outgoing: dict[Subscription, list[Update]] = {}
        for path, value in changes:
            subscribers = watchers.get(path)
            if subscribers is None:
                continue
            update = Update(thing_id, path, field_, value, ts)
            for subscription in subscribers:
                bucket = outgoing.get(subscription)
                if bucket is None:
                    outgoing[subscription] = [update]
                else:
                    bucket.append(update)
        for subscription, updates in outgoing.items():
            subscription.deliver(updates)

    def _confirm_reached(self, thing: ThingState, accepted: list[tuple[str, Value]], ts: float) -> None:
        pending = thing.pending
        for path, value in accepted:
            command = pending.get(path)
            if command is not None and reached(value, command.target):
                self._book.finish(command, CommandState.CONFIRMED, None, ts)

    def check_writable(self) -> None:
        """StorageUnavailable while what is written now could not be stored (doors answer 503 before ingest)."""
        self.durability.check_writable()

    async def committed(self, commands: bool = False) -> None:
        """Wait until everything accepted so far is durable; doors call this before acknowledging a write."""
        await self.durability.committed(commands)

    # ---- the read door ------------------------------------------------------------------------------------

    async def refresh(self, thing_id: str) -> None:
        """Make this hub's view of a thing current before reading it: nothing to do for a thing kept here; a
        hub that relays it (hub/relay.py) brings its replica up to date. UnknownThing if it is not registered."""
        self._thing(thing_id)

    def thing_ids(self, kind: ThingKind | None = None) -> list[str]:
        """The ids of every registered thing (of one kind), in the order they were added."""
        return [t.id for t in self._things.values() if kind is None or t.kind is kind]

    def exists(self, thing_id: str, path: str | None = None) -> bool:
        """Whether the thing is registered (by id or VIN) and, with a path, whether that leaf is in its catalog."""
        thing = self._things.get(thing_id) or self._things.get(self._aliases.get(thing_id, ""))
        return thing is not None and (path is None or path in thing.catalog.signals)

    def describe(self, thing_id: str) -> ThingInfo:
        """Identity, catalog and counts of one thing (UnknownThing if it is not registered)."""
        thing = self._thing(thing_id)
        return ThingInfo(thing.id, thing.kind, thing.name, thing.vin, thing.catalog, len(thing.current),
                         len(thing.pending))

    def metadata(self, thing_id: str, path: str) -> SignalMetadata:
        thing = self._thing(thing_id)
        meta = thing.catalog.signals.get(path)
        if meta is None:
            raise UnknownPath(path, thing.catalog.suggest(path), thing.id)
        return meta

    def read(self, thing_id: str, path: str) -> Reading | None:
        """The current value of a leaf, None if it was never set; UnknownPath if not a leaf of the thing."""
        thing = self._thing(thing_id)
        if path not in thing.catalog.signals:
            raise UnknownPath(path, thing.catalog.suggest(path), thing.id)
        entry = thing.current.get(path)
        return None if entry is None else tuple.__new__(Reading, entry)

    def read_target(self, thing_id: str, path: str) -> Reading | None:
        """The target last asked for an actuator, None if none was."""
        thing = self._thing(thing_id)
        if path not in thing.catalog.signals:
            raise UnknownPath(path, thing.catalog.suggest(path), thing.id)
        entry = thing.targets.get(path)
        return None if entry is None else tuple.__new__(Reading, entry)

    def read_many(self, thing_id: str, pattern: str, field_: Field = Field.VALUE) -> dict[str, Reading | None]:
        """Every leaf a path, branch or wildcard stands for, with its value (or target), in path order."""
        thing = self._thing(thing_id)
        side = thing.targets if field_ is Field.TARGET else thing.current
        out: dict[str, Reading | None] = {}
        for path in self.expand(thing.id, pattern):
            entry = side.get(path)
            out[path] = None if entry is None else tuple.__new__(Reading, entry)
        return out

    def values(self, thing_id: str, paths: Iterable[str]) -> dict[str, Value]:
        """The current values of the given leaves that have one (unknown or unset leaves are left out)."""
        current = self._thing(thing_id).current
        return {path: entry[0] for path in paths if (entry := current.get(path)) is not None}

    def known_values(self, thing_id: str) -> dict[str, Reading]:
        """Every leaf of the thing that has a value, in path order."""
        current = self._thing(thing_id).current
        return {path: tuple.__new__(Reading, current[path]) for path in sorted(current)}

    def expand(self, thing_id: str, pattern: str) -> list[str]:
        """The leaves a path, branch or wildcard stands for on this thing; UnknownPath names the thing."""
        thing = self._thing(thing_id)
        self._check_patterns(thing.id, [pattern])
        try:
            return thing.catalog.expand(pattern)
        except UnknownPath as error:
            raise UnknownPath(error.path, error.suggestions, thing.id) from None

    def pending_command(self, thing_id: str, path: str) -> Command | None:
        return self._thing(thing_id).pending.get(path)

    def pending_commands(self, thing_id: str | None = None) -> list[Command]:
        things = self._things.values() if thing_id is None else [self._thing(thing_id)]
        return [c for thing in things for c in thing.pending.values()]

    def has_provider(self, thing_id: str, path: str) -> bool:
        """Whether someone is connected to carry out commands on this datapoint."""
        return self._thing(thing_id).owners.owner_of(path) is not None

    def get_command(self, command_id: str) -> Command:
        command = self._book.get(command_id)
        if command is None:
            raise UnknownCommand(f"unknown command {shown(command_id)}")
        return command

    def recent_commands(self) -> list[Command]:
        """The commands the hub still remembers (the last ten thousand), oldest first."""
        return self._book.recent()

    # ---- subscriptions ------------------------------------------------------------------------------------

    def subscribe(self, thing_id: str, patterns: Iterable[str], fields: Iterable[Field] = (Field.VALUE,),
                  max_batches: int = DEFAULT_MAILBOX_BATCHES, close_when_full: bool = False) -> Subscription:
        """Subscribe to leaves, branches and wildcards. Unknown patterns are reported on the subscription
        (`unknown_paths`) and the rest is served; UnknownPath only if nothing at all matched."""
        thing = self._thing(thing_id)
        patterns = list(patterns)
        self._check_patterns(thing.id, patterns)
        paths: dict[str, None] = {}
        unknown: dict[str, list[str]] = {}
        for pattern in patterns:
            try:
                paths.update(dict.fromkeys(thing.catalog.expand(pattern, len(unknown) < self.limits.max_suggested)))
            except UnknownPath as error:
                unknown[pattern] = error.suggestions
        if not paths:
            first = next(iter(unknown), "")
            raise UnknownPath(first, unknown.get(first, []), thing.id)
        subscription = Subscription(thing.id, list(paths), frozenset(fields), unknown, self._unsubscribe,
                                    max_batches=max_batches, close_when_full=close_when_full)
        for field_ in subscription.fields:
            index = thing.watchers[field_]
            for path in subscription.paths:
                index.setdefault(path, []).append(subscription)
        self._subscriptions.add(subscription)
        return subscription

    def _check_patterns(self, thing_id: str, patterns: list[str]) -> None:
        limits = self.limits
        if len(patterns) > limits.max_patterns:
            raise TooLarge(f"{thing_id}: {len(patterns)} paths in one request is over the limit of "
                           f"{limits.max_patterns} (limits.max_patterns); use a branch or a wildcard")
        wildcards = sum(1 for pattern in patterns if "*" in pattern)
        if wildcards > limits.max_wildcards:
            raise TooLarge(f"{thing_id}: {wildcards} wildcard patterns in one request is over the limit of "
                           f"{limits.max_wildcards} (limits.max_wildcards)")

    def _unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)
        thing = self._things.get(subscription.thing)
        if thing is None:
            return
        for field_ in subscription.fields:
            index = thing.watchers[field_]
            for path in subscription.paths:
                subscribers = index.get(path)
                if subscribers and subscription in subscribers:
                    subscribers.remove(subscription)
                    if not subscribers:
                        del index[path]

    def subscription_stats(self) -> dict[str, int]:
        return {
            "subscriptions": len(self._subscriptions),
            "dropped_updates": sum(s.dropped for s in self._subscriptions),
            "queued_batches": sum(s.pending_batches() for s in self._subscriptions),
        }

    def add_listener(self, listener: Callable[[ChangeBatch], None]) -> None:
        """Receive every accepted batch (values and targets). Called inline: must be quick and never block."""
        self._listeners.append(listener)

    def add_command_listener(self, listener: Callable[[Command], None]) -> None:
        """Receive every command when it is created and each time its state changes."""
        self._book.listeners.append(listener)

    def remove_listener(self, listener: Callable[[ChangeBatch], None]) -> None:
        """Stop a listener added with `add_listener` (an automation engine being replaced)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def remove_command_listener(self, listener: Callable[[Command], None]) -> None:
        if listener in self._book.listeners:
            self._book.listeners.remove(listener)

    # ---- commands -----------------------------------------------------------------------------------------

    def register_owner(self, thing_id: str, owner: ActuationOwner, paths: Iterable[str] | None = None,
                       kind: OwnerKind = OwnerKind.PROVIDER) -> None:
        """Declare who carries out commands for a thing: all its actuators (`paths` None: its gateway, a device's
        bridge), the given leaves claimed exclusively (a provider: a leaf another provider holds is refused with
        AlreadyProvided, and then none is taken), or the given leaves watched (`OwnerKind.TARGET_WATCHER`: a
        kuksa.val v1 program subscribed to their targets). `hub/owners.py` says who wins when several are there."""
        thing = self._thing(thing_id)
        leaves = None if paths is None else list(paths)
        for path in leaves or ():
            self.metadata(thing.id, path)
        thing.owners.add(thing.id, owner, leaves, OwnerKind.GATEWAY if leaves is None else kind)

    def unregister_owner(self, thing_id: str, owner: ActuationOwner) -> None:
        """The owner went away: it carries out nothing more on this thing; the next in line takes over."""
        self._thing(thing_id).owners.remove(owner)

    async def command(self, principal: str, thing_id: str, path: str, target: object, *,
                      command_id: str | None = None, timeout: float | None = None) -> Command:
        """Ask an actuator to reach `target`. Returns the command, usually pending; see `CommandState`."""
        if command_id is not None:
            existing = self._book.get(command_id)
            if existing is not None:
                if (existing.thing, existing.path, existing.target) != (self._thing(thing_id).id, path, target):
                    raise CommandConflict(f"command id {command_id!r} was already used for {existing.thing} "
                                          f"{existing.path} = {existing.target!r}")
                return existing
        thing = self._thing(thing_id)
        meta = self.metadata(thing.id, path)
        if meta.kind is not SignalKind.ACTUATOR:
            raise CommandRejected(thing.id, path, f"is a {meta.kind.value}; only actuators take commands",
                                  ErrorCode.NOT_ACTUATOR)
        try:
            value = thing.catalog.validators[path](target)
        except InvalidValue as error:
            raise RejectedValue(thing.id, path, target, error.reason, meta.describe_valid()) from None
        refusal = self.safety.refusal(path, value, thing.current)
        if refusal is not None:
            raise CommandRejected(thing.id, path, refusal, ErrorCode.UNSAFE)
        owner = thing.owners.owner_of(path)
        if owner is None and thing.unowned_commands == "fail":
            raise CommandRejected(thing.id, path, "no provider is connected to carry out this command",
                                  ErrorCode.UNAVAILABLE)
        now = time.time()
        command = Command(command_id or uuid.uuid4().hex, thing.id, path, value, principal, now,
                          now + (self.default_command_timeout if timeout is None else timeout), updated_at=now)
        previous = thing.pending.get(path)
        if previous is not None:
            self._book.finish(previous, CommandState.FAILED, f"superseded by command {command.id}", now)
        self._book.remember(command)
        thing.targets[path] = (value, now, principal)
        self._publish_target(thing, path, value, now, principal)
        current = thing.current.get(path)
        if current is not None and reached(current[0], value):
            self._book.finish(command, CommandState.CONFIRMED, "already at target", now)
            return command
        thing.pending[path] = command
        self._book.notify(command)
        self._book.arm(command)
        if owner is not None:
            try:
                await owner.actuate(command)
            except HomeboundError as error:
                self._book.finish(command, CommandState.FAILED, str(error), time.time())
            except Exception as error:
                log.exception("owner of %s %s failed on command %s", thing.id, path, command.id)
                self._book.finish(command, CommandState.FAILED, f"provider error: {error}", time.time())
        return command

    def fail_command(self, command_id: str, reason: str) -> Command:
        """For owners: the thing refused or could not carry out the command."""
        command = self.get_command(command_id)
        if not command.state.is_final:
            self._book.finish(command, CommandState.FAILED, reason, time.time())
        return command

    def _publish_target(self, thing: ThingState, path: str, value: Value, ts: float, principal: str) -> None:
        watchers = thing.watchers[Field.TARGET]
        if watchers:
            self._fan_out(thing.id, Field.TARGET, watchers, [(path, value)], ts)
        if self._listeners:
            batch = ChangeBatch(thing.id, Field.TARGET, ts, principal, [(path, value)])
            for listener in self._listeners:
                listener(batch)

    # ---- restore after restart ----------------------------------------------------------------------------

    def restore(self, thing_id: str, current: Mapping[str, tuple[object, float, str]],
                targets: Mapping[str, tuple[object, float, str]]) -> list[str]:
        """Load persisted state without publishing it. Returns a warning for each value the catalog now refuses."""
        thing = self._thing(thing_id)
        warnings: list[str] = []
        for side, entries in ((thing.current, current), (thing.targets, targets)):
            for path, (raw, ts, principal) in entries.items():
                check = thing.catalog.validators.get(path)
                if check is None:
                    warnings.append(f"{thing.id}: {path}: stored value dropped: no longer in the catalog")
                    continue
                try:
                    side[path] = (check(raw), ts, principal)
                except InvalidValue as error:
                    warnings.append(f"{thing.id}: {path}: stored value dropped: {error.reason}")
        return warnings

    def restore_command(self, command: Command) -> None:
        """Resume a persisted pending command: it keeps its deadline, or times out now if that has passed."""
        thing = self._thing(command.thing)
        self._book.remember(command)
        if command.state.is_final:
            return
        if command.deadline <= time.time():
            self._book.finish(command, CommandState.TIMED_OUT, "the deadline passed while the hub was down",
                              time.time())
            return
        thing.pending[command.path] = command
        self._book.arm(command)

    def close(self) -> None:
        self._book.close()
        for subscription in list(self._subscriptions):
            subscription.close()
