"""The hot path: a CAN frame in, the VSS values its mapped signals stand for out.

Binding a mapping to its DBC databases and the VSS catalog is done once: each frame id gets a plan (the cantools
message and the rules fed by it), and every problem (a signal no DBC defines, a path the catalog lacks, vss2dbc on
a sensor) is reported at once, each with the closest names. Per frame the decoder then does as little as it can:
a dictionary lookup drops frames nobody mapped, a length check catches truncated frames, and a frame none of
whose rules is due yet (Kuksa's `interval_ms`, in the frame's own time) is not decoded at all. What is decoded is
range-checked against the DBC, transformed, shaped to the VSS datatype and, with `on_change`, compared with the
last value sent. Nothing raises: every frame that yields nothing is counted by reason.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from cantools.database.can import Database, Message
from cantools.database.namedsignalvalue import NamedSignalValue

from homebound.adapters.can.mapping import ActuatorRule, CanMapping, MappingError, SignalRule
from homebound.adapters.can.transforms import Skip, Transform, to_vss
from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalKind

EXTENDED = 0x8000_0000
MAX_DETAIL_KEYS = 200


def frame_key(arbitration_id: int, is_extended: bool) -> int:
    """One integer per frame identity: standard and extended frames with the same number stay apart."""
    return arbitration_id | EXTENDED if is_extended else arbitration_id


@dataclass(slots=True)
class BoundRule:
    """A dbc2vss rule fixed to one message, with its state (when next due, last value sent)."""

    path: str
    signal: str
    interval_s: float
    on_change: bool
    transform: Transform
    datatype: DataType
    multiplexer: tuple[tuple[str, int], ...]
    minimum: float | None
    maximum: float | None
    next_due: float = float("-inf")
    last: object = None


@dataclass(slots=True)
class FramePlan:
    message: Message
    length: int
    rules: list[BoundRule]
    always_due: bool


@dataclass(slots=True)
class BoundActuator:
    """A vss2dbc rule fixed to the message that carries its signal."""

    path: str
    signal: str
    transform: Transform
    message: Message


@dataclass
class DecodeStats:
    """What became of the frames: counted by reason, with the ids and signals behind the problems."""

    frames: int = 0
    unmapped: int = 0
    throttled: int = 0
    decoded: int = 0
    wrong_length: int = 0
    undecodable: int = 0
    out_of_range: int = 0
    skipped_values: int = 0
    values: int = 0
    wrong_length_ids: Counter[int] = field(default_factory=Counter)
    undecodable_ids: Counter[int] = field(default_factory=Counter)
    out_of_range_signals: Counter[str] = field(default_factory=Counter)
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    def problems(self) -> int:
        return self.wrong_length + self.undecodable + self.out_of_range + self.skipped_values


def _count(counter: Counter[str] | Counter[int], key: str | int) -> None:
    if key in counter or len(counter) < MAX_DETAIL_KEYS:
        counter[key] += 1  # type: ignore[index]


class FrameDecoder:
    """Decode frames into VSS values for one mapping; `decode` adds what is due into the caller's batch."""

    def __init__(self, databases: Iterable[Database], mapping: CanMapping, catalog: Catalog) -> None:
        self.mapping = mapping
        self.stats = DecodeStats()
        databases = list(databases)
        by_signal: dict[str, list[Message]] = {}
        for database in databases:
            for message in database.messages:
                for signal in message.signals:
                    by_signal.setdefault(signal.name, []).append(message)
        problems: list[str] = []
        plans: dict[int, FramePlan] = {}
        for rule in mapping.signals:
            try:
                datatype = _check_path(catalog, rule.path, mapping.origin)
                messages = _messages_for(by_signal, rule.signal, rule.path, mapping.origin)
                for name, _ in rule.multiplexer:
                    if not any(m in messages for m in by_signal.get(name, [])):
                        raise MappingError(f"{mapping.origin}: {rule.path}: multiplexer signal {name!r} is not in "
                                           f"the same frame as {rule.signal!r}")
            except MappingError as error:
                problems.append(str(error))
                continue
            for message in messages:
                key = frame_key(message.frame_id, message.is_extended_frame)
                plan = plans.get(key)
                if plan is None:
                    plan = plans[key] = FramePlan(message, message.length, [], False)
                signal = message.get_signal_by_name(rule.signal)
                plan.rules.append(_bind(rule, datatype, signal.minimum, signal.maximum))
        for plan in plans.values():
            plan.always_due = any(r.interval_s == 0 for r in plan.rules)
        self.actuators: dict[str, BoundActuator] = {}
        for actuator in mapping.actuators:
            try:
                self.actuators[actuator.path] = _bind_actuator(actuator, catalog, by_signal, mapping.origin)
            except MappingError as error:
                problems.append(str(error))
        if problems:
            raise MappingError("\n".join(problems))
        self.plans = plans

    def frame_ids(self) -> list[int]:
        """The frames the mapping reads (for a bus filter)."""
        return sorted(self.plans)

    def decode(self, key: int, data: bytes | bytearray, ts: float, batch: dict[str, object]) -> None:
        """Add the values frame `key` carries that are due at `ts` to `batch` (path -> value)."""
        stats = self.stats
        stats.frames += 1
        plan = self.plans.get(key)
        if plan is None:
            stats.unmapped += 1
            return
        if len(data) != plan.length:
            stats.wrong_length += 1
            _count(stats.wrong_length_ids, key)
            return
        if not plan.always_due:
            for rule in plan.rules:
                if ts >= rule.next_due:
                    break
            else:
                stats.throttled += 1
                return
        try:
            decoded = plan.message.decode(bytes(data), decode_choices=True, scaling=True, decode_containers=False)
        except Exception:  # cantools raises DecodeError, ValueError, KeyError (unknown multiplexer id), ...
            stats.undecodable += 1
            _count(stats.undecodable_ids, key)
            return
        stats.decoded += 1
        for rule in plan.rules:
            if ts < rule.next_due:
                continue
            raw = decoded.get(rule.signal)  # type: ignore[union-attr]
            if raw is None:
                continue  # a multiplexed signal not carried by this variant of the frame
            if rule.multiplexer and not all(_mux_value(decoded.get(n)) == v  # type: ignore[union-attr]
                                            for n, v in rule.multiplexer):
                continue
            rule.next_due = ts + rule.interval_s
            if rule.minimum is not None and type(raw) is not NamedSignalValue and not isinstance(raw, str) and (
                    raw < rule.minimum or raw > rule.maximum):  # type: ignore[operator]
                stats.out_of_range += 1
                _count(stats.out_of_range_signals, rule.signal)
                continue
            try:
                value = to_vss(rule.transform.apply(raw), rule.datatype)
            except Skip as skip:
                stats.skipped_values += 1
                _count(stats.skipped_reasons, f"{rule.signal} -> {rule.path}: {skip.reason}"[:200])
                continue
            if rule.on_change:
                if value == rule.last and rule.last is not None:
                    continue
                rule.last = value
            batch[rule.path] = value
            stats.values += 1


def _mux_value(value: object) -> object:
    return value.value if isinstance(value, NamedSignalValue) else value


def _bind(rule: SignalRule, datatype: DataType, minimum: float | None, maximum: float | None) -> BoundRule:
    if minimum is not None and maximum is not None and minimum == maximum == 0:
        minimum = maximum = None  # `[0|0]` is how many DBC files say "no range given"
    if minimum is None or maximum is None:
        minimum = maximum = None
    return BoundRule(rule.path, rule.signal, rule.interval_ms / 1000.0, rule.on_change, rule.transform, datatype,
                     rule.multiplexer, minimum, maximum)


def _check_path(catalog: Catalog, path: str, origin: str) -> DataType:
    meta = catalog.signals.get(path)
    if meta is None:
        close = catalog.suggest(path)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise MappingError(f"{origin}: {path}: not a signal of the catalog {catalog.name!r}{hint}")
    return meta.datatype


def _messages_for(by_signal: dict[str, list[Message]], signal: str, path: str, origin: str) -> list[Message]:
    messages = by_signal.get(signal)
    if not messages:
        close = difflib.get_close_matches(signal, list(by_signal), n=3, cutoff=0.7)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise MappingError(f"{origin}: {path}: DBC signal {signal!r} is in none of the DBC files{hint}")
    return messages


def _bind_actuator(rule: ActuatorRule, catalog: Catalog, by_signal: dict[str, list[Message]],
                   origin: str) -> BoundActuator:
    _check_path(catalog, rule.path, origin)
    if catalog.signals[rule.path].kind is not SignalKind.ACTUATOR:
        raise MappingError(f"{origin}: {rule.path}: vss2dbc is only for actuators, and the catalog says this is a "
                           f"{catalog.signals[rule.path].kind.value}")
    messages = _messages_for(by_signal, rule.signal, rule.path, origin)
    if len(messages) > 1:
        names = ", ".join(m.name for m in messages)
        raise MappingError(f"{origin}: {rule.path}: DBC signal {rule.signal!r} is in several messages ({names}); "
                           "a command must go to exactly one frame")
    return BoundActuator(rule.path, rule.signal, rule.transform, messages[0])
