"""The numbers the built-in safety rules use, and the rule that a household may only make them stricter.

Built-in values are the loosest the hub allows: a household may lower the speed that counts as moving or the
climate maximum, raise the climate minimum, and so on, but never the other way. Each check names the key it is
about (`safety.moving_speed_kmh`) so a configuration error says which line to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

MOVING_SPEED_KMH = 1.0
"""At or above this speed (km/h, either direction) the vehicle moves: below it is sensor noise at a standstill."""
CLIMATE_MAX_C = 30.0
"""No cabin set point above this: a hot cabin harms a child or a pet left inside before anyone notices."""
CLIMATE_MIN_C = 15.0
"""No cabin set point below this, for the same reason in winter."""
SEAT_HEATING_MAX_PERCENT = 100
"""Seat heating (VSS `HeatingCooling`, -100..100 %); the catalog's own maximum, a household may lower it."""


@dataclass(frozen=True, slots=True)
class _Bound:
    loosest: float
    stricter_is: str  # "lower" or "higher"
    unit: str


_BOUNDS: dict[str, _Bound] = {
    "moving_speed_kmh": _Bound(MOVING_SPEED_KMH, "lower", "km/h"),
    "climate_max_c": _Bound(CLIMATE_MAX_C, "lower", "°C"),
    "climate_min_c": _Bound(CLIMATE_MIN_C, "higher", "°C"),
    "seat_heating_max_percent": _Bound(SEAT_HEATING_MAX_PERCENT, "lower", "%"),
}


def check_stricter(key: str, value: float) -> float:
    """The value if it is at least as strict as the built-in one; ValueError saying which way it may go if not."""
    bound = _BOUNDS[key]
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a number")
    looser = value > bound.loosest if bound.stricter_is == "lower" else value < bound.loosest
    if looser:
        most = "at most" if bound.stricter_is == "lower" else "at least"
        raise ValueError(f"{value:g} {bound.unit} would loosen the safety interlocks; it may only be "
                         f"made stricter ({bound.stricter_is}): {most} {bound.loosest:g} {bound.unit}")
    return value


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers of the built-in rules; constructing looser ones raises ValueError naming the key."""

    moving_speed_kmh: float = MOVING_SPEED_KMH
    climate_max_c: float = CLIMATE_MAX_C
    climate_min_c: float = CLIMATE_MIN_C
    seat_heating_max_percent: float = SEAT_HEATING_MAX_PERCENT
    state_max_age_s: float | None = None
    """When set, a reading that says "safe" (stopped, not charging) counts only while younger than this; an older
    one leaves the state unknown, and unknown is refused. None: the last reading stands (a parked car sleeps and
    sends nothing, and its last reading is its state)."""

    def __post_init__(self) -> None:
        for field_ in fields(self):
            if field_.name in _BOUNDS:
                try:
                    check_stricter(field_.name, getattr(self, field_.name))
                except ValueError as error:
                    raise ValueError(f"safety.{field_.name}: {error}") from None
        if self.moving_speed_kmh <= 0:
            raise ValueError(f"safety.moving_speed_kmh: {self.moving_speed_kmh:g} km/h must be above 0 (at 0 every "
                             "speed reading counts as moving, so the car could never be unlocked)")
        if self.climate_min_c >= self.climate_max_c:
            raise ValueError(f"safety.climate_min_c: {self.climate_min_c:g} °C must be below safety.climate_max_c "
                             f"({self.climate_max_c:g} °C)")
        if self.seat_heating_max_percent < 0:
            raise ValueError(f"safety.seat_heating_max_percent: {self.seat_heating_max_percent:g} % must be 0 "
                             "(no seat heating) or more")
        age = self.state_max_age_s
        if age is not None and not (math.isfinite(age) and age > 0):
            raise ValueError(f"safety.state_max_age_s: {age} must be a number of seconds above 0, or null")
