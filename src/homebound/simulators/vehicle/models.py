"""Named car models: the physical parameters the energy model needs.

Values are rounded published figures, not a particular car's homologation data:
- compact sedan: in the class of a Tesla Model 3 RWD / Hyundai Ioniq 6 (kerb mass about 1,750 kg with driver,
  Cd 0.23 x frontal area 2.22 m², about 57.5 kWh usable; manufacturers' data sheets and EV-database.org).
- SUV: in the class of a Volkswagen ID.4 / Hyundai Ioniq 5 AWD (about 2,250 kg, Cd 0.28 x 2.56 m², 77 kWh usable).
Rolling resistance 0.008-0.010 is typical of EV low-rolling-resistance tyres; drivetrain efficiencies of 0.88-0.92
(battery to wheel) and regeneration of about 0.65 (wheel to battery, round trip losses) follow published tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VehicleModel:
    name: str
    mass_kg: float
    cda_m2: float                # drag coefficient x frontal area
    crr: float                   # rolling resistance coefficient
    drivetrain_efficiency: float  # battery -> wheel
    regen_efficiency: float      # wheel -> battery
    max_regen_kw: float
    battery_kwh: float           # usable capacity
    max_ac_kw: float
    max_dc_kw: float
    aux_w: float                 # electronics, lights, pumps
    hvac_max_w: float
    brand: str = "Homebound"


COMPACT_SEDAN = VehicleModel("compact sedan", mass_kg=1750, cda_m2=0.23 * 2.22, crr=0.0085,
                             drivetrain_efficiency=0.90, regen_efficiency=0.65, max_regen_kw=60, battery_kwh=57.5,
                             max_ac_kw=11, max_dc_kw=170, aux_w=300, hvac_max_w=4000)
SUV = VehicleModel("SUV", mass_kg=2250, cda_m2=0.28 * 2.56, crr=0.0100, drivetrain_efficiency=0.88,
                   regen_efficiency=0.63, max_regen_kw=80, battery_kwh=77.0, max_ac_kw=11, max_dc_kw=175,
                   aux_w=350, hvac_max_w=5000)
MODELS = {"compact_sedan": COMPACT_SEDAN, "suv": SUV}
