"""Automations at fleet scale: each worker runs the automations of the cars it keeps.

An automation's *home* is the first thing its triggers name (else the first thing it names at all). It runs on the
worker keeping its home car; one that names no car runs on the worker holding the partition its id falls in, so
every automation runs on exactly one worker. When partitions move, each worker rebuilds its engine with the
automations it now hosts; their saved state (`for:` timers, runs waiting in a delay, zone trackers) is in the
shared `automation_state` table, keyed by automation and by car (automations/saved_state.py), so the new host
resumes it: a timer armed on a worker that died fires on the worker that took its car.

Saved state is written off the event loop as on one box: a worker killed in the very moment a timer was armed can
lose that one write (docs/cluster.md says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from homebound.automations.engine import AutomationEngine
from homebound.automations.loader import load_paths
from homebound.automations.saved_state import ForTimerKey, ResumeKey, ZoneKey, parse_key
from homebound.automations.schema import Automation, ZoneConfig, walk
from homebound.automations.traces import Trace
from homebound.cluster.layout import partition_of
from homebound.hub.relay import RelayingHub
from homebound.model.geometry import Zone
from homebound.storage.automation_store import AutomationStore

log = logging.getLogger(__name__)

REBUILD_AFTER_S = 0.5


def home_of(automation: Automation) -> str | None:
    """The thing an automation belongs to: the first its triggers name, else the first it names anywhere."""
    for where, item in walk(automation):
        if where.startswith("triggers") and isinstance(thing := getattr(item, "thing", None), str):
            return thing
    for _where, item in walk(automation):
        if isinstance(thing := getattr(item, "thing", None), str):
            return thing
    return None


class ScopedAutomationStore:
    """The automation store as one worker's engine sees it: only the saved state of the automations it hosts and
    of the cars it keeps is loaded (so resuming never drops another worker's state)."""

    def __init__(self, store: AutomationStore, automations: set[str], things: set[str]) -> None:
        self.store = store
        self.automations = automations
        self.things = things

    def load(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for text, value in self.store.load().items():
            key = parse_key(text)
            if (isinstance(key, ForTimerKey) and key.owner in self.automations) or (
                    isinstance(key, ResumeKey) and key.automation in self.automations) or (
                    isinstance(key, ZoneKey) and key.thing in self.things):
                out[text] = value
        return out

    def put(self, key: str, value: object) -> None:
        self.store.put(key, value)

    def delete(self, key: str) -> None:
        self.store.delete(key)

    async def flush(self) -> None:
        await self.store.flush()


class WorkerAutomations:
    """The engine of one worker, rebuilt with the automations it hosts whenever the cars it keeps change."""

    def __init__(self, hub: RelayingHub, store: AutomationStore, files: list[Path], zones: list[ZoneConfig],
                 partitions: int, debounce_s: float = 30.0) -> None:
        self.hub = hub
        self.store = store
        self.partitions = partitions
        self.debounce_s = debounce_s
        loaded = load_paths(files)
        self.problems = list(loaded.errors)
        self.automations = loaded.automations
        self.zones = {z.id: Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in [*zones, *loaded.zones]}
        self.engine: AutomationEngine | None = None
        self.hosted: set[str] = set()
        self._kept: set[str] = set()
        self._held: set[int] = set()
        self._rebuild: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.runs_before = 0

    def start(self) -> None:
        self.store.start()

    def kept_changed(self, kept: set[str], held: set[int]) -> None:
        """The worker keeps other cars now (it is called on every change; the engine is rebuilt once they settle)."""
        self._kept, self._held = set(kept), set(held)
        if self._rebuild is not None and not self._rebuild.done():
            self._rebuild.cancel()
        self._rebuild = asyncio.get_running_loop().create_task(self._rebuild_soon())

    def hosts(self, automation: Automation) -> bool:
        home = home_of(automation)
        if home is not None and self.hub.exists(home):
            return self.hub.describe(home).id in self._kept
        return partition_of(f"automation:{automation.id}", self.partitions) in self._held

    async def _rebuild_soon(self) -> None:
        await asyncio.sleep(REBUILD_AFTER_S)
        async with self._lock:
            hosted = [a for a in self.automations if self.hosts(a)]
            ids = {a.id for a in hosted}
            if ids == self.hosted and self.engine is not None:
                return
            await self._stop_engine()
            self.hosted = ids
            if not hosted:
                return
            engine = AutomationEngine(self.hub, list(self.zones.values()),
                                      ScopedAutomationStore(self.store, ids, set(self._kept)),
                                      debounce_s=self.debounce_s)
            for problem in engine.load(hosted):
                log.error("automation skipped: %s", problem)
            await engine.start()
            self.engine = engine
            log.info("automations hosted here: %s", ", ".join(sorted(ids)))

    async def _stop_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is None:
            return
        self.runs_before += engine.traces.runs
        await engine.stop()
        self.hub.remove_listener(engine.on_batch)
        self.hub.remove_command_listener(engine.on_command)

    async def stop(self) -> None:
        if self._rebuild is not None:
            self._rebuild.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rebuild
        async with self._lock:
            await self._stop_engine()
        await self.store.stop()

    def traces(self, automation_id: str) -> list[Trace]:
        return [] if self.engine is None else list(reversed(self.engine.traces.of(automation_id)))

    def stats(self) -> dict[str, object]:
        runs = self.runs_before + (0 if self.engine is None else self.engine.traces.runs)
        return {"loaded": len(self.automations), "hosted": sorted(self.hosted), "runs": runs,
                "problems": len(self.problems)}
