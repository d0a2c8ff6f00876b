"""Which targets a safety rule refuses: one value (unlock is `false`), any opening, or a number over a limit.

A target test sees the command's validated target and the datapoint's current value, so "opening" can mean
`true` for `IsOpen`, a position further open than now for `Position`, and `OPEN` for a `Switch`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from homebound.model.signal import Scalar, Value

_OPENING = ("OPEN", "ONE_SHOT_OPEN", "TILT_UP")
OPENING_WORDS = frozenset(_OPENING)
"""The `Switch` values (and VSS 4.0's `ChargePortFlap`) that open something."""


class TargetTest(Protocol):
    """Decides whether a target is one the rule refuses, and says how in the refusal."""

    def refuses(self, target: Value, current: Value | None) -> bool: ...

    def detail(self, target: Value, current: Value | None) -> str:
        """Words added after the action in the refusal ("to 40 (now 0)"); empty when the action says it all."""
        ...

    def describe(self) -> str:
        """What the test refuses, for listings ("false", "opening", "above 30 °C")."""
        ...


def _number(value: Value | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _measured(value: object, unit: str) -> str:
    return f"{value} {unit}" if unit else str(value)


def _text(value: Value | None) -> str:
    return "true" if value is True else "false" if value is False else "unknown" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Equals:
    """Refuses one value: `false` on `IsLocked` (unlock), `true` on a remote start."""

    value: Scalar

    def refuses(self, target: Value, current: Value | None) -> bool:
        expected, given = _number(self.value), _number(target)
        if expected is not None and given is not None:
            return expected == given
        return type(target) is type(self.value) and target == self.value

    def detail(self, target: Value, current: Value | None) -> str:
        return ""

    def describe(self) -> str:
        return _text(self.value)


@dataclass(frozen=True, slots=True)
class Opening:
    """Refuses anything that opens further: `true`, a position further from closed than now, an opening `Switch`.

    A position is compared by its distance from closed (0), so a sunroof tilted to -50 opens further at -80; with
    no current value known the part counts as closed, and any position but 0 opens it."""

    def refuses(self, target: Value, current: Value | None) -> bool:
        if isinstance(target, bool):
            return target
        wanted = _number(target)
        if wanted is not None:
            now = _number(current)
            return abs(wanted) > abs(now or 0.0)
        return isinstance(target, str) and target in OPENING_WORDS

    def detail(self, target: Value, current: Value | None) -> str:
        if _number(target) is not None:
            return f" to {target} (now {_text(current)})"
        if isinstance(target, str):
            return f" ({target})"
        return ""

    def describe(self) -> str:
        return "opening (true, a position further open, " + "/".join(_OPENING) + ")"


@dataclass(frozen=True, slots=True)
class Above:
    """Refuses a number over `limit` (`key` names the setting that holds it)."""

    limit: float
    unit: str
    key: str

    def refuses(self, target: Value, current: Value | None) -> bool:
        wanted = _number(target)
        return wanted is not None and wanted > self.limit

    def detail(self, target: Value, current: Value | None) -> str:
        return (f" to {_measured(target, self.unit)}: over the maximum of {_measured(f'{self.limit:g}', self.unit)} "
                f"({self.key})")

    def describe(self) -> str:
        return f"above {_measured(f'{self.limit:g}', self.unit)}"


@dataclass(frozen=True, slots=True)
class Below:
    """Refuses a number under `limit` (`key` names the setting that holds it)."""

    limit: float
    unit: str
    key: str

    def refuses(self, target: Value, current: Value | None) -> bool:
        wanted = _number(target)
        return wanted is not None and wanted < self.limit

    def detail(self, target: Value, current: Value | None) -> str:
        return (f" to {_measured(target, self.unit)}: under the minimum of {_measured(f'{self.limit:g}', self.unit)} "
                f"({self.key})")

    def describe(self) -> str:
        return f"below {_measured(f'{self.limit:g}', self.unit)}"
