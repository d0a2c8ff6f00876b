"""Energy from physics: the power the battery gives (or takes back) to move the car.

Road load at the wheel: F = m·a + m·g·Crr·cos θ + m·g·sin θ + ½·rho·CdA·v². Driving, the battery supplies
F·v / η_drive; braking, the motor recovers F·v · η_regen up to the regeneration limit (the rest is friction
braking). Auxiliaries and HVAC add their draw. Positive battery power discharges the battery.
"""

from __future__ import annotations

import math

from homebound.simulators.vehicle.models import VehicleModel

G = 9.80665          # m/s²
AIR_DENSITY = 1.2    # kg/m³ at about 20 °C, sea level


def road_force_n(model: VehicleModel, speed_mps: float, accel_mps2: float, grade: float = 0.0) -> float:
    """Force at the wheels (N) to hold `accel_mps2` at `speed_mps` on a `grade` (rise/run, 0.05 = 5 %)."""
    theta = math.atan(grade)
    rolling = model.mass_kg * G * model.crr * math.cos(theta) if speed_mps > 0 else 0.0
    climbing = model.mass_kg * G * math.sin(theta)
    drag = 0.5 * AIR_DENSITY * model.cda_m2 * speed_mps * speed_mps
    return model.mass_kg * accel_mps2 + rolling + climbing + drag


def battery_power_w(model: VehicleModel, speed_mps: float, accel_mps2: float, grade: float = 0.0,
                    hvac_w: float = 0.0) -> float:
    """Battery power (W): positive while it drives the car, negative while regeneration recharges it."""
    wheel_w = road_force_n(model, speed_mps, accel_mps2, grade) * speed_mps
    if wheel_w >= 0:
        traction = wheel_w / model.drivetrain_efficiency
    else:
        traction = max(wheel_w * model.regen_efficiency, -model.max_regen_kw * 1000)
    return traction + model.aux_w + hvac_w


def consumption_wh_per_km(model: VehicleModel, speed_mps: float, grade: float = 0.0, hvac_w: float = 0.0) -> float:
    """Steady-state consumption at a constant speed."""
    if speed_mps <= 0:
        raise ValueError("consumption needs a speed above zero")
    return battery_power_w(model, speed_mps, 0.0, grade, hvac_w) / speed_mps * 1000 / 3600


def hvac_power_w(model: VehicleModel, cabin_c: float, setpoint_c: float, on: bool) -> float:
    """Climate draw: proportional to how far the cabin is from the setpoint, up to the system's maximum."""
    if not on:
        return 0.0
    return min(model.hvac_max_w, 300.0 + 250.0 * abs(setpoint_c - cabin_c))


def dc_charge_limit_kw(model: VehicleModel, soc: float) -> float:
    """DC fast charging power the car accepts at a state of charge: full up to 50 %, tapering above (about a
    third of maximum at 80 %, a tenth at 100 %), as published charging curves show."""
    if soc <= 50:
        return model.max_dc_kw
    if soc <= 80:
        return model.max_dc_kw * (1 - (soc - 50) / 30 * 0.65)
    return model.max_dc_kw * max(0.1, 0.35 - (soc - 80) / 20 * 0.25)
