"""When a command is unsafe: while the vehicle moves, while it charges, or always (limits on the target alone).

A condition reads the hub's current state of the vehicle, never the car itself (reading must not wake a parked
car), and answers with the clause of the refusal ("while the vehicle moves at 42.0 km/h"), naming the signal and
the value that tripped it, or None when the command is safe now.

Unknown is refused. When no signal tells whether the vehicle moves (or charges), the clause says which signals
have no value: the hub cannot show the command to be safe, so it does not send it. A refused unlock is an
inconvenience the owner can resolve (wait for the car to report, or use the key); an unlock of a moving car is
not. The signals counted are the ones providers write (issue 11: only the vehicle's providers may write them).

Any signal saying "moving" is enough, however old: a gateway that stopped while the car drove leaves its last
speed, and the car may still be driving. A signal saying "stopped" is trusted while it is no older than
`Thresholds.state_max_age_s` when that is set (by default it is not: a parked car sleeps and its last reading is
its state).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeGuard

from homebound.hub.safety.thresholds import Thresholds
from homebound.model import vss_paths as vss
from homebound.model.signal import Value

CurrentState = Mapping[str, tuple[Value, float, str]]
"""A vehicle's current values as the hub keeps them: path -> (value, timestamp, who wrote it)."""

MOTION_SIGNALS = (vss.SPEED, vss.IS_MOVING, vss.PARK_LOCK, vss.SELECTED_GEAR)
CHARGING_SIGNALS = (vss.IS_CHARGING,)


class Condition(StrEnum):
    """The state of the vehicle in which a rule refuses its commands."""

    MOVING = "moving"
    """Speed at or above `moving_speed_kmh`, `IsMoving` true, park lock disengaged, or a gear other than park."""
    CHARGING = "charging"
    """`TractionBattery.Charging.IsCharging` true."""
    ALWAYS = "always"
    """Whatever the state: the target alone is refused (a climate set point over the limit)."""


class _Evidence:
    """What the readings say, gathered signal by signal: the first unsafe finding, fresh safe ones, stale ones."""

    def __init__(self, state: CurrentState, thresholds: Thresholds, now: float) -> None:
        self.state = state
        self.max_age = thresholds.state_max_age_s
        self.now = now
        self.safe = False
        self.stale: list[str] = []

    def value(self, path: str) -> Value | None:
        entry = self.state.get(path)
        return None if entry is None else entry[0]

    def counts_as_safe(self, path: str) -> None:
        entry = self.state.get(path)
        if entry is None:
            return
        age = self.now - entry[1]
        if self.max_age is None or age <= self.max_age:
            self.safe = True
        else:
            self.stale.append(f"{path} = {_shown(entry[0])} is {age:.0f} s old")

    def unknown(self, what: str, signals: tuple[str, ...]) -> str:
        if self.stale:
            return (f"while {what} is unknown: {'; '.join(self.stale)}, older than safety.state_max_age_s "
                    f"({self.max_age:g} s)")
        return f"while {what} is unknown: no value yet for {_either(signals)}"


def moving(state: CurrentState, thresholds: Thresholds, now: float) -> str | None:
    """The clause refusing a command while the vehicle moves or could (or it is unknown); None when parked."""
    evidence = _Evidence(state, thresholds, now)
    speed = evidence.value(vss.SPEED)
    if _is_number(speed):
        if abs(speed) >= thresholds.moving_speed_kmh:
            return f"while the vehicle moves at {speed} km/h"
        evidence.counts_as_safe(vss.SPEED)
    is_moving = evidence.value(vss.IS_MOVING)
    if is_moving is True:
        return f"while the vehicle is moving ({vss.IS_MOVING} = true)"
    if is_moving is False:
        evidence.counts_as_safe(vss.IS_MOVING)
    park_lock = evidence.value(vss.PARK_LOCK)
    if park_lock is False:
        return f"while the vehicle is out of park ({vss.PARK_LOCK} = false)"
    if park_lock is True:
        evidence.counts_as_safe(vss.PARK_LOCK)
    gear = evidence.value(vss.SELECTED_GEAR)
    if isinstance(gear, int) and not isinstance(gear, bool):
        if gear != vss.GEAR_PARK:
            return f"while the vehicle is out of park ({vss.SELECTED_GEAR} = {gear}, {_gear_name(gear)})"
        evidence.counts_as_safe(vss.SELECTED_GEAR)
    return None if evidence.safe else evidence.unknown("the vehicle's motion", MOTION_SIGNALS)


def charging(state: CurrentState, thresholds: Thresholds, now: float) -> str | None:
    """The clause refusing a command while the vehicle charges (or it is unknown); None when it does not."""
    evidence = _Evidence(state, thresholds, now)
    is_charging = evidence.value(vss.IS_CHARGING)
    if is_charging is True:
        return f"while the vehicle is charging ({vss.IS_CHARGING} = true)"
    if is_charging is False:
        evidence.counts_as_safe(vss.IS_CHARGING)
    return None if evidence.safe else evidence.unknown("whether the vehicle charges", CHARGING_SIGNALS)


def always(state: CurrentState, thresholds: Thresholds, now: float) -> str | None:
    """Always unsafe: the rule's target test alone decides (an empty clause)."""
    return ""


ASSESS: dict[Condition, Callable[[CurrentState, Thresholds, float], str | None]] = {
    Condition.MOVING: moving,
    Condition.CHARGING: charging,
    Condition.ALWAYS: always,
}


def _is_number(value: Value | None) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _gear_name(gear: int) -> str:
    if gear == vss.GEAR_DRIVE:
        return "drive"
    if gear == 0:
        return "neutral"
    return f"forward gear {gear}" if gear > 0 else f"reverse gear {-gear}"


def _either(paths: tuple[str, ...]) -> str:
    return paths[0] if len(paths) == 1 else f"{', '.join(paths[:-1])} or {paths[-1]}"


def _shown(value: Value) -> str:
    return "true" if value is True else "false" if value is False else str(value)
