"""Conditions: checked against the hub's current state when an automation fires, each result traced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
from homebound.model.errors import HomeboundError

ZoneLookup = Callable[[str, str], bool | None]
Clock = Callable[[], dt.datetime]


def in_time_window(now: dt.datetime, after: dt.time | None, before: dt.time | None,
                   weekdays: tuple[str, ...] | None) -> bool:
    """Whether `now` is in the window; a window whose end is before its start runs across midnight."""
    moment = now.time()
    day = now.weekday()
    if after is not None and before is not None and before < after:
        in_window = moment >= after or moment < before
        if moment < before:
            day = (day - 1) % 7  # the window began yesterday
    else:
        in_window = (after is None or moment >= after) and (before is None or moment < before)
    if weekdays is not None:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        in_window = in_window and names[day] in weekdays
    return in_window


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
        try:
            entry = self.hub.get(thing, path)
        except HomeboundError:
            return None
        return None if entry is None else entry[0]

    def _evaluate(self, condition: Condition, record: list[dict[str, object]]) -> tuple[bool, dict[str, object]]:
        if isinstance(condition, StateCondition):
            value = self._value(condition.thing, condition.path)
            wanted = condition.state if isinstance(condition.state, list) else [condition.state]
            return value in wanted, {"thing": condition.thing, "path": condition.path, "value": value,
                                     "wanted": condition.state}
        if isinstance(condition, NumericStateCondition):
            value = self._value(condition.thing, condition.path)
            ok = isinstance(value, int | float) and not isinstance(value, bool) and \
                (condition.above is None or value > condition.above) and \
                (condition.below is None or value < condition.below)
            return ok, {"thing": condition.thing, "path": condition.path, "value": value,
                        "above": condition.above, "below": condition.below}
        if isinstance(condition, ZoneCondition):
            inside = self.zone_presence(condition.thing, condition.zone)
            return inside is condition.inside, {"thing": condition.thing, "zone": condition.zone, "inside": inside}
        if isinstance(condition, TimeCondition):
            now = self.clock()
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
