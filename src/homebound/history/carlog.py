"""The car logger: everything the history package does for a running hub, built, started and stopped together.

It listens to the hub (session tracking inline on ingest, writes off it), resumes the sessions that were open when
the hub last stopped, ends sessions of cars that went quiet (a tick a second), runs raw-history retention now and
then, gives the recorder its deadband filter, and answers queries (`queries`, a `SessionQueries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping

from homebound.history.config import EVERYWHERE, HistoryConfig
from homebound.history.deadband import DeadbandFilter
from homebound.history.places import Places
from homebound.history.retention import Retention, RetentionResult
from homebound.history.rules import LogRules
from homebound.history.session_queries import StoredSessions
from homebound.history.signals import WATCHED, Reading
from homebound.history.store import SessionStore
from homebound.history.tariffs import TariffBook
from homebound.history.tracker import SessionListener, SessionTracker
from homebound.history.writer import SessionWriter
from homebound.hub.core import Hub
from homebound.hub.errors import UnknownThing
from homebound.model.catalog import Catalog
from homebound.model.geometry import Zone
from homebound.storage.database import Database

log = logging.getLogger(__name__)
TICK_S = 1.0
FIRST_RETENTION_AFTER_S = 60.0


class CarLog:
    """Drives, charges, parking and raw-history upkeep for the configured vehicles."""

    def __init__(self, hub: Hub, database: Database, config: HistoryConfig, catalog: Catalog,
                 vehicles: Mapping[str, str | None], zones: Iterable[Zone] = (),
                 end_after_stationary_s: float = 180.0) -> None:
        """`vehicles`: each vehicle's id and VIN (or None)."""
        self.hub = hub
        self.config = config
        self.zone = config.zone()
        self.places = Places(zones)
        self.tariffs = TariffBook(config.tariffs, self.zone)
        self.store = SessionStore(database)
        self.writer = SessionWriter(self.store)
        drives, charges = config.drives, config.charges
        rules = LogRules(min_distance_m=drives.min_distance_m,
                         end_after_stationary_s=drives.end_after_stationary_s or end_after_stationary_s,
                         offline_end_s=drives.offline_end_s, max_gap_s=drives.max_gap_s,
                         merge_gap_s=charges.merge_gap_s, min_charge_power_w=charges.min_power_w,
                         checkpoint_s=config.checkpoint_s)
        self.tracker = SessionTracker(rules, self.places, self.tariffs, self.writer, dict(config.capacity_kwh))
        self._aliases: dict[str, str] = {}
        for vehicle, vin in vehicles.items():
            self.tracker.track(vehicle)
            self._aliases[vehicle] = vehicle
            if vin:
                self._aliases[vin] = vehicle
        self.deadband = DeadbandFilter(config.recording, catalog)
        self.retention = Retention(database, config.recording)
        self.queries = StoredSessions(self.store, self.zone, self.places, resolve=self.resolve,
                                      flush=self.writer.flush, live=self.open_sessions, capacity=self.capacity)
        self._tasks: list[asyncio.Task[None]] = []
        self.last_retention: RetentionResult | None = None

    def add_listener(self, listener: SessionListener) -> None:
        """Receive `drive_started`, `drive_ended`, `charge_started`, `charge_ended`, `plugged_in`, `unplugged`."""
        self.tracker.add_listener(listener)

    def set_zones(self, zones: Iterable[Zone]) -> list[str]:
        """Use these zones for places and tariffs; returns a problem per tariff naming an unknown zone."""
        self.places.zones = {zone.id: zone for zone in zones}
        return [f"history.tariffs: zone {zone!r} is not a configured zone "
                f"(zones: {', '.join(sorted(self.places.zones)) or 'none'}; '{EVERYWHERE}' prices everywhere else)"
                for zone in self.tariffs.zones() if zone not in self.places.zones]

    def resolve(self, vehicle: str) -> str:
        known = self._aliases.get(vehicle)
        if known is None:
            raise UnknownThing(vehicle[:128], sorted(set(self._aliases.values())))
        return known

    def open_sessions(self, vehicle: str) -> dict[str, object]:
        return self.tracker.logs[vehicle].open_sessions()

    def capacity(self, vehicle: str) -> tuple[float | None, float | None]:
        """(configured, reported by the car) usable capacity in kWh."""
        vehicle_log = self.tracker.logs.get(vehicle)
        reported = None if vehicle_log is None else vehicle_log.readings.number(Reading.NET_CAPACITY)
        return self.config.capacity_kwh.get(vehicle), reported

    async def start(self) -> list[str]:
        """Resume open sessions, attach to the hub, start the writer, the tick and retention; returns warnings."""
        states = await asyncio.to_thread(self.store.open_states)
        warnings = self.tracker.restore(states)
        for vehicle in self.tracker.logs:
            self.tracker.seed(vehicle, self._last_values(vehicle))
        self.hub.add_listener(self.tracker.on_batch)
        self.writer.start()
        self._tasks = [asyncio.create_task(self._tick(), name="car-log-tick"),
                       asyncio.create_task(self._retain(), name="history-retention")]
        return warnings

    def _last_values(self, vehicle: str) -> list[tuple[str, object, float]]:
        out: list[tuple[str, object, float]] = []
        for path in WATCHED:
            if not self.hub.exists(vehicle, path):
                continue  # not in this catalog
            reading = self.hub.read(vehicle, path)
            if reading is not None:
                out.append((path, reading.value, reading.ts))
        return out

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self.tracker.tick()

    async def _retain(self) -> None:
        await asyncio.sleep(FIRST_RETENTION_AFTER_S)
        while True:
            try:
                self.last_retention = await asyncio.to_thread(self.retention.run)
            except Exception as error:
                log.error("history retention failed: %s", str(error)[:300])
            await asyncio.sleep(self.config.recording.run_every_s)

    async def stop(self) -> None:
        """Save the open sessions (they resume at the next start) and write everything queued."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self.tracker.checkpoint_all()
        await self.writer.stop()

    def stats(self) -> dict[str, object]:
        return {**self.tracker.stats(), "writer": self.writer.stats(), "deadband": self.deadband.stats(),
                "retention": None if self.last_retention is None else self.last_retention.to_json()}
