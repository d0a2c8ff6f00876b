"""Power and current on an AC charge point: the conversions every decision about amps and watts goes through.

Wallboxes are commanded in amps per phase; meters report watts. At 230 V a phase carries 230 W per amp, so
6 A (the lowest current IEC 61851 lets a car charge at) is 1.38 kW on one phase and 4.14 kW on three.
"""

from __future__ import annotations

import math

VOLTAGE_V = 230.0
"""Nominal phase voltage (Europe). Configurable per site; this is the default."""


def power_w(current_a: float, phases: int, voltage: float = VOLTAGE_V) -> float:
    """The power drawn at `current_a` amps on each of `phases` phases."""
    return current_a * phases * voltage


def current_a(power: float, phases: int, voltage: float = VOLTAGE_V) -> float:
    """The per-phase current that carries `power` watts on `phases` phases."""
    if phases <= 0:
        raise ValueError(f"phases must be 1 or more, not {phases}")
    return power / (phases * voltage)


def floor_to_step(current: float, step: float) -> float:
    """Round a current down to what the wallbox accepts (whole amps, or tenths); never up, so a limit holds."""
    if step <= 0:
        return current
    return math.floor(current / step + 1e-9) * step
