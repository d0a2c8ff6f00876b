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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from homebound.automations.actions import ActionRunner, RunContext, StopRun
from homebound.automations.car_events import WATCHED as CAR_PATHS
from homebound.automations.car_events import CarEventDetector
from homebound.automations.conditions import ConditionChecker
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
)
from homebound.automations.traces import Trace, TraceLog
from homebound.automations.tracking import Proximity, ZonePresence
from homebound.automations.watches import DeviceEventWatch, NumericWatch, StateWatch, numeric_in_range
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.events import ChangeBatch, Field
from homebound.model.errors import HomeboundError
from homebound.model.geometry import Zone, distance_m
from homebound.storage.automation_store import AutomationStore

log = logging.getLogger(__name__)

Handler = Callable[[object, object, float], None]
VEHICLE_LOCATION = ("Vehicle.CurrentLocation.Latitude", "Vehicle.CurrentLocation.Longitude",
                    "Vehicle.CurrentLocation.HorizontalAccuracy")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class LocationWatch:
    owner: str
    trigger: ZoneTrigger | ProximityTrigger | ArrivalTrigger
    fire: Callable[[dict[str, object]], None]
    armed: bool = True  # proximity and arrival fire once per approach, re-armed when the condition clears


@dataclass
class ZoneTrackers:
    presence: ZonePresence
    proximity: Proximity
    saved_at: float = 0.0


@dataclass
class AutomationState:
    automation: Automation
    running: list[asyncio.Task[None]] = field(default_factory=list)
    queued: list[dict[str, object]] = field(default_factory=list)
    fired: int = 0


class AutomationEngine:
    """Runs automations against the hub. Load with `load()`, then `start()`."""

    def __init__(self, hub: Hub, zones: list[Zone], store: AutomationStore | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, debounce_s: float = 30.0,
                 trip_end_after_s: float = 180.0) -> None:
        self.hub = hub
        self.zones = {zone.id: zone for zone in zones}
        self.store = store
        self.clock = clock
        self.debounce_s = debounce_s
        self.trip_end_after_s = trip_end_after_s
        self.automations: dict[str, AutomationState] = {}
        self.traces = TraceLog()
        self.conditions = ConditionChecker(hub, self.zone_presence, clock)
        self.runner = ActionRunner(self)
        self.load_errors: list[str] = []
        self._index: dict[str, dict[str, list[tuple[str, Handler]]]] = {}
        self._last: dict[str, dict[str, object]] = {}
        self._location_watches: dict[str, list[LocationWatch]] = {}
        self._trackers: dict[tuple[str, str], ZoneTrackers] = {}
        self._car: dict[str, CarEventDetector] = {}
        self._car_watches: dict[str, list[tuple[str, CarEventTrigger, Callable[[dict[str, object]], None]]]] = {}
        self._command_watches: list[tuple[str, CommandTrigger, Callable[[dict[str, object]], None]]] = []
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: dict[str, list[asyncio.Task[None]]] = {}
        self._command_waiters: dict[str, asyncio.Future[None]] = {}
        self._persisted: dict[str, object] = {}
        self._started = False
        self._stopping = False
        self._ticker: asyncio.Task[None] | None = None
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
        for where, item in _walk(automation):
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
            self._location_watches.setdefault(trigger.thing, []).append(LocationWatch(owner, trigger, fire))
            for path in self._location_paths(trigger.thing):
                self._add(owner, trigger.thing, path, self._location_changed(trigger.thing))
        elif isinstance(trigger, CarEventTrigger):
            self._car_watches.setdefault(trigger.thing, []).append((owner, trigger, fire))
            if trigger.thing not in self._car:
                self._car[trigger.thing] = CarEventDetector(functools.partial(self._car_event, trigger.thing),
                                                            self.trip_end_after_s)
            for path in CAR_PATHS:
                self._add(owner, trigger.thing, path, self._car_changed(trigger.thing, path))
        elif isinstance(trigger, CommandTrigger):
            self._command_watches.append((owner, trigger, fire))
        elif isinstance(trigger, TimeTrigger | IntervalTrigger):
            self._tasks.setdefault(owner, [])
            if self._started:
                self._tasks[owner].append(asyncio.create_task(self._clock_trigger(trigger, fire)))
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
        for thing in list(self._location_watches):
            self._location_watches[thing] = [w for w in self._location_watches[thing] if w.owner != owner]
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
                self._update_location(dirty, batch.ts)

    def _location_changed(self, thing: str) -> Handler:
        def mark(_value: object, _previous: object, _ts: float) -> None:
            self._location_dirty.add(thing)
        return mark

    def _car_changed(self, thing: str, path: str) -> Handler:
        def update(value: object, _previous: object, ts: float) -> None:
            self._car[thing].update(path, value, ts)
        return update

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

    # ---- zones, proximity, car events ---------------------------------------------------------------------

    def _location_paths(self, thing_id: str) -> tuple[str, ...]:
        try:
            signals = self.hub.thing(thing_id).catalog.signals
        except HomeboundError:
            return VEHICLE_LOCATION
        if VEHICLE_LOCATION[0] in signals:
            return VEHICLE_LOCATION
        found = [p for p in signals if p.endswith((".Latitude", ".Longitude", ".GpsAccuracy"))]
        return tuple(sorted(found)) or VEHICLE_LOCATION

    def _fix(self, thing_id: str) -> tuple[float, float, float] | None:
        paths = self._location_paths(thing_id)
        current = self.hub.thing(thing_id).current
        values = [current.get(p) for p in paths]
        lat = next((v[0] for p, v in zip(paths, values, strict=True) if v and p.endswith("Latitude")), None)
        lon = next((v[0] for p, v in zip(paths, values, strict=True) if v and p.endswith("Longitude")), None)
        acc = next((v[0] for p, v in zip(paths, values, strict=True) if v and p.endswith(("Accuracy",
                                                                                           "GpsAccuracy"))), 0.0)
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            return None
        return float(lat), float(lon), float(acc) if isinstance(acc, int | float) else 0.0

    def trackers(self, thing: str, zone_id: str) -> ZoneTrackers:
        key = (thing, zone_id)
        if key not in self._trackers:
            zone = self.zones[zone_id]
            trackers = ZoneTrackers(ZonePresence(zone, self.debounce_s), Proximity(zone))
            saved = self._persisted.get(f"zone:{thing}:{zone_id}")
            if isinstance(saved, dict):
                trackers.presence.restore(saved.get("presence", {}))
                trackers.proximity.restore(saved.get("proximity", {}))
            self._trackers[key] = trackers
        return self._trackers[key]

    def _update_location(self, thing: str, ts: float) -> None:
        fix = self._fix(thing)
        if fix is None:
            return
        lat, lon, accuracy = fix
        for zone_id in {w.trigger.zone for w in self._location_watches.get(thing, [])}:
            zone = self.zones[zone_id]
            trackers = self.trackers(thing, zone_id)
            centre = distance_m(zone.latitude, zone.longitude, lat, lon)
            change = trackers.presence.update(centre, accuracy, ts)
            direction = trackers.proximity.update(centre - zone.radius_m, ts)
            eta = trackers.proximity.minutes_to_arrival()
            details = {"thing": thing, "zone": zone_id, "distance_m": round(centre - zone.radius_m, 1),
                       "direction": direction, "eta_minutes": None if eta is None else round(eta, 1),
                       "latitude": lat, "longitude": lon, "accuracy_m": accuracy, "ts": ts}
            for watch in list(self._location_watches.get(thing, [])):
                if watch.trigger.zone == zone_id:
                    self._location_trigger(watch, change, trackers, details)
            if change is not None or time.time() - trackers.saved_at > 10:
                trackers.saved_at = time.time()
                self._save(f"zone:{thing}:{zone_id}", {"presence": trackers.presence.to_json(),
                                                       "proximity": trackers.proximity.to_json()})

    @staticmethod
    def _location_trigger(watch: LocationWatch, change: str | None, trackers: ZoneTrackers,
                          details: dict[str, object]) -> None:
        trigger = watch.trigger
        if isinstance(trigger, ZoneTrigger):
            if change == trigger.event:
                watch.fire({"kind": "zone", "event": change, **details})
            return
        distance = trackers.proximity.distance_m
        if isinstance(trigger, ProximityTrigger):
            direction_ok = trigger.direction == "any" or trackers.proximity.direction == trigger.direction
            met = distance is not None and 0 < distance < trigger.below and direction_ok
        else:
            eta = trackers.proximity.minutes_to_arrival()
            met = eta is not None and 0 < eta < trigger.minutes_below and trackers.proximity.direction == "towards"
        if met and watch.armed:
            watch.armed = False
            watch.fire({"kind": trigger.trigger, **details})
        elif not met and (distance is None or distance <= 0 or (isinstance(trigger, ProximityTrigger)
                                                                 and distance >= trigger.below * 1.2)):
            watch.armed = True  # arrived, or moved clearly away: the next approach fires again

    def direction(self, thing: str, zone_id: str) -> str:
        """Towards, away, stationary or unknown: how `thing` moves relative to a zone it is watched against."""
        trackers = self._trackers.get((thing, zone_id))
        return trackers.proximity.direction if trackers else "unknown"

    def zone_presence(self, thing: str, zone_id: str) -> bool | None:
        if zone_id not in self.zones:
            return None
        trackers = self.trackers(thing, zone_id)
        if trackers.presence.inside is None:
            fix = self._fix(thing) if thing in {t.id for t in self.hub.things()} else None
            if fix is not None:
                zone = self.zones[zone_id]
                centre = distance_m(zone.latitude, zone.longitude, fix[0], fix[1])
                trackers.presence.update(centre, fix[2], time.time())
        return trackers.presence.inside

    def _car_event(self, thing: str, event: str, details: dict[str, object]) -> None:
        for _owner, trigger, fire in list(self._car_watches.get(thing, [])):
            if trigger.event == event:
                fire({"kind": "car", "thing": thing, "event": event, **details})

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

    async def _clock_trigger(self, trigger: TimeTrigger | IntervalTrigger,
                             fire: Callable[[dict[str, object]], None]) -> None:
        while True:
            if isinstance(trigger, IntervalTrigger):
                await asyncio.sleep(trigger.every / self.time_scale)
                fire({"kind": "interval", "every_s": trigger.every})
                continue
            now = self.clock()
            target = now.replace(hour=trigger.at.hour, minute=trigger.at.minute, second=trigger.at.second,
                                 microsecond=0)
            if target <= now:
                target += dt.timedelta(days=1)
            while trigger.weekday is not None and WEEKDAY_NAMES[target.weekday()] not in trigger.weekday:
                target += dt.timedelta(days=1)
            await asyncio.sleep((target - now).total_seconds() / self.time_scale)
            fire({"kind": "time", "at": trigger.at.isoformat(), "when": target.isoformat()})
            await asyncio.sleep(1.0)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.time()
            for detector in list(self._car.values()):
                detector.tick(now)

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
            self._tasks.setdefault(owner, []).append(asyncio.create_task(self._clock_trigger(trigger, fire)))
        self._pending_clock = []
        self._ticker = asyncio.create_task(self._tick())
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
        if self._ticker is not None:
            self._ticker.cancel()
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


def _walk(node: object, where: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every trigger, condition and action in an automation, nested ones included, with where it is."""
    if isinstance(node, BaseModel):
        if where:
            yield where, node
        for name in type(node).model_fields:
            value = getattr(node, name)
            label = name.rstrip("_")
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield from _walk(item, f"{where}.{label}[{index}]" if where else f"{label}[{index}]")
            elif isinstance(value, BaseModel):
                yield from _walk(value, f"{where}.{label}" if where else label)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{where}[{index}]")
