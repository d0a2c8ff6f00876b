"""The handful of VSS signals the car's story is told from, and the latest reading of each for one car.

The session tracker looks up every accepted datapoint's path in `WATCHED` (one dictionary lookup); only these
paths cost more than that. Values arrive validated by the hub (typed, finite, within the catalog's limits), but
a crafted value can still be absurd (a speed of 10^30 km/h is a valid float), so each reading is checked for
plausibility before it is believed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

SPEED = "Vehicle.Speed"
IS_MOVING = "Vehicle.IsMoving"
ODOMETER = "Vehicle.TraveledDistance"
LATITUDE = "Vehicle.CurrentLocation.Latitude"
LONGITUDE = "Vehicle.CurrentLocation.Longitude"
ACCURACY = "Vehicle.CurrentLocation.HorizontalAccuracy"
SELECTED_GEAR = "Vehicle.Powertrain.Transmission.SelectedGear"
CURRENT_GEAR = "Vehicle.Powertrain.Transmission.CurrentGear"
PARK_LOCK = "Vehicle.Powertrain.Transmission.IsParkLockEngaged"
OUTSIDE_TEMPERATURE = "Vehicle.Exterior.AirTemperature"
RANGE = "Vehicle.Powertrain.Range"
BATTERY = "Vehicle.Powertrain.TractionBattery"
SOC = f"{BATTERY}.StateOfCharge.Current"
SOC_DISPLAYED = f"{BATTERY}.StateOfCharge.Displayed"
BATTERY_POWER = f"{BATTERY}.CurrentPower"
CONSUMED_ENERGY = f"{BATTERY}.AccumulatedConsumedEnergy"
CHARGED_ENERGY = f"{BATTERY}.AccumulatedChargedEnergy"
NET_CAPACITY = f"{BATTERY}.NetCapacity"
CHARGING = f"{BATTERY}.Charging"
IS_CHARGING = f"{CHARGING}.IsCharging"
PLUGGED = f"{CHARGING}.ChargingPort.AnyPosition.IsChargingCableConnected"
CHARGE_LIMIT = f"{CHARGING}.ChargeLimit"
CHARGE_LOSS = f"{CHARGING}.PowerLoss"
DC_CURRENT = f"{CHARGING}.ChargeCurrent.DC"
AC_CURRENT = f"{CHARGING}.ChargeCurrent.Phase1"

GEAR_PARK = 126  # VSS SelectedGear: 126=Park, 127=Drive, 0=Neutral, >0 forward, <0 reverse

MAX_SPEED_KMH = 500.0
MAX_POWER_W = 2_000_000.0
MOVING_KMH = 1.0


class Reading(IntEnum):
    """Index of each watched signal in `Readings.values`."""

    SPEED = 0
    IS_MOVING = 1
    ODOMETER = 2
    LATITUDE = 3
    LONGITUDE = 4
    ACCURACY = 5
    SELECTED_GEAR = 6
    CURRENT_GEAR = 7
    PARK_LOCK = 8
    OUTSIDE_TEMPERATURE = 9
    RANGE = 10
    SOC = 11
    SOC_DISPLAYED = 12
    BATTERY_POWER = 13
    CONSUMED_ENERGY = 14
    CHARGED_ENERGY = 15
    NET_CAPACITY = 16
    IS_CHARGING = 17
    PLUGGED = 18
    CHARGE_LIMIT = 19
    CHARGE_LOSS = 20
    DC_CURRENT = 21
    AC_CURRENT = 22


WATCHED: dict[str, Reading] = {
    SPEED: Reading.SPEED, IS_MOVING: Reading.IS_MOVING, ODOMETER: Reading.ODOMETER,
    LATITUDE: Reading.LATITUDE, LONGITUDE: Reading.LONGITUDE, ACCURACY: Reading.ACCURACY,
    SELECTED_GEAR: Reading.SELECTED_GEAR, CURRENT_GEAR: Reading.CURRENT_GEAR, PARK_LOCK: Reading.PARK_LOCK,
    OUTSIDE_TEMPERATURE: Reading.OUTSIDE_TEMPERATURE, RANGE: Reading.RANGE, SOC: Reading.SOC,
    SOC_DISPLAYED: Reading.SOC_DISPLAYED, BATTERY_POWER: Reading.BATTERY_POWER,
    CONSUMED_ENERGY: Reading.CONSUMED_ENERGY, CHARGED_ENERGY: Reading.CHARGED_ENERGY,
    NET_CAPACITY: Reading.NET_CAPACITY, IS_CHARGING: Reading.IS_CHARGING, PLUGGED: Reading.PLUGGED,
    CHARGE_LIMIT: Reading.CHARGE_LIMIT, CHARGE_LOSS: Reading.CHARGE_LOSS, DC_CURRENT: Reading.DC_CURRENT,
    AC_CURRENT: Reading.AC_CURRENT,
}

# Plausible ranges: a reading outside is ignored (and counted), never believed.
_LIMITS: dict[Reading, tuple[float, float]] = {
    Reading.SPEED: (0.0, MAX_SPEED_KMH),
    Reading.ODOMETER: (0.0, 1e10),
    Reading.ACCURACY: (0.0, 1e6),
    Reading.OUTSIDE_TEMPERATURE: (-90.0, 70.0),
    Reading.RANGE: (0.0, 1e7),
    Reading.BATTERY_POWER: (-MAX_POWER_W, MAX_POWER_W),
    Reading.CONSUMED_ENERGY: (0.0, 1e9),
    Reading.CHARGED_ENERGY: (0.0, 1e9),
    Reading.NET_CAPACITY: (1.0, 1000.0),
    Reading.CHARGE_LOSS: (0.0, MAX_POWER_W),
    Reading.DC_CURRENT: (-5000.0, 5000.0),
    Reading.AC_CURRENT: (-1000.0, 1000.0),
}
_BOOLEAN = {Reading.IS_MOVING, Reading.PARK_LOCK, Reading.IS_CHARGING, Reading.PLUGGED}
# Per reading, as lists indexed by it (the tracker checks every watched value: no dictionary, no call):
IS_FLAG = [reading in _BOOLEAN for reading in Reading]
LOW = [_LIMITS.get(reading, (-float("inf"), 0.0))[0] for reading in Reading]
HIGH = [_LIMITS.get(reading, (0.0, float("inf")))[1] for reading in Reading]


def plausible(reading: Reading, value: object) -> bool:
    """A value of the right shape for the reading (a bool for flags; an int or float otherwise, never a bool)
    and within what a car can report."""
    kind = value.__class__
    if IS_FLAG[reading]:
        return kind is bool
    return (kind is float or kind is int) and LOW[reading] <= value <= HIGH[reading]  # type: ignore[operator]


def _no_values() -> list[object]:
    return [None] * len(Reading)


def _no_times() -> list[float]:
    return [0.0] * len(Reading)


@dataclass(slots=True)
class Readings:
    """The latest believed value of each watched signal of one car, and when it was read (data time)."""

    values: list[object] = field(default_factory=_no_values)
    times: list[float] = field(default_factory=_no_times)

    # Only believed values are stored (see `plausible`): a number where a number belongs, a bool for a flag.
    def number(self, reading: Reading) -> float | None:
        return self.values[reading]  # type: ignore[return-value]

    def flag(self, reading: Reading) -> bool | None:
        return self.values[reading]  # type: ignore[return-value]

    @property
    def soc(self) -> float | None:
        soc = self.number(Reading.SOC)
        return soc if soc is not None else self.number(Reading.SOC_DISPLAYED)

    @property
    def position(self) -> tuple[float, float] | None:
        lat, lon = self.number(Reading.LATITUDE), self.number(Reading.LONGITUDE)
        return None if lat is None or lon is None else (lat, lon)

    def in_park(self) -> bool | None:
        """True in park, False out of it (D, R, N or a gear), None when the car reports no gear at all."""
        selected = self.number(Reading.SELECTED_GEAR)
        if selected is not None:
            return selected == GEAR_PARK
        lock = self.flag(Reading.PARK_LOCK)
        if lock is not None:
            return lock
        current = self.number(Reading.CURRENT_GEAR)
        if current is not None and current != 0:
            return False  # in a gear; CurrentGear has no code for park, so 0 (N or P) tells nothing
        return None

    def moving(self) -> bool:
        speed = self.number(Reading.SPEED)
        if speed is not None and self.times[Reading.SPEED] >= self.times[Reading.IS_MOVING]:
            return speed >= MOVING_KMH
        return self.flag(Reading.IS_MOVING) is True

    def charging(self, min_power_w: float) -> bool:
        """IsCharging when the car reports it; else battery power flowing in while parked."""
        reported = self.flag(Reading.IS_CHARGING)
        if reported is not None:
            return reported
        power = self.number(Reading.BATTERY_POWER)
        return power is not None and power >= min_power_w and not self.moving() and self.flag(
            Reading.PLUGGED) is not False

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Readings:
        readings = cls()
        values, times = data.get("values"), data.get("times")
        if isinstance(values, list) and isinstance(times, list):
            for index in range(min(len(values), len(times), len(Reading))):
                value, ts = values[index], times[index]
                if value is not None and plausible(Reading(index), value) and isinstance(ts, int | float):
                    readings.values[index] = value
                    readings.times[index] = float(ts)
        return readings
