"""The automation engine: watches the hub through a trigger index, runs automations by their mode, keeps traces,
and persists what must survive a restart (pending `for` timers, top-level delays, zone and proximity state).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

from homebound.automations.actions import ActionRunner, RunContext, StopRun
from homebound.automations.clock import run_clock_trigger
from homebound.automations.conditions import ConditionChecker
from homebound.automations.locations import LocationTracking
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
from homebound.automations.watches import DeviceEventWatch, NumericWatch, StateWatch, numeric_in_range
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.events import ChangeBatch, Field
from homebound.model.errors import HomeboundError
from homebound.model.geometry import Zone
from homebound.storage.automation_store import AutomationStore

log = logging.getLogger(__name__)

Handler = Callable[[object, object, float], None]


@dataclass
class AutomationState:
    automation: Automation
    running: list[asyncio.Task[None]] = field(default_factory=list)
    queued: list[dict[str, object]] = field(default_factory=list)
    fired: int = 0


class AutomationEngine:
    """Runs automations against the hub. Load with `load()`, then `start()`."""

    def __init__(self, hub: Hub, zones: list[Zone], store: AutomationStore | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, debounce_s: float = 30.0) -> None:
        self.hub = hub
        self.store = store
        self.clock = clock
        self.debounce_s = debounce_s
        self.automations: dict[str, AutomationState] = {}
        self.traces = TraceLog()
        self.conditions = ConditionChecker(hub, lambda thing, zone: self.locations.presence(thing, zone), clock)
        self.runner = ActionRunner(self)
        self.load_errors: list[str] = []
        self._index: dict[str, dict[str, list[tuple[str, Handler]]]] = {}
        self._last: dict[str, dict[str, object]] = {}
        self.locations = LocationTracking(hub, debounce_s, self._save, self._persisted_value)
        self.zones = {zone.id: zone for zone in zones}
        self._car_watches: dict[str, list[tuple[str, CarEventTrigger, Callable[[dict[str, object]], None]]]] = {}
        self._command_watches: list[tuple[str, CommandTrigger, Callable[[dict[str, object]], None]]] = []
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: dict[str, list[asyncio.Task[None]]] = {}
        self._command_waiters: dict[str, asyncio.Future[None]] = {}
        self._persisted: dict[str, object] = {}
        self._started = False
        self._stopping = False
        self._pending_clock: list[tuple[str, TimeTrigger | IntervalTrigger, Callable[[dict[str, object]], None]]] = []
        self._location_dirty: set[str] = set()
        self.on_run: list[Callable[[Trace], None]] = []
        # Simulated seconds per real second, when `clock` is a simulation's (the demo): clock triggers wait
        # in simulated time. `for` timers and delays stay in real seconds.
        self.time_scale = 1.0

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
            if isinstance(thing, str) and isinstance(path, str):
                try:
                    self.hub.get(thing, path)
                except HomeboundError as error:
                    if "unknown thing" not in str(error):
                        return f"{where}: {error}"
        return None

    # ---- the trigger index --------------------------------------------------------------------------------

    def watch_triggers(self, owner: str, triggers: list[Trigger], fire: Callable[[dict[str, object]], None],
                       indexed: bool = False) -> None:
        for number, trigger in enumerate(triggers):
            key = f"for:{owner}:{number}"

            def arm(seconds: float, details: dict[str, object], key: str = key,
                    fire: Callable[[dict[str, object]], None] = fire) -> None:
                self._arm_for(key, seconds, details, fire, persist=indexed)

            def disarm(key: str = key) -> None:
                self._disarm_for(key)

            def fired(details: dict[str, object], trigger: Trigger = trigger, number: int = number) -> None:
                fire({**details, "trigger_index": number, "trigger_id": trigger.id})

            self._watch(owner, trigger, fired, arm, disarm)

    def _watch(self, owner: str, trigger: Trigger, fire: Callable[[dict[str, object]], None],
               arm: Callable[[float, dict[str, object]], None], disarm: Callable[[], None]) -> None:
        if isinstance(trigger, StateTrigger):
            self._add(owner, trigger.thing, trigger.path, StateWatch(trigger, fire, arm, disarm))
        elif isinstance(trigger, NumericStateTrigger):
            self._add(owner, trigger.thing, trigger.path, NumericWatch(trigger, fire, arm, disarm))
        elif isinstance(trigger, DeviceEventTrigger):
            self._add(owner, trigger.thing, trigger.path, DeviceEventWatch(trigger, fire))
        elif isinstance(trigger, ZoneTrigger | ProximityTrigger | ArrivalTrigger):
            self.locations.watch(owner, trigger, fire)
            for path in self.locations.paths(trigger.thing):
                self._add(owner, trigger.thing, path, self._location_changed(trigger.thing))
        elif isinstance(trigger, CarEventTrigger):
            self._car_watches.setdefault(trigger.thing, []).append((owner, trigger, fire))
        elif isinstance(trigger, CommandTrigger):
            self._command_watches.append((owner, trigger, fire))
        elif isinstance(trigger, TimeTrigger | IntervalTrigger):
            self._tasks.setdefault(owner, [])
            if self._started:
                self._tasks[owner].append(asyncio.create_task(self._clock(trigger, fire)))
            else:
                self._pending_clock.append((owner, trigger, fire))

    def _add(self, owner: str, thing: str, path: str, handler: Handler) -> None:
        self._index.setdefault(thing, {}).setdefault(path, []).append((owner, handler))

    def unwatch(self, owner: str) -> None:
        for paths in self._index.values():
            for path in list(paths):
                paths[path] = [(o, h) for o, h in paths[path] if o != owner]
                if not paths[path]:
                    del paths[path]
        self.locations.unwatch(owner)
        for thing in list(self._car_watches):
            self._car_watches[thing] = [w for w in self._car_watches[thing] if w[0] != owner]
        self._command_watches = [w for w in self._command_watches if w[0] != owner]
        for task in self._tasks.pop(owner, []):
            task.cancel()
        self._pending_clock = [p for p in self._pending_clock if p[0] != owner]
        for key in [k for k in self._timers if k.startswith(f"for:{owner}:")]:
            self._disarm_for(key)

    # ---- the hub's stream ---------------------------------------------------------------------------------

    def on_batch(self, batch: ChangeBatch) -> None:
        """Called inline by `Hub.ingest` for every accepted batch: one dict lookup per unwatched datapoint."""
        index = self._index.get(batch.thing)
        if index is None or batch.field is not Field.VALUE:
            return
        thing = batch.thing
        last = self._last.get(thing)
        if last is None:
            last = self._last[thing] = {}
        ts = batch.ts
        for path, value in batch.changes:
            handlers = index.get(path)
            if handlers is None:
                continue
            previous = last.get(path)
            last[path] = value
            # Handlers never add or remove watches synchronously (runs start as tasks), so no copy is needed.
            for _owner, handler in handlers:
                try:
                    handler(value, previous, ts)
                except Exception:
                    log.exception("trigger on %s %s failed", thing, path)
        pending = self._location_dirty
        if pending:
            self._location_dirty = set()
            for dirty in pending:
                self.locations.update(dirty, batch.ts)

    def _location_changed(self, thing: str) -> Handler:
        def mark(_value: object, _previous: object, _ts: float) -> None:
            self._location_dirty.add(thing)
        return mark

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

    async def wait_for_command(self, command_id: str) -> None:
        command = self.hub.get_command(command_id)
        if command.state.is_final:
            return
        waiter = self._command_waiters.setdefault(command_id, asyncio.get_running_loop().create_future())
        await waiter

    def car_event(self, thing: str, event: str, details: dict[str, object]) -> None:
        """A car event from the session tracker (`homebound.history`): fire the triggers waiting for it, with the
        session's figures as trigger data."""
        watches = self._car_watches.get(thing)
        if not watches:
            return
        for _owner, trigger, fire in list(watches):
            if trigger.event == event:
                fire({**details, "kind": "car", "thing": thing, "event": event})

    def notify_path(self, thing: str) -> str | None:
        try:
            signals = self.hub.thing(thing).catalog.signals
        except HomeboundError:
            return None
        return next((p for p in sorted(signals) if p.startswith("Notify.") and p.endswith(".Message")), None)

    # ---- `for` timers -------------------------------------------------------------------------------------

    def _arm_for(self, key: str, seconds: float, details: dict[str, object],
                 fire: Callable[[dict[str, object]], None], persist: bool, deadline: float | None = None) -> None:
        if key in self._timers:
            return  # already counting: `for` measures from the first matching change
        deadline = deadline if deadline is not None else time.time() + seconds
        loop = asyncio.get_running_loop()

        def expire() -> None:
            self._timers.pop(key, None)
            self._save(key, None)
            fire({**details, "for_s": seconds})

        self._timers[key] = loop.call_later(max(0.0, deadline - time.time()), expire)
        if persist:
            self._save(key, {"deadline": deadline, "seconds": seconds, "details": details})

    def _disarm_for(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
            self._save(key, None)

    # ---- running ------------------------------------------------------------------------------------------

    def fire(self, automation_id: str, details: dict[str, object]) -> None:
        state = self.automations.get(automation_id)
        if state is None or not state.automation.enabled:
            return
        state.running = [t for t in state.running if not t.done()]
        automation = state.automation
        if state.running:
            if automation.mode == "single":
                self._skipped(automation.id, details, "already running (mode: single)")
                return
            if automation.mode == "restart":
                for task in state.running:
                    task.cancel()
            elif automation.mode == "queued":
                if len(state.queued) + len(state.running) >= automation.max:
                    self._skipped(automation.id, details, f"queue full (max: {automation.max})")
                else:
                    state.queued.append(details)
                return
            elif automation.mode == "parallel" and len(state.running) >= automation.max:
                self._skipped(automation.id, details, f"{automation.max} runs already (mode: parallel)")
                return
        self._start_run(state, details)

    def _skipped(self, automation_id: str, details: dict[str, object], why: str) -> None:
        trace = Trace(automation_id, details)
        trace.finish("skipped", why)
        self.traces.add(trace)

    def _start_run(self, state: AutomationState, details: dict[str, object], start: int = 0,
                   resume_deadline: float | None = None) -> None:
        state.fired += 1
        trace = Trace(state.automation.id, dict(details))
        self.traces.add(trace)
        for listener in self.on_run:
            listener(trace)
        task = asyncio.create_task(self._run(state, trace, start, resume_deadline))

        def ended(_task: asyncio.Task[None]) -> None:
            if trace.result == "running":  # cancelled before it began
                trace.finish("cancelled", "restarted" if state.automation.mode == "restart" else "stopped")

        task.add_done_callback(ended)
        state.running.append(task)

    async def _run(self, state: AutomationState, trace: Trace, start: int, resume_deadline: float | None) -> None:
        automation = state.automation
        key = f"resume:{automation.id}:{trace.run_id}"
        ctx = RunContext(automation.id, trace, trace.trigger, f"automation:{automation.id}",
                         on_delay=lambda index, deadline: self._save(key, {
                             "automation": automation.id, "next": index + 1, "deadline": deadline,
                             "trigger": trace.trigger}),
                         after_delay=lambda: self._save(key, None))
        try:
            if start == 0:
                for condition in automation.conditions:
                    if not self.conditions.check(condition, trace.conditions):
                        trace.finish("condition_failed")
                        return
            else:
                remaining = max(0.0, (resume_deadline or 0) - time.time())
                step = trace.step("delay", seconds=round(remaining, 3), resumed_after_restart=True)
                await asyncio.sleep(remaining)
                self._save(key, None)
                step.finished, step.outcome = time.time(), "completed"
            await self.runner.run(automation.actions, ctx, top_level=True, start=start)
            trace.finish("completed")
        except StopRun as stop:
            trace.finish(stop.result, stop.message)
        except asyncio.CancelledError:
            trace.finish("cancelled", "restarted" if automation.mode == "restart" else "stopped")
            if not self._stopping:
                self._save(key, None)
            raise
        except Exception as error:
            log.exception("automation %s failed", automation.id)
            trace.finish("error", str(error))
        finally:
            if state.queued and not self._stopping:
                self._start_run(state, state.queued.pop(0))

    # ---- clock triggers -----------------------------------------------------------------------------------

    def _clock(self, trigger: TimeTrigger | IntervalTrigger,
               fire: Callable[[dict[str, object]], None]) -> Coroutine[object, object, None]:
        return run_clock_trigger(trigger, fire, lambda: self.clock(), lambda: self.time_scale)

    @property
    def zones(self) -> dict[str, Zone]:
        return self.locations.zones

    @zones.setter
    def zones(self, zones: dict[str, Zone]) -> None:
        self.locations.zones = zones

    def zone_presence(self, thing: str, zone_id: str) -> bool | None:
        return self.locations.presence(thing, zone_id)

    def direction(self, thing: str, zone_id: str) -> str:
        return self.locations.direction(thing, zone_id)

    def _persisted_value(self, key: str) -> object:
        return self._persisted.get(key)

    # ---- persistence --------------------------------------------------------------------------------------

    def _save(self, key: str, value: object | None) -> None:
        if self.store is None:
            return
        if value is None:
            if self._persisted.pop(key, None) is not None:
                self.store.delete(key)
        else:
            self._persisted[key] = value
            self.store.put(key, value)

    async def start(self) -> None:
        """Attach to the hub, start clock triggers, and resume what was pending before a restart."""
        if self.store is not None:
            self._persisted = await asyncio.to_thread(self.store.load)
        self.hub.add_listener(self.on_batch)
        self.hub.add_command_listener(self.on_command)
        self._started = True
        for owner, trigger, fire in self._pending_clock:
            self._tasks.setdefault(owner, []).append(asyncio.create_task(self._clock(trigger, fire)))
        self._pending_clock = []
        self._resume(drop_unknown=bool(self.automations))

    def _resume(self, drop_unknown: bool) -> None:
        """Re-arm saved `for` timers and resume saved delays of the loaded automations. State of automations
        not loaded is kept until a load shows they are gone (`drop_unknown`)."""
        for key, saved in list(self._persisted.items()):
            if not isinstance(saved, dict) or not key.startswith(("for:", "resume:")):
                continue
            owner = key.split(":", 2)[1]
            if owner not in self.automations:
                if drop_unknown:
                    self._save(key, None)
                continue
            if key.startswith("for:"):
                self._resume_for(key, saved)
            elif key.startswith("resume:"):
                state = self.automations.get(str(saved.get("automation")))
                self._save(key, None)
                if state is not None and isinstance(saved.get("next"), int):
                    details = dict(saved.get("trigger") or {})
                    details["resumed"] = True
                    self._start_run(state, details, start=int(saved["next"]),
                                    resume_deadline=float(saved.get("deadline", 0)))

    def _resume_for(self, key: str, saved: dict[str, object]) -> None:
        _, owner, number = key.split(":", 2)
        state = self.automations.get(owner)
        details = saved.get("details")
        if state is None or not isinstance(details, dict) or not number.isdigit():
            self._save(key, None)
            return
        trigger = state.automation.triggers[int(number)] if int(number) < len(state.automation.triggers) else None
        if not isinstance(trigger, StateTrigger | NumericStateTrigger):
            self._save(key, None)
            return
        entry = self.hub.thing(trigger.thing).current.get(trigger.path) if trigger.thing in {
            t.id for t in self.hub.things()} else None
        still = entry is not None and (
            (isinstance(trigger, StateTrigger) and (trigger.to is None or entry[0] in (
                trigger.to if isinstance(trigger.to, list) else [trigger.to])))
            or (isinstance(trigger, NumericStateTrigger) and numeric_in_range(trigger, entry[0]) is True)
        )
        if not still:
            self._save(key, None)
            return
        self._last.setdefault(trigger.thing, {})[trigger.path] = entry[0] if entry else None
        self._persisted[key] = saved
        def fire(resumed: dict[str, object], number: int = int(number), trigger_id: str | None = trigger.id) -> None:
            self.fire(owner, {**resumed, "trigger_index": number, "trigger_id": trigger_id})

        seconds, deadline = saved.get("seconds", 0), saved.get("deadline", 0)
        self._arm_for(key, float(seconds) if isinstance(seconds, int | float) else 0.0, {**details, "resumed": True},
                      fire, persist=False, deadline=float(deadline) if isinstance(deadline, int | float) else 0.0)

    async def stop(self) -> None:
        self._stopping = True
        for tasks in self._tasks.values():
            for task in tasks:
                task.cancel()
        for timer in self._timers.values():
            timer.cancel()
        for state in self.automations.values():
            for task in state.running:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*state.running, return_exceptions=True)
        if self.store is not None:
            await self.store.flush()

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

