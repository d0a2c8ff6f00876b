"""Conditions: checked against the hub's current state when an automation fires, each result traced."""

from __future__ import annotations

from collections.abc import Callable

from homebound.automations.clock import Clock
from homebound.automations.schema import (
    AndCondition,
    Condition,
    NotCondition,
    NumericStateCondition,
    OrCondition,
    StateCondition,
    TimeCondition,
    ZoneCondition,
)
from homebound.hub.core import Hub
from homebound.model.numbers import within
from homebound.model.time_of_day import in_time_window

ZoneLookup = Callable[[str, str], bool | None]


class ConditionChecker:
    def __init__(self, hub: Hub, zone_presence: ZoneLookup, clock: Clock) -> None:
        self.hub = hub
        self.zone_presence = zone_presence
        self.clock = clock

    def check(self, condition: Condition, record: list[dict[str, object]]) -> bool:
        result, detail = self._evaluate(condition, record)
        record.append({"condition": condition.condition, "result": result, **detail})
        return result

    def _value(self, thing: str, path: str) -> object:
        if not self.hub.exists(thing, path):
            return None
        reading = self.hub.read(thing, path)
        return None if reading is None else reading.value

    def _evaluate(self, condition: Condition, record: list[dict[str, object]]) -> tuple[bool, dict[str, object]]:
        if isinstance(condition, StateCondition):
            value = self._value(condition.thing, condition.path)
            wanted = condition.state if isinstance(condition.state, list) else [condition.state]
            return value in wanted, {"thing": condition.thing, "path": condition.path, "value": value,
                                     "wanted": condition.state}
        if isinstance(condition, NumericStateCondition):
            value = self._value(condition.thing, condition.path)
            ok = within(value, condition.above, condition.below) is True
            return ok, {"thing": condition.thing, "path": condition.path, "value": value,
                        "above": condition.above, "below": condition.below}
        if isinstance(condition, ZoneCondition):
            inside = self.zone_presence(condition.thing, condition.zone)
            return inside is condition.inside, {"thing": condition.thing, "zone": condition.zone, "inside": inside}
        if isinstance(condition, TimeCondition):
            now = self.clock.now()
            ok = in_time_window(now, condition.after, condition.before, condition.weekday)
            return ok, {"now": now.isoformat(timespec="seconds")}
        nested: list[dict[str, object]] = []
        if isinstance(condition, AndCondition):
            ok = all(self.check(c, nested) for c in condition.conditions)
        elif isinstance(condition, OrCondition):
            ok = any(self.check(c, nested) for c in condition.conditions)
        elif isinstance(condition, NotCondition):
            ok = not any(self.check(c, nested) for c in condition.conditions)
        else:
            raise TypeError(f"unknown condition {condition!r}")
        return ok, {"conditions": nested}
