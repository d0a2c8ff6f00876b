"""The household: phone, e-scooter, air purifier, rice cooker, garage door, lights, air conditioner, robot vacuum,
and the energy devices (wallbox, grid meter, solar inverter, in `energy_devices`).

Each behaves enough like the real thing to drive automations: the purifier's PM2.5 falls while it runs, the
rice cooker finishes and says so, the garage door takes seconds to move, the air conditioner's room follows it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import ClassVar

from homebound.energy.sun import SolarArray
from homebound.simulators.household.base import SIM_ROOT, SimulatedDevice, on_off
from homebound.simulators.household.energy_devices import GridMeter, SolarInverter, Wallbox
from homebound.simulators.household.site import ChargingVehicle, SimulatedSite
from homebound.simulators.household.sky import HouseLoad, Sky

HOME = (48.1372, 11.5756)


class Phone(SimulatedDevice):
    model = "Smartphone"

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("phone", "Phone", root)
        self.latitude, self.longitude, self.accuracy = HOME[0], HOME[1], 12.0
        self.battery = 80.0
        self.notifications: list[str] = []

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "location": {"p": "device_tracker", "name": "Location", "json_attr_t": f"{self.base}/location",
                         "uniq_id": "phone_location", "src_type": "gps"},
            "notify": {"p": "notify", "name": "Notifications", "cmd_t": f"{self.base}/set/notify",
                       "uniq_id": "phone_notify"},
            "battery": self.sensor("battery", "Battery", "%", "battery"),
        }

    def state(self) -> dict[str, object]:
        return {"battery": round(self.battery, 1)}

    def messages(self) -> list[tuple[str, str]]:
        return [self.state_message(), self.location_message()]

    def location_message(self) -> tuple[str, str]:
        return f"{self.base}/location", json.dumps({"latitude": self.latitude, "longitude": self.longitude,
                                                    "gps_accuracy": self.accuracy})

    def command(self, key: str, payload: str) -> None:
        if key == "notify":
            self.notifications.append(payload)
            self.log.append(f"phone notified: {payload}")

    def tick(self, seconds: float) -> None:
        self.battery = max(5.0, self.battery - seconds / 600)


class Scooter(SimulatedDevice):
    model = "E-scooter"

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("scooter", "E-scooter", root)
        self.battery, self.locked, self.charging = 35.0, True, False

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "battery": self.sensor("battery", "Battery", "%", "battery"),
            "range": self.sensor("range", "Range", "km", "distance"),
            "lock": {"p": "lock", "name": "Lock", "stat_t": self.state_topic, "val_tpl": "{{ value_json.lock }}",
                     "cmd_t": f"{self.base}/set/lock", "uniq_id": "scooter_lock"},
            "charging": self.switch("charging", "Charging"),
        }

    def state(self) -> dict[str, object]:
        return {"battery": round(self.battery, 1), "range": round(self.battery * 0.45, 1),
                "lock": "LOCKED" if self.locked else "UNLOCKED", "charging": on_off(self.charging)}

    def command(self, key: str, payload: str) -> None:
        if key == "lock":
            self.locked = payload == "LOCK"
        elif key == "charging":
            self.charging = payload == "ON"

    def tick(self, seconds: float) -> None:
        if self.charging:
            self.battery = min(100.0, self.battery + seconds / 60)
            self.charging = self.battery < 100.0


class AirPurifier(SimulatedDevice):
    model = "Air purifier"

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("purifier", "Air purifier", root)
        self.power, self.mode, self.pm25 = False, "auto", 38.0

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "power": self.switch("power", "Power"),
            "mode": {"p": "select", "name": "Mode", "stat_t": self.state_topic, "val_tpl": "{{ value_json.mode }}",
                     "cmd_t": f"{self.base}/set/mode", "ops": ["auto", "sleep", "turbo"], "uniq_id": "purifier_mode"},
            "pm25": self.sensor("pm25", "PM2.5", "µg/m³", "pm25"),
        }

    def state(self) -> dict[str, object]:
        return {"power": on_off(self.power), "mode": self.mode, "pm25": round(self.pm25, 1)}

    def command(self, key: str, payload: str) -> None:
        if key == "power":
            self.power = payload == "ON"
        elif key == "mode" and payload in ("auto", "sleep", "turbo"):
            self.mode = payload

    def tick(self, seconds: float) -> None:
        if self.power:
            rate = {"sleep": 0.002, "auto": 0.005, "turbo": 0.012}[self.mode]
            self.pm25 = max(3.0, self.pm25 * (1 - rate) ** seconds)
        else:
            self.pm25 = min(60.0, self.pm25 + seconds * 0.002)


class RiceCooker(SimulatedDevice):
    model = "Rice cooker"
    PROGRAMS: ClassVar[dict[str, int]] = {"white rice": 40 * 60, "brown rice": 60 * 60, "porridge": 75 * 60,
                                          "quick": 20 * 60}

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("rice_cooker", "Rice cooker", root)
        self.status, self.program, self.keep_warm, self.remaining = "idle", "white rice", True, 0.0

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "status": self.sensor("status", "Status", numeric=False),
            "program": {"p": "select", "name": "Program", "stat_t": self.state_topic,
                        "val_tpl": "{{ value_json.program }}", "cmd_t": f"{self.base}/set/program",
                        "ops": list(self.PROGRAMS), "uniq_id": "rice_cooker_program"},
            "keep_warm": self.switch("keep_warm", "Keep warm"),
            "start": {"p": "button", "name": "Start", "cmd_t": f"{self.base}/set/start", "uniq_id": "rice_start"},
            "cooking": {"p": "event", "name": "Cooking", "stat_t": f"{self.base}/event",
                        "evt_typ": ["cooking_started", "cooking_finished"], "uniq_id": "rice_cooker_event"},
            "remaining": self.sensor("remaining", "Time remaining", "min", "duration"),
        }

    def state(self) -> dict[str, object]:
        return {"status": self.status, "program": self.program, "keep_warm": on_off(self.keep_warm),
                "remaining": round(self.remaining / 60)}

    def command(self, key: str, payload: str) -> None:
        if key == "program" and payload in self.PROGRAMS:
            self.program = payload
        elif key == "keep_warm":
            self.keep_warm = payload == "ON"
        elif key == "start" and self.status != "cooking":
            self.status, self.remaining = "cooking", float(self.PROGRAMS[self.program])
            self.events.append((f"{self.base}/event", json.dumps({"event_type": "cooking_started"})))

    def tick(self, seconds: float) -> None:
        if self.status == "cooking":
            self.remaining -= seconds
            if self.remaining <= 0:
                self.remaining = 0.0
                self.status = "keep_warm" if self.keep_warm else "idle"
                self.events.append((f"{self.base}/event", json.dumps({"event_type": "cooking_finished"})))
                self.log.append("rice cooker: cooking finished")


class GarageDoor(SimulatedDevice):
    model = "Garage door opener"
    TRAVEL_SECONDS = 12.0

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("garage", "Garage door", root)
        self.position, self.moving = 0.0, 0  # 0 closed, 100 open; moving +1 opening, -1 closing

    def components(self) -> dict[str, dict[str, object]]:
        return {"door": {"p": "cover", "name": "Door", "dev_cla": "garage", "stat_t": f"{self.base}/door",
                         "cmd_t": f"{self.base}/set/door", "pos_t": f"{self.base}/position",
                         "set_pos_t": f"{self.base}/set/position", "uniq_id": "garage_door"}}

    def state(self) -> dict[str, object]:
        return {"position": round(self.position)}

    @property
    def status(self) -> str:
        if self.moving > 0:
            return "opening"
        if self.moving < 0:
            return "closing"
        return "open" if self.position >= 100 else "closed" if self.position <= 0 else "stopped"

    def messages(self) -> list[tuple[str, str]]:
        return [(f"{self.base}/door", self.status), (f"{self.base}/position", str(round(self.position)))]

    def command(self, key: str, payload: str) -> None:
        if key == "door":
            self.moving = {"OPEN": 1, "CLOSE": -1, "STOP": 0}.get(payload, self.moving)
        elif key == "position":
            target = float(payload)
            self.moving = 1 if target > self.position else -1 if target < self.position else 0

    def tick(self, seconds: float) -> None:
        if self.moving:
            self.position = min(100.0, max(0.0, self.position + self.moving * 100 * seconds / self.TRAVEL_SECONDS))
            if self.position in (0.0, 100.0):
                self.moving = 0


class Lights(SimulatedDevice):
    model = "Smart lights"

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("lights", "Lights", root)
        self.hall, self.living, self.living_brightness = False, False, 180

    def components(self) -> dict[str, dict[str, object]]:
        return {
            "hall": {"p": "light", "name": "Hall", "stat_t": self.state_topic, "stat_val_tpl": "{{ value_json.hall }}",
                     "cmd_t": f"{self.base}/set/hall", "uniq_id": "lights_hall"},
            "living": {"p": "light", "schema": "json", "name": "Living room", "stat_t": f"{self.base}/living",
                       "cmd_t": f"{self.base}/set/living", "sup_clrm": ["brightness"], "uniq_id": "lights_living"},
        }

    def state(self) -> dict[str, object]:
        return {"hall": on_off(self.hall)}

    def messages(self) -> list[tuple[str, str]]:
        living = json.dumps({"state": on_off(self.living), "brightness": self.living_brightness})
        return [self.state_message(), (f"{self.base}/living", living)]

    def command(self, key: str, payload: str) -> None:
        if key == "hall":
            self.hall = payload == "ON"
        elif key == "living":
            document = json.loads(payload)
            self.living = str(document.get("state", "OFF")).upper() == "ON"
            self.living_brightness = int(document.get("brightness", self.living_brightness))


class AirConditioner(SimulatedDevice):
    model = "Split air conditioner"

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("aircon", "Air conditioner", root)
        self.mode, self.target, self.room = "off", 22.0, 27.0

    def components(self) -> dict[str, dict[str, object]]:
        return {"climate": {
            "p": "climate", "name": "Living room", "modes": ["off", "cool", "heat", "auto"],
            "mode_stat_t": self.state_topic, "mode_stat_tpl": "{{ value_json.mode }}",
            "mode_cmd_t": f"{self.base}/set/mode", "temp_stat_t": self.state_topic,
            "temp_stat_tpl": "{{ value_json.target }}", "temp_cmd_t": f"{self.base}/set/target",
            "curr_temp_t": self.state_topic, "curr_temp_tpl": "{{ value_json.room }}", "min_temp": 16,
            "max_temp": 30, "uniq_id": "aircon_climate"}}

    def state(self) -> dict[str, object]:
        return {"mode": self.mode, "target": self.target, "room": round(self.room, 1)}

    def command(self, key: str, payload: str) -> None:
        if key == "mode" and payload in ("off", "cool", "heat", "auto"):
            self.mode = payload
        elif key == "target":
            self.target = float(payload)

    def tick(self, seconds: float) -> None:
        goal = 27.0 if self.mode == "off" else self.target
        self.room += (goal - self.room) * min(1.0, seconds / 900)


class RobotVacuum(SimulatedDevice):
    """A robot vacuum as its maker's MQTT bridge publishes it (Home Assistant's vacuum: JSON state, commands)."""

    model = "Robot vacuum"
    SPEEDS = ("quiet", "standard", "turbo")

    def __init__(self, root: str = SIM_ROOT) -> None:
        super().__init__("vacuum", "Robot vacuum", root)
        self.status, self.fan_speed, self.battery, self.cleaned_s = "docked", "standard", 100.0, 0.0

    def components(self) -> dict[str, dict[str, object]]:
        return {"robot": {"p": "vacuum", "name": "Robot", "stat_t": self.state_topic,
                          "cmd_t": f"{self.base}/set/command", "set_fan_speed_topic": f"{self.base}/set/fan_speed",
                          "fan_speed_list": list(self.SPEEDS), "uniq_id": "vacuum_robot",
                          "sup_feat": ["start", "pause", "stop", "return_home", "status", "locate", "fan_speed"]}}

    def state(self) -> dict[str, object]:
        return {"state": self.status, "fan_speed": self.fan_speed, "battery_level": round(self.battery)}

    def command(self, key: str, payload: str) -> None:
        if key == "fan_speed" and payload in self.SPEEDS:
            self.fan_speed = payload
        elif key == "command":
            self.status = {"start": "cleaning", "pause": "paused", "stop": "idle",
                           "return_to_base": "returning"}.get(payload, self.status)
            if payload == "locate":
                self.log.append("robot vacuum: beep beep (locate)")

    def tick(self, seconds: float) -> None:
        if self.status == "cleaning":
            self.battery = max(0.0, self.battery - seconds / 36)  # an hour of cleaning drains it
            self.cleaned_s += seconds
            if self.cleaned_s >= 1800 or self.battery < 20:
                self.status, self.cleaned_s = "returning", 0.0
                self.log.append("robot vacuum: done, returning to its base")
        elif self.status == "returning":
            self.status = "docked"
        elif self.status == "docked":
            self.battery = min(100.0, self.battery + seconds / 18)


def default_site(start: float | None = None, seed: int = 1) -> SimulatedSite:
    """A house near the demo's home: 8 kWp on the roof, a partly cloudy day, a 3 x 35 A main fuse."""
    now = time.time() if start is None else start
    local = dt.datetime.now().astimezone().tzinfo or dt.UTC
    return SimulatedSite(SolarArray(HOME[0], HOME[1], 8_000.0), Sky(seed, 0.3, now), HouseLoad(local, seed), now,
                         breaker_w=35 * 3 * 230.0)


def household(root: str = SIM_ROOT, site: SimulatedSite | None = None,
              vehicle: ChargingVehicle | None = None) -> list[SimulatedDevice]:
    """The household's devices; the energy ones share `site` (a default one if none is given)."""
    site = site or default_site()
    return [Phone(root), Scooter(root), AirPurifier(root), RiceCooker(root), GarageDoor(root), Lights(root),
            Wallbox(root, site, vehicle), GridMeter(site, root), SolarInverter(site, root), AirConditioner(root),
            RobotVacuum(root)]
