"""Raw history keeps what changed: a deadband per signal, applied by the recorder before it buffers a batch.

- A number is recorded when it moved at least `delta` from the last recorded value (speed: 1 km/h by default).
- The position (`Vehicle.CurrentLocation.Latitude` and `Longitude`, always kept or dropped together) is recorded
  when the fix is at least `distance_m` from the last recorded one (10 m by default).
- Anything else is recorded when it differs from the last recorded value (a car that repeats `false` every
  second writes it once).
- Every signal is recorded at least every `max_interval_s` (five minutes), so a chart never has a hole longer.

A value held back stays the "tail" of its signal; once it has been the latest for `settle_s` (wall seconds), or
when the recorder stops, it is written too. So the last value of every signal reaches the database (and the
latest values a restart restores are exact), while a value that keeps wobbling within the deadband costs one row
per settle, not one per second.

Rules come from, in order: the configuration (`history.recording.signals`, by leaf, branch or wildcard), the
catalog (a `deadband` number in a signal's overlay entry), the built-in defaults below; otherwise exact change.
The filter runs inline on the ingest path: per datapoint, a rule lookup and a comparison.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from homebound.history.config import DeadbandRule, RecordingConfig
from homebound.history.signals import LATITUDE, LONGITUDE
from homebound.hub.events import ChangeBatch, Field
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError, UnknownPath
from homebound.model.geometry import distance_m
from homebound.model.signal import Value

DEFAULT_RULES: dict[str, DeadbandRule] = {
    "Vehicle.Speed": DeadbandRule(delta=1.0),
    LATITUDE: DeadbandRule(distance_m=10.0),
    LONGITUDE: DeadbandRule(distance_m=10.0),
    "Vehicle.CurrentLocation.Heading": DeadbandRule(delta=5.0),
    "Vehicle.CurrentLocation.HorizontalAccuracy": DeadbandRule(delta=10.0),
    "Vehicle.CurrentLocation.Altitude": DeadbandRule(delta=5.0),
    "Vehicle.Acceleration.Longitudinal": DeadbandRule(delta=0.5),
    "Vehicle.Acceleration.Lateral": DeadbandRule(delta=0.5),
    "Vehicle.Acceleration.Vertical": DeadbandRule(delta=0.5),
    "Vehicle.Powertrain.TractionBattery.CurrentPower": DeadbandRule(delta=500.0),
    "Vehicle.Powertrain.TractionBattery.CurrentCurrent": DeadbandRule(delta=2.0),
    "Vehicle.Powertrain.TractionBattery.CurrentVoltage": DeadbandRule(delta=2.0),
    "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": DeadbandRule(delta=0.1),
    "Vehicle.Powertrain.TractionBattery.StateOfCharge.CurrentEnergy": DeadbandRule(delta=0.05),
    "Vehicle.Powertrain.TractionBattery.AccumulatedConsumedEnergy": DeadbandRule(delta=0.05),
    "Vehicle.Powertrain.TractionBattery.AccumulatedChargedEnergy": DeadbandRule(delta=0.05),
    "Vehicle.Powertrain.TractionBattery.Range": DeadbandRule(delta=1000.0),
    "Vehicle.Powertrain.Range": DeadbandRule(delta=1000.0),
    "Vehicle.TraveledDistance": DeadbandRule(delta=100.0),
    "Vehicle.Powertrain.ElectricMotor.Speed": DeadbandRule(delta=100.0),
    "Vehicle.Powertrain.ElectricMotor.Power": DeadbandRule(delta=1.0),
    "Vehicle.Powertrain.ElectricMotor.Torque": DeadbandRule(delta=5.0),
    "Vehicle.Cabin.HVAC.AmbientAirTemperature": DeadbandRule(delta=0.2),
    "Vehicle.Exterior.AirTemperature": DeadbandRule(delta=0.2),
}

EXACT, NUMBER, POSITION = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: int
    threshold: float
    max_interval_s: float


class DeadbandError(HomeboundError):
    pass


class DeadbandFilter:
    """Decides which accepted values the recorder writes; keeps the last recorded value of each signal."""

    def __init__(self, config: RecordingConfig, catalog: Catalog | None = None) -> None:
        self.enabled = config.deadband
        self.max_interval_s = config.max_interval_s
        self.settle_s = config.settle_s
        self._configured: dict[str, DeadbandRule] = {}
        for pattern, rule in config.signals.items():
            paths = [pattern]
            if catalog is not None:
                try:
                    paths = catalog.expand(pattern)
                except UnknownPath as error:
                    raise DeadbandError(f"history.recording.signals: {error}") from None
            for path in paths:
                if rule.distance_m is not None and path not in (LATITUDE, LONGITUDE):
                    raise DeadbandError(f"history.recording.signals: {pattern}: distance_m applies to the position "
                                        f"({LATITUDE}, {LONGITUDE}) only; use delta for {path}")
                self._configured[path] = rule
        self._catalog = catalog
        self._rules: dict[str, _Rule] = {}
        self._recorded: dict[str, dict[str, tuple[Value, float]]] = {}
        self._tails: dict[tuple[str, str], tuple[Value, float, str, float]] = {}
        self.held_back = 0

    def rule(self, path: str) -> _Rule:
        """The compiled rule of a path (cached)."""
        compiled = self._rules.get(path)
        if compiled is None:
            source = self._configured.get(path) or self._catalog_rule(path) or DEFAULT_RULES.get(path)
            interval = source.max_interval_s if source is not None and source.max_interval_s else self.max_interval_s
            if source is not None and source.distance_m is not None:
                compiled = _Rule(POSITION, source.distance_m, interval)
            elif source is not None and source.delta is not None:
                compiled = _Rule(NUMBER, source.delta, interval)
            else:
                compiled = _Rule(EXACT, 0.0, interval)
            self._rules[path] = compiled
        return compiled

    def _catalog_rule(self, path: str) -> DeadbandRule | None:
        meta = self._catalog.signals.get(path) if self._catalog is not None else None
        value = meta.extra.get("deadband") if meta is not None else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return DeadbandRule(distance_m=float(value)) if path in (LATITUDE, LONGITUDE) else DeadbandRule(
                delta=float(value))
        return None

    # ---- the recorder's hook (inline on ingest) -----------------------------------------------------------

    def admit(self, batch: ChangeBatch) -> ChangeBatch | None:
        """The part of a batch worth recording (the batch itself when all of it is), None when nothing is."""
        if not self.enabled or batch.field is not Field.VALUE:
            return batch
        thing, ts = batch.thing, batch.ts
        recorded = self._recorded.get(thing)
        if recorded is None:
            recorded = self._recorded[thing] = {}
        rules = self._rules
        kept: list[tuple[str, Value]] = []
        position_moves: bool | None = None
        for path, value in batch.changes:
            rule = rules.get(path) or self.rule(path)
            last = recorded.get(path)
            if last is None or ts - last[1] >= rule.max_interval_s or ts < last[1]:
                keep = True
            elif rule.kind == NUMBER:
                keep = not isinstance(value, int | float) or not isinstance(last[0], int | float) or abs(
                    value - last[0]) >= rule.threshold
            elif rule.kind == POSITION:
                if position_moves is None:
                    position_moves = self._position_moves(batch.changes, recorded, rule.threshold)
                keep = position_moves
            else:
                keep = value != last[0]
            if keep:
                recorded[path] = (value, ts)
                kept.append((path, value))
                if self._tails:
                    self._tails.pop((thing, path), None)
            else:
                key = (thing, path)
                self._tails.pop(key, None)  # re-inserted at the end: the tails stay in the order they were held
                self._tails[key] = (value, ts, batch.principal, time.monotonic())
        if len(kept) == len(batch.changes):
            return batch
        self.held_back += len(batch.changes) - len(kept)
        return ChangeBatch(thing, batch.field, ts, batch.principal, kept) if kept else None

    @staticmethod
    def _position_moves(changes: list[tuple[str, Value]], recorded: Mapping[str, tuple[Value, float]],
                        threshold: float) -> bool:
        new = dict(changes)
        last_lat, last_lon = recorded.get(LATITUDE), recorded.get(LONGITUDE)
        if last_lat is None or last_lon is None:
            return True
        lat, lon = new.get(LATITUDE, last_lat[0]), new.get(LONGITUDE, last_lon[0])
        if not all(isinstance(v, int | float) for v in (lat, lon, last_lat[0], last_lon[0])):
            return True
        return distance_m(float(last_lat[0]), float(last_lon[0]), float(lat), float(lon)) >= threshold  # type: ignore[arg-type]

    def settled(self, force: bool = False) -> list[ChangeBatch]:
        """Held-back values that have been the latest of their signal for `settle_s` (all of them with `force`),
        as batches to record."""
        if not self._tails:
            return []
        due = time.monotonic() - self.settle_s
        out: list[ChangeBatch] = []
        tails = self._tails
        while tails:
            key = next(iter(tails))
            value, ts, principal, held = tails[key]
            if not force and held > due:
                break
            del tails[key]
            thing, path = key
            recorded = self._recorded.setdefault(thing, {})
            last = recorded.get(path)
            if last is not None and last[0] == value:
                continue  # the same value is on record already
            recorded[path] = (value, ts)
            out.append(ChangeBatch(thing, Field.VALUE, ts, principal, [(path, value)]))
        return out

    def forget(self, thing: str) -> None:
        self._recorded.pop(thing, None)
        for key in [k for k in self._tails if k[0] == thing]:
            del self._tails[key]

    def stats(self) -> dict[str, object]:
        return {"enabled": self.enabled, "held_back": self.held_back, "tails": len(self._tails)}
