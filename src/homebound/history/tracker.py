"""The session tracker: the hub listener that tells every vehicle's story as its data arrives.

`on_batch` runs inline on the ingest path, so it does one dictionary lookup per datapoint and hands the few
watched values of a batch to that vehicle's `VehicleLog`; all database work goes to the `SessionWriter`. Events
(`drive_started`, `drive_ended`, `charge_started`, `charge_ended`, `plugged_in`, `unplugged`) go to listeners,
the automation engine among them, with the session's figures as their data. A listener or a log that fails is
logged and counted; it never breaks ingest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from homebound.history.charges import Charge
from homebound.history.drives import Drive
from homebound.history.parked import ParkedPeriod
from homebound.history.places import Places
from homebound.history.rules import LogRules
from homebound.history.signals import WATCHED, Reading
from homebound.history.store import Points, Write
from homebound.history.tariffs import TariffBook
from homebound.history.vehicle_log import VehicleLog
from homebound.history.writer import SessionWriter
from homebound.hub.events import ChangeBatch, Field

log = logging.getLogger(__name__)

SessionListener = Callable[[str, str, dict[str, object]], None]
"""Called with (vehicle, event name, the session's figures)."""


class SessionTracker:
    """Every tracked vehicle's log, fed from the hub's stream; also the sink the logs report to."""

    def __init__(self, rules: LogRules, places: Places, tariffs: TariffBook, writer: SessionWriter | None = None,
                 capacities: dict[str, float] | None = None) -> None:
        self.rules = rules
        self.places = places
        self.tariffs = tariffs
        self.writer = writer
        self.capacities = capacities or {}
        self.logs: dict[str, VehicleLog] = {}
        self._listeners: list[SessionListener] = []
        self.errors = 0

    def track(self, vehicle: str) -> VehicleLog:
        """Tell this vehicle's story (a device's stream is never looked at)."""
        if vehicle not in self.logs:
            self.logs[vehicle] = VehicleLog(vehicle, self.rules, self.places, self.tariffs, self,
                                            self.capacities.get(vehicle))
        return self.logs[vehicle]

    def add_listener(self, listener: SessionListener) -> None:
        self._listeners.append(listener)

    # ---- the hub's stream (inline on ingest) ---------------------------------------------------------------

    def on_batch(self, batch: ChangeBatch) -> None:
        vehicle_log = self.logs.get(batch.thing)
        if vehicle_log is None or batch.field is not Field.VALUE:
            return
        watched = WATCHED
        hits: list[tuple[Reading, object]] | None = None
        for path, value in batch.changes:
            reading = watched.get(path)
            if reading is not None:
                if hits is None:
                    hits = [(reading, value)]
                else:
                    hits.append((reading, value))
        if hits is not None:
            try:
                vehicle_log.apply(batch.ts, hits)
            except Exception:
                self.errors += 1
                log.exception("session tracking of %s failed on a batch at %s", batch.thing[:64], batch.ts)

    def tick(self, now: float | None = None) -> None:
        """End sessions of cars that went quiet; called about once a second."""
        now = time.monotonic() if now is None else now
        for vehicle_log in self.logs.values():
            try:
                vehicle_log.tick(now)
            except Exception:
                self.errors += 1
                log.exception("session tracking of %s failed on a tick", vehicle_log.vehicle)

    def checkpoint_all(self) -> None:
        for vehicle_log in self.logs.values():
            vehicle_log.checkpoint()

    def restore(self, states: dict[str, dict[str, object]]) -> list[str]:
        """Resume saved open sessions; returns a warning per state that could not be read."""
        warnings = []
        for vehicle, state in states.items():
            if vehicle not in self.logs:
                continue
            try:
                self.logs[vehicle].restore(state)
            except ValueError as error:
                warnings.append(f"{vehicle}: saved open sessions not resumed: {error}")
        return warnings

    def seed(self, vehicle: str, values: Iterable[tuple[str, object, float]]) -> None:
        """Bring a vehicle's readings up to the hub's last known values of the watched signals (at start-up)."""
        self.track(vehicle).seed((WATCHED[path], value, ts) for path, value, ts in values if path in WATCHED)

    # ---- the sink the vehicle logs report to ---------------------------------------------------------------

    def event(self, vehicle: str, name: str, data: dict[str, object]) -> None:
        for listener in self._listeners:
            try:
                listener(vehicle, name, data)
            except Exception:
                self.errors += 1
                log.exception("listener of %s %s failed", vehicle, name)

    def drive_ended(self, drive: Drive, track: Points) -> None:
        self._put(Write.drive(drive, track))

    def charge_ended(self, charge: Charge, curve: Points) -> None:
        self._put(Write.charge(charge, curve))

    def parked_ended(self, period: ParkedPeriod) -> None:
        self._put(Write.parked(period))

    def track_points(self, drive_id: str, points: Points) -> None:
        self._put(Write("track", session=drive_id, points=points))

    def curve(self, charge_id: str, points: Points) -> None:
        self._put(Write("curve", session=charge_id, points=points))

    def checkpoint(self, vehicle: str, state: str | None) -> None:
        self._put(Write("checkpoint", vehicle=vehicle, state=state))

    def _put(self, write: Write) -> None:
        if self.writer is not None:
            self.writer.put(write)

    def stats(self) -> dict[str, object]:
        return {"errors": self.errors, "vehicles": {vehicle: vehicle_log.stats()
                                                   for vehicle, vehicle_log in self.logs.items()}}
