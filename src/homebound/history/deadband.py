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


class _Signal:
    """One signal of one thing: its rule, the last value recorded, and the latest one held back (if any)."""

    __slots__ = ("held_at", "held_principal", "held_ts", "held_value", "interval", "kind", "threshold", "ts",
                 "value")

    def __init__(self, rule: _Rule) -> None:
        self.kind, self.threshold, self.interval = rule.kind, rule.threshold, rule.max_interval_s
        self.value: Value | None = None
        self.ts = -1.0  # nothing recorded yet
        self.held_at = 0.0  # monotonic seconds when a value was held back; 0: none is
        self.held_value: Value | None = None
        self.held_ts = 0.0
        self.held_principal = ""


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
            if rule.distance_m is not None:
                # the position is one thing: latitude and longitude share the rule, whichever the pattern named
                if not {LATITUDE, LONGITUDE} & set(paths):
                    raise DeadbandError(f"history.recording.signals: {pattern}: distance_m applies to the position "
                                        f"({LATITUDE}, {LONGITUDE}) only; use delta for {', '.join(paths[:3])}")
                paths = [LATITUDE, LONGITUDE]
            for path in paths:
                self._configured[path] = rule
        self._catalog = catalog
        self._rules: dict[str, _Rule] = {}
        self._things: dict[str, dict[str, _Signal]] = {}
        self._scanned = 0.0
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
        ts = batch.ts
        signals = self._things.get(batch.thing)
        if signals is None:
            signals = self._things[batch.thing] = {}
        kept: list[tuple[str, Value]] = []
        position_moves: bool | None = None
        now = 0.0
        for path, value in batch.changes:
            signal = signals.get(path)
            if signal is None:
                signal = signals[path] = _Signal(self.rule(path))
            last = signal.value
            if ts - signal.ts >= signal.interval or ts < signal.ts or last is None:
                keep = True
            elif signal.kind == NUMBER:
                try:
                    keep = abs(value - last) >= signal.threshold  # type: ignore[operator]
                except TypeError:
                    keep = True
            elif signal.kind == POSITION:
                if position_moves is None:
                    position_moves = self._position_moves(batch.changes, signals, signal.threshold)
                keep = position_moves
            else:
                keep = value != last
            if keep:
                signal.value, signal.ts = value, ts
                kept.append((path, value))
                signal.held_at = 0.0
            else:
                if not now:
                    now = time.monotonic()
                signal.held_value, signal.held_ts, signal.held_principal, signal.held_at = (
                    value, ts, batch.principal, now)
        if len(kept) == len(batch.changes):
            return batch
        self.held_back += len(batch.changes) - len(kept)
        return ChangeBatch(batch.thing, batch.field, ts, batch.principal, kept) if kept else None

    @staticmethod
    def _position_moves(changes: list[tuple[str, Value]], signals: Mapping[str, _Signal], threshold: float) -> bool:
        new = dict(changes)
        last_lat, last_lon = signals.get(LATITUDE), signals.get(LONGITUDE)
        if last_lat is None or last_lon is None:
            return True
        lat, lon = new.get(LATITUDE, last_lat.value), new.get(LONGITUDE, last_lon.value)
        points = (lat, lon, last_lat.value, last_lon.value)
        if not all(isinstance(v, int | float) for v in points):
            return True
        return distance_m(float(last_lat.value), float(last_lon.value), float(lat), float(lon)) >= threshold  # type: ignore[arg-type]

    def settled(self, force: bool = False) -> list[ChangeBatch]:
        """Held-back values that have been the latest of their signal for `settle_s` (all of them with `force`),
        as batches to record. Looks at most twice per `settle_s`, so a fleet's many signals cost little."""
        now = time.monotonic()
        if not force and now - self._scanned < self.settle_s / 2:
            return []
        self._scanned = now
        due = now - self.settle_s
        out: list[ChangeBatch] = []
        for thing, signals in self._things.items():
            for path, signal in signals.items():
                if not signal.held_at or (signal.held_at > due and not force):
                    continue
                signal.held_at = 0.0
                if signal.value == signal.held_value:
                    continue  # the same value is on record already
                signal.value, signal.ts = signal.held_value, signal.held_ts
                out.append(ChangeBatch(thing, Field.VALUE, signal.held_ts, signal.held_principal,
                                       [(path, signal.held_value)]))  # type: ignore[list-item]
        return out

    def forget(self, thing: str) -> None:
        self._things.pop(thing, None)

    def stats(self) -> dict[str, object]:
        return {"enabled": self.enabled, "held_back": self.held_back,
                "waiting": sum(1 for signals in self._things.values() for s in signals.values() if s.held_at)}
