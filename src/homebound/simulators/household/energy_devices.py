"""The household's energy devices, speaking MQTT discovery like real ones: a wallbox, a grid meter, a solar
inverter. They share one `SimulatedSite`, so the grid meter shows what the wallbox and the roof do.

The wallbox takes a current limit (6-16 A, a number), a phase count (1 or 3, a select) and a charging switch,
and reports plugged, power (W) and session energy. Like a real one, a car follows a new current only after a
delay (`response_s`; IEC 61851 allows up to 5 s), and switching phases while charging opens the contactor for a
few seconds. It counts its contactor closings, so a test can see chatter.
"""

from __future__ import annotations

from collections import deque

from homebound.simulators.household.base import SIM_ROOT, SimulatedDevice, on_off
from homebound.simulators.household.site import ChargingVehicle, SimulatedSite, StandInCar

VOLTAGE_V = 230.0


class Wallbox(SimulatedDevice):
    model = "Wallbox 11 kW"
    MIN_A, MAX_A = 6.0, 16.0
    PHASE_SWITCH_S = 10.0

    def __init__(self, root: str = SIM_ROOT, site: SimulatedSite | None = None,
                 vehicle: ChargingVehicle | None = None, response_s: float = 3.0) -> None:
        super().__init__("wallbox", "Wallbox", root)
        self.site = site
        self.vehicle: ChargingVehicle = vehicle or StandInCar()
        self.response_s = response_s
        self.enabled = True
        self.current_limit = self.MAX_A
        self.phases = 3
        self.power_w = 0.0
        self.session_kwh = 0.0
        self.contactor = False
        self.contactor_closings = 0
        self.now = 0.0
        self._pause_until = 0.0
        self._was_plugged = False
        self._offers: deque[tuple[float, float]] = deque(maxlen=64)

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "plugged": {"p": "binary_sensor", "name": "Plugged", "dev_cla": "plug", "stat_t": self.state_topic,
                        "val_tpl": "{{ value_json.plugged }}", "uniq_id": "wallbox_plugged"},
            "charging": self.switch("charging", "Charging"),
            "power": self.sensor("power", "Power", "W", "power"),
            "energy": self.sensor("energy", "Session energy", "kWh", "energy", state_class="total_increasing"),
            "current_limit": {"p": "number", "name": "Current limit", "stat_t": self.state_topic,
                              "val_tpl": "{{ value_json.current_limit }}", "cmd_t": f"{self.base}/set/current_limit",
                              "min": self.MIN_A, "max": self.MAX_A, "step": 1, "unit_of_meas": "A",
                              "uniq_id": "wallbox_current_limit"},
            "phases": {"p": "select", "name": "Phases", "stat_t": self.state_topic,
                       "val_tpl": "{{ value_json.phases }}", "cmd_t": f"{self.base}/set/phases", "ops": ["1", "3"],
                       "uniq_id": "wallbox_phases"},
        }

    def state(self) -> dict[str, object]:
        return {"plugged": on_off(self.vehicle.plugged()), "charging": on_off(self.enabled),
                "power": round(self.power_w), "energy": round(self.session_kwh, 3),
                "current_limit": self.current_limit, "phases": str(self.phases)}

    def command(self, key: str, payload: str) -> None:
        if key == "charging":
            self.enabled = payload == "ON"
        elif key == "current_limit":
            value = float(payload)
            if not self.MIN_A <= value <= self.MAX_A:
                raise ValueError(f"current limit {value:g} A is outside {self.MIN_A:g}..{self.MAX_A:g} A")
            self.current_limit = value
        elif key == "phases" and payload in ("1", "3"):
            if int(payload) != self.phases and self.contactor:
                self._pause_until = self.now + self.PHASE_SWITCH_S  # open, switch, close again
            self.phases = int(payload)

    def offered_w(self) -> float:
        return self.current_limit * self.phases * VOLTAGE_V if self.contactor else 0.0

    def tick(self, seconds: float) -> None:
        self.now = self.site.now if self.site is not None else self.now + seconds
        plugged = self.vehicle.plugged()
        if plugged and not self._was_plugged:
            self.session_kwh = 0.0
        self._was_plugged = plugged
        closed = plugged and self.enabled and self.now >= self._pause_until
        if closed and not self.contactor:
            self.contactor_closings += 1
            self.log.append(f"wallbox: contactor closed ({self.current_limit:g} A, {self.phases} phases)")
        self.contactor = closed
        offered = self.offered_w()
        self._offers.append((self.now, offered))
        effective = 0.0
        if offered > 0:
            for at, watts in reversed(self._offers):
                if at <= self.now - self.response_s:
                    effective = watts
                    break
        self.power_w = self.vehicle.offer_ac(effective, seconds)
        self.session_kwh += self.power_w * seconds / 3.6e6
        if self.site is not None:
            self.site.charger_w = self.power_w


class GridMeter(SimulatedDevice):
    """The meter at the grid connection: import positive, export negative, and the two energy counters."""

    model = "Smart meter"

    def __init__(self, site: SimulatedSite, root: str = SIM_ROOT) -> None:
        super().__init__("grid", "Grid meter", root)
        self.site = site

    def components(self) -> dict[str, dict[str, object]]:
        return {"power": self.sensor("power", "Power", "W", "power"),
                "import": self.sensor("import", "Energy imported", "kWh", "energy", state_class="total_increasing"),
                "export": self.sensor("export", "Energy exported", "kWh", "energy", state_class="total_increasing")}

    def state(self) -> dict[str, object]:
        return {"power": round(self.site.grid_w), "import": round(self.site.import_kwh, 3),
                "export": round(self.site.export_kwh, 3)}

    def command(self, key: str, payload: str) -> None:
        return None


class SolarInverter(SimulatedDevice):
    """The roof's inverter: what it makes now and since it started."""

    model = "Solar inverter"

    def __init__(self, site: SimulatedSite, root: str = SIM_ROOT) -> None:
        super().__init__("solar", "Solar inverter", root)
        self.site = site

    def components(self) -> dict[str, dict[str, object]]:
        return {"power": self.sensor("power", "Power", "W", "power"),
                "energy": self.sensor("energy", "Energy", "kWh", "energy", state_class="total_increasing")}

    def state(self) -> dict[str, object]:
        return {"power": round(self.site.solar_w), "energy": round(self.site.solar_kwh, 3)}

    def command(self, key: str, payload: str) -> None:
        return None
