"""A member of the family for the demo: her phone speaking OwnTracks (its location, riding along in the car, and
the notifications it receives) and its Bluetooth seen by ESPresense stations (in the car, in the garage, in the
kitchen), as the real app and base stations publish them.

After the car has parked at home she gets out and walks away, comes back to the car a little later (the phone
key unlocks it), and walks into the house (it locks again). While the car moves she sits right by the car's own
station: the phone key must not unlock then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from homebound.messaging import Bus
from homebound.model.geometry import distance_m

CarReading = Callable[[], tuple[float, float, float]]  # latitude, longitude, speed in km/h

# (phase, wall seconds it lasts, station, distance from, distance to)
WALK = (("getting out", 2, "garage", 2.0, 3.0), ("walking away", 4, "garage", 3.0, 12.0), ("away", 6, None, 0, 0),
        ("walking back", 4, "garage", 12.0, 0.7), ("at the car", 6, "garage", 0.7, 0.6),
        ("walking in", 4, "garage", 0.7, 12.0), ("inside", 0, "kitchen", 2.5, 2.5))


@dataclass
class FamilyMember:
    user: str
    device: str
    tag: str
    name: str


class FamilySimulator:
    """One member's phone and Bluetooth tag, following the car, then a walk around it."""

    def __init__(self, bus: Bus, member: FamilyMember, car: CarReading, home: tuple[float, float],
                 owntracks: str = "owntracks", espresense: str = "espresense", car_station: str = "car_cabin",
                 on_log: Callable[[str], None] | None = None) -> None:
        self.bus = bus
        self.member = member
        self.car = car
        self.home = home
        self.root = f"{owntracks}/{member.user}/{member.device}"
        self.espresense = espresense
        self.car_station = car_station
        self.on_log = on_log or (lambda _text: None)
        self.phase = "in the car"
        self.phase_started = 0.0
        self.notifications: list[str] = []
        self._last_location = 0.0

    def start(self) -> None:
        self.bus.subscribe(f"{self.root}/cmd", self._on_command)
        self.bus.publish(f"{self.root}/info", json.dumps({"_type": "card", "name": self.member.name}), retain=True)

    def _on_command(self, _topic: str, payload: bytes, _retained: bool) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("_type") == "cmd":
            text = str(message.get("notify") or message.get("content") or "")[:200]
            self.notifications.append(text)
            self.on_log(f"{self.member.name}'s phone shows: {text}")

    def tick(self, now: float | None = None) -> None:
        """A moment (call it a few times a second): where she is, what the stations hear (ESPresense reports
        several times a second), and every five seconds her phone's location."""
        now = time.time() if now is None else now
        lat, lon, speed = self.car()
        if self.phase == "in the car":
            from_home = distance_m(lat, lon, *self.home)
            if from_home < 80 and speed < 1:
                self._enter(WALK[0][0], now)  # parked at home: she gets out
            else:
                self._sight(self.car_station, 0.4)
                if from_home < 400:  # turning in: the garage's station hears her, the car still moving
                    self._sight("garage", 1.0)
        else:
            self._walk(now)
        if now - self._last_location >= 5 or self.phase == "getting out":
            self._last_location = now
            where = (lat, lon) if self.phase == "in the car" else self.home
            self.bus.publish(self.root, json.dumps({
                "_type": "location", "lat": round(where[0], 6), "lon": round(where[1], 6), "acc": 8, "batt": 76,
                "vel": round(speed) if self.phase == "in the car" else 0, "tid": self.member.name[:2].upper(),
                "t": "t", "tst": int(now)}), retain=True)

    def _enter(self, phase: str, now: float) -> None:
        self.phase, self.phase_started = phase, now
        self.on_log(f"{self.member.name} {phase}")

    def _walk(self, now: float) -> None:
        index = next(i for i, step in enumerate(WALK) if step[0] == self.phase)
        _phase, lasts, station, start, end = WALK[index]
        elapsed = now - self.phase_started
        if lasts and elapsed >= lasts and index + 1 < len(WALK):
            self._enter(WALK[index + 1][0], now)
            return
        if station is not None:
            share = min(1.0, elapsed / lasts) if lasts else 1.0
            self._sight(station, start + (end - start) * share)

    def _sight(self, station: str, distance: float) -> None:
        self.bus.publish(f"{self.espresense}/devices/{self.member.tag}/{station}", json.dumps({
            "id": self.member.tag, "name": f"{self.member.name}'s phone", "rssi@1m": -65, "rssi": -70,
            "raw": round(distance, 2), "distance": round(distance, 2), "speed": 0.0}))
