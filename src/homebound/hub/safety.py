"""Safety interlocks: commands the car's state makes unsafe are refused before they reach the car.

Unlocking or opening a door, the boot, the bonnet or the front trunk while the car moves is refused, whoever
asks. Rules read the hub's current state, never the car itself (reading must never wake a parked car).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from homebound.model import vss_paths as vss
from homebound.model.signal import Value

MOVING_SPEED_KMH = 1.0

StateReader = Callable[[str], Value | None]


@dataclass(frozen=True, slots=True)
class InterlockRule:
    """Refuse `target` on paths matching `pattern` while `unsafe(state)` holds; `why` explains the refusal."""

    pattern: re.Pattern[str]
    target: Value
    why: str

    def applies(self, path: str, target: Value) -> bool:
        return target == self.target and self.pattern.fullmatch(path) is not None


def _is_moving(state: StateReader) -> bool:
    speed = state(vss.SPEED)
    moving = state(vss.IS_MOVING)
    return moving is True or (isinstance(speed, int | float) and abs(speed) >= MOVING_SPEED_KMH)


MOVING_RULES: tuple[InterlockRule, ...] = (
    InterlockRule(re.compile(r"Vehicle\.Cabin\.Door\.[^.]+\.[^.]+\.IsLocked"), False, "unlock a door"),
    InterlockRule(re.compile(r"Vehicle\.Cabin\.Door\.[^.]+\.[^.]+\.IsOpen"), True, "open a door"),
    InterlockRule(re.compile(r"Vehicle\.Body\.Trunk\.[^.]+\.IsOpen"), True, "open the trunk"),
    InterlockRule(re.compile(r"Vehicle\.Body\.Trunk\.[^.]+\.IsLocked"), False, "unlock the trunk"),
    InterlockRule(re.compile(r"Vehicle\.Body\.Hood\.IsOpen"), True, "open the hood"),
)


def interlock_refusal(path: str, target: Value, state: Mapping[str, tuple[Value, float, str]]) -> str | None:
    """Why this command is unsafe now, or None when it may go ahead."""
    rules = [rule for rule in MOVING_RULES if rule.applies(path, target)]
    if not rules:
        return None

    def read(name: str) -> Value | None:
        entry = state.get(name)
        return None if entry is None else entry[0]

    if _is_moving(read):
        speed = read(vss.SPEED)
        shown = f" at {speed} km/h" if isinstance(speed, int | float) else ""
        return f"refused for safety: cannot {rules[0].why} while the vehicle is moving{shown}"
    return None
