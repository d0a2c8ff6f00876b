"""Which OBD-II readings Homebound asks for, and the VSS path and unit each one becomes.

python-OBD answers with pint quantities; each reading converts to the VSS unit of its path (km/h, rpm, degrees
Celsius, percent, volts) so the hub's validation sees VSS values. A car that does not support a PID is simply not
asked for it; trouble codes become `Vehicle.Diagnostics.DTCList` and `DTCCount`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SPEED = "Vehicle.Speed"
RPM = "Vehicle.Powertrain.CombustionEngine.Speed"
COOLANT = "Vehicle.Powertrain.CombustionEngine.EngineCoolant.Temperature"
AMBIENT = "Vehicle.Exterior.AirTemperature"
FUEL = "Vehicle.Powertrain.FuelSystem.RelativeLevel"
BATTERY = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
LOW_VOLTAGE = "Vehicle.LowVoltageBattery.CurrentVoltage"
DTC_LIST = "Vehicle.Diagnostics.DTCList"
DTC_COUNT = "Vehicle.Diagnostics.DTCCount"


@dataclass(frozen=True, slots=True)
class Reading:
    """One python-OBD command (by name), the VSS path it feeds, the pint unit to convert to, and the VSS shape."""

    command: str
    path: str
    unit: str | None
    whole: bool = False


READINGS: tuple[Reading, ...] = (
    Reading("SPEED", SPEED, "kph"),
    Reading("RPM", RPM, "rpm"),
    Reading("COOLANT_TEMP", COOLANT, "degC"),
    Reading("AMBIANT_AIR_TEMP", AMBIENT, "degC"),  # python-OBD's spelling
    Reading("FUEL_LEVEL", FUEL, "percent", whole=True),
    Reading("HYBRID_BATTERY_REMAINING", BATTERY, "percent"),
    Reading("ELM_VOLTAGE", LOW_VOLTAGE, "volt"),
)


def to_vss(reading: Reading, value: object) -> float | int | None:
    """A python-OBD value (a pint quantity) in the reading's VSS unit; None when it is not a finite number."""
    magnitude: object = value
    if reading.unit is not None and hasattr(value, "to"):
        try:
            magnitude = value.to(reading.unit).magnitude
        except Exception:  # pint raises DimensionalityError and others for a unit it cannot convert
            return None
    elif hasattr(value, "magnitude"):
        magnitude = value.magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, int | float):
        return None
    number = float(magnitude)
    if not math.isfinite(number):
        return None
    return round(number) if reading.whole else round(number, 3)


def trouble_codes(value: object) -> list[str]:
    """python-OBD's GET_DTC answer (a list of (code, description)) as the codes, in order, without repeats."""
    codes: list[str] = []
    if isinstance(value, list):
        for item in value[:256]:
            code = item[0] if isinstance(item, tuple | list) and item else item
            if isinstance(code, str) and 0 < len(code) <= 16 and code not in codes:
                codes.append(code)
    return codes
