"""OwnTracks' documented message shapes (owntracks.org booklet, "JSON") and ESPresense's topics, as fixtures."""

from __future__ import annotations

import json

from homebound.app.config import CommandsConfig, Config, KuksaConfig, MqttConfig, StorageConfig, VehicleConfig
from homebound.automations.schema import ZoneConfig
from homebound.presence.config import MemberConfig, PhoneConfig, PhoneKeyConfig, PresenceConfig, StationConfig

HOME = (48.1372, 11.5756)
NOW = 1_760_000_000


def location(lat: float, lon: float, tst: float = NOW, acc: int = 12, batt: int = 81, vel: int = 0,
             tid: str = "ae") -> bytes:
    """`_type=location` as the booklet shows it (numbers as numbers, since Android 0.5.11 and iOS 8.0)."""
    return json.dumps({"_type": "location", "acc": acc, "alt": 13, "batt": batt, "cog": 270, "lat": lat,
                       "lon": lon, "t": "u", "tid": tid, "tst": int(tst), "vacc": 10, "vel": vel,
                       "p": 101.3}).encode()


def transition(event: str, desc: str, tst: float = NOW) -> bytes:
    return json.dumps({"_type": "transition", "wtst": 1425042603, "lat": HOME[0], "lon": HOME[1], "tst": int(tst),
                       "acc": 130, "tid": "ae", "event": event, "desc": desc, "t": "c"}).encode()


def waypoint(desc: str, lat: float, lon: float) -> bytes:
    return json.dumps({"_type": "waypoint", "desc": desc, "lat": lat, "lon": lon, "rad": 50, "tst": NOW,
                       "shared": True, "tid": "ae"}).encode()


LAST_WILL = json.dumps({"_type": "lwt", "tst": 1380738247}).encode()


def sighting(distance: float) -> bytes:
    """An ESPresense report of a known phone (the fields its firmware publishes)."""
    return json.dumps({"id": "irk:ana-phone", "name": "Ana's phone", "rssi@1m": -65, "rssi": -72, "raw": distance,
                       "distance": distance, "speed": 0.02, "mac": "44:55:66:77:88:99", "interval": 615}).encode()


def people_config(db: str, mqtt: str | None = None, prefix: str = "homeassistant", owntracks: str = "owntracks",
                  espresense: str = "espresense", phone_key: bool = True, without_provider: str = "fail") -> Config:
    return Config(
        storage=StorageConfig(url=db, flush_interval_s=0.05),
        commands=CommandsConfig(timeout_s=5, without_provider=without_provider),  # type: ignore[arg-type]
        kuksa=KuksaConfig(enabled=False), mqtt=MqttConfig(url=mqtt, discovery_prefix=prefix),
        zones=[ZoneConfig(id="home", name="Home", latitude=HOME[0], longitude=HOME[1], radius=150),
               ZoneConfig(id="school", name="School", latitude=48.15, longitude=11.60, radius=200)],
        vehicles=[VehicleConfig(id="car1", name="Family car")],
        people=[MemberConfig(id="ana", name="Ana Lima", phones=[PhoneConfig(user="ana", device="pixel")],
                             tags=["irk:ana-phone"]),
                MemberConfig(id="ben", name="Ben", phones=[PhoneConfig(user="ben", device="iphone")])],
        presence=PresenceConfig(owntracks_topic=owntracks, espresense_topic=espresense, stations=[
            StationConfig(id="kitchen", room="Kitchen"),
            StationConfig(id="garage", room="Garage", vehicle="car1")]),
        phone_key=PhoneKeyConfig(vehicle="car1", members=["ana"], stations=["garage"], unlock_within_m=1.5,
                                 lock_beyond_m=5.0, debounce_s=0.0) if phone_key else None)
