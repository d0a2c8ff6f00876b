"""The automation engine: wires the parts that each keep to one job and exposes what the app needs.

- `TriggerIndex` (trigger_index.py): which trigger watches which datapoint; fed inline by `Hub.ingest`.
- `LocationTriggers` (location_triggers.py): zones, proximity and arrival.
- car events (`car_event`): drives and charges as the car's story tells them (`homebound.history`).
- `ForTimers` (for_timers.py), `SavedState` (saved_state.py) and `resume_saved` (resume.py): what survives a
  restart.
- `RunScheduler` (runs.py) and `ActionRunner` (actions.py): runs by mode, and their actions, traced.
- `Clock` (clock.py): the one clock of conditions and time triggers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable

from homebound.automations.actions import ActionRunner
from homebound.automations.clock import Clock, run_clock_trigger
from homebound.automations.conditions import ConditionChecker
from homebound.automations.for_timers import ForTimers
from homebound.automations.location_triggers import LocationTriggers
from homebound.automations.resume import resume_saved
from homebound.automations.runs import AutomationState, RunScheduler
from homebound.automations.saved_state import ForTimerKey, KeyValueStore, SavedState
from homebound.automations.schema import (
    ArrivalTrigger,
    Automation,
    CarEventTrigger,
    CommandTrigger,
    DeviceEventTrigger,
    IntervalTrigger,
    NumericStateTrigger,
    ProximityTrigger,
    StateTrigger,
    TimeTrigger,
    Trigger,
    ZoneTrigger,
    walk,
)
from homebound.automations.traces import Trace, TraceLog
from homebound.automations.trigger_index import Handler, TriggerIndex
from homebound.automations.watches import DeviceEventWatch, NumericWatch, StateWatch
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.events import ChangeBatch
from homebound.model.errors import UnknownPath
from homebound.model.geometry import Zone

log = logging.getLogger(__name__)

Fire = Callable[[dict[str, object]], None]
ClockTrigger = TimeTrigger | IntervalTrigger


class AutomationEngine:
    """Runs automations against the hub. Load with `load()`, then `start()`."""

    def __init__(self, hub: Hub, zones: list[Zone], store: KeyValueStore | None = None,
                 debounce_s: float = 30.0) -> None:
        self.hub = hub
        self.clock = Clock()
        self.automations: dict[str, AutomationState] = {}
        self.load_errors: list[str] = []
        self.saved = SavedState(store)
        self.index = TriggerIndex()
        self.timers = ForTimers(self.saved)
        self.locations = LocationTriggers(hub, debounce_s, self.saved)
        self.locations.zones = {zone.id: zone for zone in zones}
        self.conditions = ConditionChecker(hub, self.locations.presence, self.clock)
        self.runs = RunScheduler(ActionRunner(hub, self.conditions, self), self.conditions, self.saved)
        self._car_watches: dict[str, list[tuple[str, CarEventTrigger, Fire]]] = {}
        self._command_watches: list[tuple[str, CommandTrigger, Fire]] = []
        self._clock_tasks: dict[str, list[asyncio.Task[None]]] = {}
        self._clock_waiting: list[tuple[str, ClockTrigger, Fire]] = []
        self._command_waiters: dict[str, asyncio.Future[None]] = {}
        self._location_dirty: set[str] = set()
        self._started = False

    @property
    def traces(self) -> TraceLog:
        return self.runs.traces

    @property
    def on_run(self) -> list[Callable[[Trace], None]]:
        return self.runs.on_run

    @property
    def zones(self) -> dict[str, Zone]:
        return self.locations.zones

    @zones.setter
    def zones(self, zones: dict[str, Zone]) -> None:
        self.locations.zones = zones

    # ---- loading ------------------------------------------------------------------------------------------

    def load(self, automations: list[Automation]) -> list[str]:
        """Replace the automations. Returns a problem per automation that was skipped (unknown zone, path...)."""
        for owner in list(self.automations):
            self.unwatch(owner)
        self.automations.clear()
        problems: list[str] = []
        for automation in automations:
            problem = self._check_references(automation)
            if problem:
                problems.append(f"automation {automation.id!r}: {problem}")
                continue
            self.automations[automation.id] = AutomationState(automation)
            if automation.enabled:
                self.watch_triggers(automation.id, automation.triggers, functools.partial(self.fire, automation.id),
                                    indexed=True)
        self.load_errors = problems
        for problem in problems:
            log.error("automation skipped: %s", problem)
        if self._started:
            self._resume(drop_unknown=True)
        return problems

    def _check_references(self, automation: Automation) -> str | None:
        """Zones must exist; paths must exist on things the hub knows (devices may join later: not checked)."""
        for where, item in walk(automation):
            zone = getattr(item, "zone", None)
            if isinstance(zone, str) and zone not in self.zones:
                return f"{where}: unknown zone {zone!r} (zones: {', '.join(self.zones) or 'none'})"
            thing, path = getattr(item, "thing", None), getattr(item, "path", None)
            if isinstance(thing, str) and isinstance(path, str) and self.hub.exists(thing):
                try:
                    self.hub.metadata(thing, path)
                except UnknownPath as error:
                    return f"{where}: {error}"
        return None

    # ---- watching -----------------------------------------------------------------------------------------

    def watch_triggers(self, owner: str, triggers: list[Trigger], fire: Fire, indexed: bool = False) -> None:
        """Watch triggers for `owner` (an automation, or a run's `wait_for_trigger`). Only `indexed` owners (the
        loaded automations) save their `for:` timers."""
        for number, trigger in enumerate(triggers):
            key = ForTimerKey(owner, number)

            def arm(seconds: float, details: dict[str, object], key: ForTimerKey = key, fire: Fire = fire) -> None:
                self.timers.arm(key, seconds, details, fire, persist=indexed)

            def disarm(key: ForTimerKey = key) -> None:
                self.timers.disarm(key)

            def fired(details: dict[str, object], trigger: Trigger = trigger, number: int = number) -> None:
                fire({**details, "trigger_index": number, "trigger_id": trigger.id})

            self._watch(owner, trigger, fired, arm, disarm)

    def _watch(self, owner: str, trigger: Trigger, fire: Fire, arm: Callable[[float, dict[str, object]], None],
               disarm: Callable[[], None]) -> None:
        if isinstance(trigger, StateTrigger):
            self.index.add(owner, trigger.thing, trigger.path, StateWatch(trigger, fire, arm, disarm))
        elif isinstance(trigger, NumericStateTrigger):
            self.index.add(owner, trigger.thing, trigger.path, NumericWatch(trigger, fire, arm, disarm))
        elif isinstance(trigger, DeviceEventTrigger):
            self.index.add(owner, trigger.thing, trigger.path, DeviceEventWatch(trigger, fire))
        elif isinstance(trigger, ZoneTrigger | ProximityTrigger | ArrivalTrigger):
            self.locations.watch(owner, trigger, fire)
            for path in self.locations.paths(trigger.thing):
                self.index.add(owner, trigger.thing, path, self._location_changed(trigger.thing))
        elif isinstance(trigger, CarEventTrigger):
            self._car_watches.setdefault(trigger.thing, []).append((owner, trigger, fire))
        elif isinstance(trigger, CommandTrigger):
            self._command_watches.append((owner, trigger, fire))
        elif isinstance(trigger, TimeTrigger | IntervalTrigger):
            self._clock_tasks.setdefault(owner, [])
            if self._started:
                self._clock_tasks[owner].append(asyncio.create_task(run_clock_trigger(trigger, fire, self.clock)))
            else:
                self._clock_waiting.append((owner, trigger, fire))

    def unwatch(self, owner: str) -> None:
        self.index.remove(owner)
        self.locations.unwatch(owner)
        for thing in list(self._car_watches):
            self._car_watches[thing] = [w for w in self._car_watches[thing] if w[0] != owner]
        self._command_watches = [w for w in self._command_watches if w[0] != owner]
        for task in self._clock_tasks.pop(owner, []):
            task.cancel()
        self._clock_waiting = [w for w in self._clock_waiting if w[0] != owner]
        self.timers.disarm_owner(owner)

    # ---- the hub's streams --------------------------------------------------------------------------------

    def on_batch(self, batch: ChangeBatch) -> None:
        """Called inline by `Hub.ingest` for every accepted batch: one dict lookup per unwatched datapoint."""
        self.index.dispatch(batch)
        pending = self._location_dirty
        if pending:
            self._location_dirty = set()
            for thing in pending:
                self.locations.update(thing, batch.ts)

    def _location_changed(self, thing: str) -> Handler:
        def mark(_value: object, _previous: object, _ts: float) -> None:
            self._location_dirty.add(thing)
        return mark

    def car_event(self, thing: str, event: str, details: dict[str, object]) -> None:
        """A car event from the session tracker (`homebound.history`): fire the triggers waiting for it, with the
        session's figures as trigger data."""
        for _owner, trigger, fire in list(self._car_watches.get(thing, [])):
            if trigger.event == event:
                fire({**details, "kind": "car", "thing": thing, "event": event})

    def on_command(self, command: Command) -> None:
        if command.state.is_final:
            waiter = self._command_waiters.pop(command.id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        for _owner, trigger, fire in list(self._command_watches):
            if command.state.value != trigger.outcome:
                continue
            if (trigger.thing and trigger.thing != command.thing) or (trigger.path and trigger.path != command.path):
                continue
            fire({"kind": "command", "thing": command.thing, "path": command.path, "outcome": command.state.value,
                  "command": command.id, "principal": command.principal, "reason": command.reason})

    # ---- what actions ask of the engine (see actions.ActionHost) ------------------------------------------

    async def wait_for_command(self, command_id: str) -> None:
        command = self.hub.get_command(command_id)
        if command.state.is_final:
            return
        waiter = self._command_waiters.setdefault(command_id, asyncio.get_running_loop().create_future())
        await waiter

    def notify_path(self, thing: str) -> str | None:
        if not self.hub.exists(thing):
            return None
        signals = self.hub.describe(thing).catalog.signals
        return next((p for p in sorted(signals) if p.startswith("Notify.") and p.endswith(".Message")), None)

    # ---- running ------------------------------------------------------------------------------------------

    def fire(self, automation_id: str, details: dict[str, object]) -> None:
        state = self.automations.get(automation_id)
        if state is not None:
            self.runs.fire(state, details)

    def zone_presence(self, thing: str, zone_id: str) -> bool | None:
        return self.locations.presence(thing, zone_id)

    def direction(self, thing: str, zone_id: str) -> str:
        return self.locations.direction(thing, zone_id)

    # ---- start and stop -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Attach to the hub, start clock triggers, and resume what was pending before a restart."""
        await asyncio.to_thread(self.saved.load)
        self.hub.add_listener(self.on_batch)
        self.hub.add_command_listener(self.on_command)
        self._started = True
        for owner, trigger, fire in self._clock_waiting:
            self._clock_tasks.setdefault(owner, []).append(
                asyncio.create_task(run_clock_trigger(trigger, fire, self.clock)))
        self._clock_waiting = []
        self._resume(drop_unknown=bool(self.automations))

    def _resume(self, drop_unknown: bool) -> None:
        resume_saved(self.saved, self.automations, self.hub, self.index, self.timers, self.runs, self.fire,
                     drop_unknown)

    async def stop(self) -> None:
        self.runs.stopping = True
        for tasks in self._clock_tasks.values():
            for task in tasks:
                task.cancel()
        self.timers.cancel_all()
        for state in self.automations.values():
            for task in state.running:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*state.running, return_exceptions=True)
        await self.saved.flush()

    def summary(self) -> list[dict[str, object]]:
        out = []
        for state in self.automations.values():
            last = self.traces.last(state.automation.id)
            out.append({"id": state.automation.id, "alias": state.automation.alias,
                        "enabled": state.automation.enabled, "mode": state.automation.mode,
                        "triggers": [t.trigger for t in state.automation.triggers], "runs": state.fired,
                        "running": sum(1 for t in state.running if not t.done()),
                        "last_run": None if last is None else {"started": last.started, "result": last.result}})
        return out
