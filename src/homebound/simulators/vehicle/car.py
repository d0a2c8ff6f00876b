"""The simulated car: physics each step, VSS signals as its gateway would send them, commands answered like a car.

Commands are carried out after a realistic delay in simulated time (a lock clicks in under a second, a window
takes seconds) and confirmed by the new value reaching the hub; commands the car could not do are refused at
once (charging without a cable, a temperature outside the climate's range).
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field

from homebound.hub.commands import Command
from homebound.model import vss_paths as vss
from homebound.model.errors import HomeboundError
from homebound.model.geometry import destination
from homebound.simulators.vehicle.energy import battery_power_w, dc_charge_limit_kw, hvac_power_w
from homebound.simulators.vehicle.models import VehicleModel
from homebound.simulators.vehicle.route import Driver, Route

ACTUATION_DELAY_S = {"IsLocked": 0.8, "Window.Position": 4.0, "Window.IsOpen": 4.0, "Trunk.Rear.IsOpen": 3.0,
                     "HVAC": 1.0, "ChargeLimit": 0.5, "StartStopCharging": 2.0}
TOP_UP_HYSTERESIS = 2.0  # state-of-charge points below the limit before a plugged-in car charges again
FAST = (vss.SPEED, vss.LATITUDE, vss.LONGITUDE, vss.HEADING, vss.ACCURACY, vss.BATTERY_POWER, vss.ACCELERATION)


@dataclass
class CarState:
    latitude: float
    longitude: float
    soc: float = 70.0
    odometer_m: float = 10_000_000.0
    heading: float = 0.0
    speed_mps: float = 0.0
    accel: float = 0.0
    power_w: float = 0.0
    cabin_c: float = 15.0
    outside_c: float = 12.0
    hvac_on: bool = False
    setpoint_c: float = 21.0
    locked: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(vss.DOORS, True))
    window: dict[str, int] = field(default_factory=lambda: dict.fromkeys(vss.DOORS, 0))
    trunk_open: bool = False
    charge_limit: int = 80
    plugged: bool = False
    charger_kw: float = 0.0
    charger_dc: bool = False
    charging: bool = False
    charge_w: float = 0.0
    charging_requested: bool = True
    topped_up: bool = False  # reached the limit; like real cars, charging resumes only 2 points below it
    session_kwh: float = 0.0
    energy_used_kwh: float = 0.0
    distance_m: float = 0.0
    battery_out_kwh: float = 0.0  # lifetime energy out of the battery (AccumulatedConsumedEnergy)
    battery_in_kwh: float = 0.0   # lifetime energy into it: charging and regeneration (AccumulatedChargedEnergy)
    destination: tuple[float, float] | None = None


class SimulatedCar:
    """One car: call `step(dt, now)` to let simulated time pass, `signals()` for what its gateway reports."""

    def __init__(self, vehicle_id: str, model: VehicleModel, state: CarState, seed: int = 1,
                 vin: str | None = None) -> None:
        self.id = vehicle_id
        self.model = model
        self.state = state
        self.vin = vin
        self.rng = random.Random(seed)
        self.driver: Driver | None = None
        self.pending: list[tuple[float, int, str, object]] = []  # (due, order, path, value)
        self._order = itertools.count()
        self.now = 0.0
        self._last_travelled = 0.0

    # ---- the world acts on the car ------------------------------------------------------------------------

    def drive(self, route: Route) -> None:
        self.driver = Driver(route)
        self._last_travelled = 0.0
        self.state.locked = dict.fromkeys(vss.DOORS, True)

    @property
    def moving(self) -> bool:
        return self.driver is not None and not self.driver.finished

    def plug(self, power_kw: float, dc: bool = False) -> None:
        self.state.plugged, self.state.charger_kw, self.state.charger_dc = True, power_kw, dc
        self.state.charging_requested = True
        self.state.session_kwh = 0.0
        self.state.topped_up = False

    def unplug(self) -> None:
        self.state.plugged = self.state.charging = False
        self.state.charger_kw = 0.0

    # ---- physics ------------------------------------------------------------------------------------------

    def step(self, dt: float, now: float) -> None:
        self.now = now
        while self.pending and self.pending[0][0] <= now:
            _, _, path, value = heapq.heappop(self.pending)
            self._apply(path, value)
        s, m = self.state, self.model
        hvac_w = hvac_power_w(m, s.cabin_c, s.setpoint_c, s.hvac_on)
        if self.driver is not None and not self.driver.finished:
            accel, grade = self.driver.step(dt)
            speed = self.driver.speed
            power = battery_power_w(m, (s.speed_mps + speed) / 2, accel, grade, hvac_w)
            moved = max(0.0, self.driver.travelled - self._last_travelled)
            self._last_travelled = self.driver.travelled
            s.distance_m += moved
            s.odometer_m += moved
            s.latitude, s.longitude, s.heading = self.driver.route.position(self.driver.travelled)
            s.speed_mps, s.accel = speed, accel
        else:
            s.speed_mps, s.accel = 0.0, 0.0
            power = m.aux_w * 0.1 + hvac_w  # parked: the car sleeps, climate may run
        charge_w = self._charge_power_w()
        s.charge_w = charge_w
        s.charging = charge_w > 0
        if s.charging:
            s.session_kwh += charge_w * dt / 3.6e6
        net_w = power - charge_w * 0.92  # about 8 % of AC charging is lost on the way to the cells
        s.power_w = -net_w  # VSS: positive when charging
        s.energy_used_kwh += max(0.0, power) * dt / 3.6e6
        s.battery_out_kwh += max(0.0, net_w) * dt / 3.6e6
        s.battery_in_kwh += max(0.0, -net_w) * dt / 3.6e6
        s.soc = min(100.0, max(0.0, s.soc - net_w * dt / 3.6e6 / m.battery_kwh * 100))
        goal = s.setpoint_c if s.hvac_on else s.outside_c
        s.cabin_c += (goal - s.cabin_c) * min(1.0, dt / (300.0 if s.hvac_on else 1800.0))


    def offer_ac(self, watts: float, seconds: float = 0.0) -> float:
        """A wallbox offers `watts` (its pilot signal); the car will draw what it can of it. Returns that draw.
        The battery itself charges in `step`, as time passes."""
        self.state.charger_kw, self.state.charger_dc = watts / 1000, False
        return self._charge_power_w()

    def _charge_power_w(self) -> float:
        s = self.state
        if s.soc >= s.charge_limit:
            s.topped_up = True
        elif s.soc < s.charge_limit - TOP_UP_HYSTERESIS:
            s.topped_up = False
        if not (s.plugged and s.charging_requested) or s.topped_up:
            return 0.0
        if s.charger_dc:
            return min(s.charger_kw, dc_charge_limit_kw(self.model, s.soc)) * 1000
        return min(s.charger_kw, self.model.max_ac_kw) * 1000

    @property
    def range_m(self) -> int:
        return int(self.state.soc / 100 * self.model.battery_kwh / 0.16 * 1000)  # at 160 Wh/km, mixed driving

    # ---- what the gateway reports -------------------------------------------------------------------------

    def signals(self) -> dict[str, object]:
        s = self.state
        accuracy = self.rng.uniform(3.0, 12.0)
        noise_lat, noise_lon = destination(s.latitude, s.longitude, self.rng.uniform(0, 360),
                                           abs(self.rng.gauss(0, accuracy / 2)))
        out: dict[str, object] = {
            vss.SPEED: round(s.speed_mps * 3.6, 1),
            vss.IS_MOVING: s.speed_mps > 0.3,
            vss.LATITUDE: round(noise_lat, 7),
            vss.LONGITUDE: round(noise_lon, 7),
            vss.HEADING: round(s.heading, 1),
            vss.ACCURACY: round(accuracy, 1),
            vss.ACCELERATION: round(s.accel, 2),
            vss.TRAVELED_DISTANCE: int(s.odometer_m),
            vss.SOC: round(s.soc, 2),
            vss.SOC_DISPLAYED: round(s.soc),
            vss.BATTERY_POWER: round(s.power_w),
            vss.BATTERY_RANGE: self.range_m,
            vss.RANGE: self.range_m,
            vss.PARK_LOCK: not self.moving,
            vss.CABIN_TEMPERATURE: round(s.cabin_c, 1),
            vss.AIR_CONDITIONING: s.hvac_on,
            vss.DRIVER_TEMPERATURE: s.setpoint_c,
            vss.OUTSIDE_TEMPERATURE: s.outside_c,
            vss.TRUNK_OPEN: s.trunk_open,
            vss.CHARGE_LIMIT: s.charge_limit,
            vss.IS_CHARGING: s.charging,
            vss.PLUGGED: s.plugged,
            vss.START_STOP_CHARGING: "START" if s.charging_requested else "STOP",
            vss.CHARGE_MAX_POWER: float(s.charger_kw if s.plugged else 0.0),
            vss.SELECTED_GEAR: 127 if self.moving else 126,  # VSS: 126 P, 127 D
            vss.ENERGY_CONSUMED: round(s.battery_out_kwh, 4),
            vss.ENERGY_CHARGED: round(s.battery_in_kwh, 4),
            # the charger's current at the inlet: DC, or one of three AC phases at 230 V
            vss.CHARGE_CURRENT_DC: round(s.charge_w / 400.0, 1) if s.charger_dc else 0.0,
            vss.CHARGE_CURRENT_PHASE1: 0.0 if s.charger_dc else round(s.charge_w / 3 / 230.0, 1),
        }
        for door in vss.DOORS:
            out[f"{door}.IsLocked"] = s.locked[door]
            out[f"{door}.IsOpen"] = False
            out[f"{door}.Window.Position"] = s.window[door]
            out[f"{door}.Window.IsOpen"] = s.window[door] > 0
        if s.destination is not None:  # only ever set when the catalog has the navigation destination
            out[vss.DESTINATION_LATITUDE], out[vss.DESTINATION_LONGITUDE] = s.destination
        if self.vin:
            out[vss.VIN] = self.vin
        out[vss.MODEL] = self.model.name
        return out

    # ---- commands -----------------------------------------------------------------------------------------

    async def actuate(self, command: Command) -> None:
        """Accept or refuse a command; accepted ones take effect after the part's delay (simulated time)."""
        path, value = command.path, command.target
        s = self.state
        if path == vss.START_STOP_CHARGING and value == "START" and not s.plugged:
            raise HomeboundError("refused by the car: no charging cable is plugged in")
        if path == vss.DRIVER_TEMPERATURE and not (15 <= _number(value) <= 28):
            raise HomeboundError("refused by the car: the climate takes 15..28 °C")
        if path == vss.CHARGE_LIMIT and _number(value) < 50:
            raise HomeboundError("refused by the car: the charge limit cannot be set below 50 %")
        delay = next((d for key, d in ACTUATION_DELAY_S.items() if key in path), 1.0)
        heapq.heappush(self.pending, (self.now + delay, next(self._order), path, value))

    def _apply(self, path: str, value: object) -> None:
        s = self.state
        if path.endswith(".IsLocked") and path.startswith("Vehicle.Cabin.Door."):
            s.locked[path.rsplit(".", 1)[0]] = bool(value)
        elif path.endswith(".Window.Position"):
            s.window[path.rsplit(".", 2)[0]] = round(_number(value))
        elif path.endswith(".Window.IsOpen"):
            s.window[path.rsplit(".", 2)[0]] = 100 if value else 0
        elif path == vss.TRUNK_OPEN:
            s.trunk_open = bool(value)
        elif path == vss.AIR_CONDITIONING:
            s.hvac_on = bool(value)
        elif path == vss.DRIVER_TEMPERATURE:
            s.setpoint_c = float(_number(value))
        elif path == vss.CHARGE_LIMIT:
            s.charge_limit = round(_number(value))
            s.topped_up = s.soc >= s.charge_limit
        elif path == vss.START_STOP_CHARGING:
            s.charging_requested = value == "START"
        elif path in (vss.DESTINATION_LATITUDE, vss.DESTINATION_LONGITUDE):
            lat, lon = s.destination or (s.latitude, s.longitude)
            s.destination = (float(_number(value)), lon) if path == vss.DESTINATION_LATITUDE else (
                lat, float(_number(value)))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
