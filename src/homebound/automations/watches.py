"""Trigger watches: what each trigger kind listens to, and when it fires.

Datapoint triggers are indexed by (thing, path) in the engine, so an update no automation watches costs one
dictionary lookup. Each watch receives `(value, previous, ts)` and calls `fire(details)` when it triggers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homebound.automations.schema import DeviceEventTrigger, NumericStateTrigger, StateTrigger
from homebound.model.numbers import within

Fire = Callable[[dict[str, object]], None]
Arm = Callable[[float, dict[str, object]], None]   # start a `for` timer: seconds, details
Disarm = Callable[[], None]


def numeric_in_range(trigger: NumericStateTrigger, value: object) -> bool | None:
    """Whether a value is above/below the trigger's limits; None when it is not a number."""
    return within(value, trigger.above, trigger.below)


@dataclass
class StateWatch:
    trigger: StateTrigger
    fire: Fire
    arm: Arm
    disarm: Disarm

    def matches(self, value: object, previous: object) -> bool:
        t = self.trigger
        if value == previous:
            return False
        if t.from_ is not None and previous not in (t.from_ if isinstance(t.from_, list) else [t.from_]):
            return False
        return t.to is None or value in (t.to if isinstance(t.to, list) else [t.to])

    def __call__(self, value: object, previous: object, ts: float) -> None:
        details = {"kind": "state", "thing": self.trigger.thing, "path": self.trigger.path, "value": value,
                   "from": previous, "ts": ts}
        if self.trigger.for_ is None:
            if self.matches(value, previous):
                self.fire(details)
            return
        if self.matches(value, previous):
            self.arm(self.trigger.for_, details)
        elif value != previous:
            self.disarm()


@dataclass
class NumericWatch:
    trigger: NumericStateTrigger
    fire: Fire
    arm: Arm
    disarm: Disarm

    def in_range(self, value: object) -> bool | None:
        return numeric_in_range(self.trigger, value)

    def __call__(self, value: object, previous: object, ts: float) -> None:
        trigger = self.trigger
        now: bool | None
        before: bool | None
        if type(value) is float and type(previous) is float:  # the common case, without function calls
            above, below = trigger.above, trigger.below
            now = (above is None or value > above) and (below is None or value < below)
            if not now and not ((above is None or previous > above) and (below is None or previous < below)):
                return  # out of range before and after: nothing to do
            before = (above is None or previous > above) and (below is None or previous < below)
        else:
            now, before = self.in_range(value), self.in_range(previous)
        if now and before is False:
            details = {"kind": "numeric_state", "thing": self.trigger.thing, "path": self.trigger.path,
                       "value": value, "from": previous, "above": self.trigger.above, "below": self.trigger.below,
                       "ts": ts}
            if self.trigger.for_ is None:
                self.fire(details)
            else:
                self.arm(self.trigger.for_, details)
        elif now is False and before:
            self.disarm()


@dataclass
class DeviceEventWatch:
    trigger: DeviceEventTrigger
    fire: Fire

    def __call__(self, value: object, previous: object, ts: float) -> None:
        if self.trigger.event_type is None or value == self.trigger.event_type:
            self.fire({"kind": "device_event", "thing": self.trigger.thing, "path": self.trigger.path,
                       "event_type": value, "ts": ts})
