"""Phones and Bluetooth stations through the real Mosquitto and the real HTTP door: OwnTracks (MQTT and HTTP
mode) and ESPresense make members present; the family and the car are shown back in OwnTracks' own shapes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from homebound.hub import CommandState
from tests.mqtt.conftest import MQTT_URL, Observer
from tests.mqtt.test_devices import wait
from tests.presence.fixtures import HOME, location, people_config, sighting, transition, waypoint
from tests.support.live import LiveServer, live_server


@dataclass
class Roots:
    owntracks: str
    espresense: str
    prefix: str


@pytest.fixture
def roots(observer: Observer) -> Iterator[Roots]:
    tag = uuid.uuid4().hex[:8]
    names = Roots(f"hbtest-ot-{tag}", f"hbtest-esp-{tag}", f"hbtest-ha-{tag}")
    for root in (names.owntracks, names.espresense):
        observer.subscribe(f"{root}/#")
    yield names
    with observer.lock:
        retained = {topic for topic, payload, _ in observer.messages if payload}
    for topic in retained:
        observer.publish(topic, b"", retain=True)


@pytest.fixture
def server(tmp_path: Path, roots: Roots) -> Iterator[LiveServer]:
    config = people_config(f"sqlite:///{tmp_path / 'hub.db'}", MQTT_URL, roots.prefix, roots.owntracks,
                           roots.espresense, phone_key=False)
    with live_server(config) as live:
        yield live


def value(server: LiveServer, thing: str, path: str) -> object:
    reading = server.run(server.runtime.hub.read, thing, path)
    return None if reading is None else reading.value


def people(server: LiveServer) -> dict[str, dict[str, object]]:
    return {p["id"]: p for p in httpx.get(f"{server.base_url}/api/v1/people").json()}


def post(server: LiveServer, who: str, payload: bytes, device: str | None = None) -> httpx.Response:
    headers = {"x-homebound-principal": who, "content-type": "application/json"}
    if device:
        headers["x-limit-d"] = device
    return httpx.post(f"{server.base_url}/api/v1/owntracks", content=payload, headers=headers)


def test_a_phone_over_mqtt_makes_its_member_home_with_battery_and_accuracy(server: LiveServer, observer: Observer,
                                                                          roots: Roots) -> None:
    observer.publish(f"{roots.owntracks}/ana/pixel", location(HOME[0], HOME[1], acc=12, batt=64))
    wait(lambda: value(server, "ana", "Presence.State") == "home")
    assert value(server, "ana", "Location.GpsAccuracy") == 12.0
    assert value(server, "ana", "Phone.Pixel.Battery") == 64
    assert people(server)["ana"]["state"] == "home"


def test_the_phones_own_transition_puts_the_member_in_that_zone(server: LiveServer, observer: Observer,
                                                                roots: Roots) -> None:
    observer.publish(f"{roots.owntracks}/ana/pixel", location(48.20, 11.70))
    wait(lambda: value(server, "ana", "Presence.State") == "away")
    observer.publish(f"{roots.owntracks}/ana/pixel/event", transition("enter", "School"))
    wait(lambda: value(server, "ana", "Presence.State") == "school")
    assert value(server, "ana", "Presence.Zone") == "school"


def test_http_mode_answers_with_the_family_and_the_car(server: LiveServer, observer: Observer, roots: Roots) -> None:
    hub = server.runtime.hub
    server.run(hub.ingest, "car1", {"Vehicle.CurrentLocation.Latitude": 48.14,
                                    "Vehicle.CurrentLocation.Longitude": 11.58})
    observer.publish(f"{roots.owntracks}/ana/pixel", location(48.15, 11.59, batt=50))
    wait(lambda: value(server, "ana", "Location.Latitude") == 48.15)
    answer = post(server, "ben", location(48.16, 11.60), device="iphone")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert {"_type": "card", "name": "Ana Lima"} in shown and {"_type": "card", "name": "Family car"} in shown
    friends = {m["tid"]: m for m in shown if m["_type"] == "location"}
    assert friends["AL"]["lat"] == 48.15 and friends["AL"]["batt"] == 50
    assert friends["C1"]["lat"] == 48.14
    assert value(server, "ben", "Location.Latitude") == 48.16
    # an HTTP-mode phone is shown to the phones on MQTT, as the car is
    wait(lambda: observer.seen(f"{roots.owntracks}/ben/iphone"))
    wait(lambda: observer.seen(f"{roots.owntracks}/homebound/car1"))
    assert json.loads(observer.seen(f"{roots.owntracks}/homebound/car1")[-1])["tid"] == "C1"


def test_http_mode_refuses_a_stranger_and_a_bad_message(server: LiveServer) -> None:
    stranger = post(server, "mallory", location(1, 1), device="pixel")
    assert stranger.status_code == 400 and "belongs to no member" in stranger.json()["error"]["message"]
    bad = post(server, "ben", b'{"_type": "location", "lat": "north"}', device="iphone")
    assert bad.status_code == 400 and "'lat'" in bad.json()["error"]["message"]
    huge = post(server, "ben", b" " * 70_000, device="iphone")
    assert huge.status_code == 400 and "at most" in huge.json()["error"]["message"]


def test_a_family_notification_reaches_mqtt_and_http_phones(server: LiveServer, observer: Observer,
                                                            roots: Roots) -> None:
    observer.publish(f"{roots.owntracks}/ana/pixel", location(48.15, 11.59))
    assert post(server, "ben", location(48.16, 11.60), device="iphone").status_code == 200
    wait(lambda: value(server, "ana", "Location.Latitude") == 48.15)
    hub = server.runtime.hub
    command = server.call(hub.command("automation:arriving", "household", "Notify.Family.Message",
                                      "Arriving in 12 minutes"))
    assert command.state is CommandState.CONFIRMED
    wait(lambda: observer.seen(f"{roots.owntracks}/ana/pixel/cmd"))
    assert json.loads(observer.seen(f"{roots.owntracks}/ana/pixel/cmd")[-1]) == {
        "_type": "cmd", "action": "action", "content": "Arriving in 12 minutes", "notify": "Arriving in 12 minutes"}
    later = post(server, "ben", location(48.16, 11.60), device="iphone").json()
    assert {"_type": "cmd", "action": "action", "content": "Arriving in 12 minutes",
            "notify": "Arriving in 12 minutes"} in later


def test_bluetooth_stations_give_the_room_and_near_the_car(server: LiveServer, observer: Observer,
                                                           roots: Roots) -> None:
    observer.publish(f"{roots.espresense}/devices/irk:ana-phone/kitchen", sighting(2.0))
    wait(lambda: value(server, "ana", "Presence.Room") == "Kitchen")
    assert value(server, "ana", "Presence.State") == "home"
    for _ in range(4):
        observer.publish(f"{roots.espresense}/devices/irk:ana-phone/garage", sighting(0.8))
    wait(lambda: value(server, "ana", "Presence.NearVehicle") == "car1")
    observer.publish(f"{roots.espresense}/devices/irk:ana-phone/garage", b'{"distance": NaN}')
    observer.publish(f"{roots.espresense}/devices/irk:stranger/garage", sighting(1.0))
    wait(lambda: server.runtime.metrics()["presence"]["bad_messages"].get("espresense") == 1)  # type: ignore[index]
    wait(lambda: server.runtime.metrics()["presence"]["errors"].get("unknown_tag") == 1)  # type: ignore[index]


def test_a_waypoint_shared_from_a_phone_without_navigation_in_the_catalog_is_counted(
        server: LiveServer, observer: Observer, roots: Roots) -> None:
    observer.publish(f"{roots.owntracks}/ana/pixel/waypoint", waypoint("car: Dentist", 48.2, 11.6))
    wait(lambda: server.runtime.metrics()["presence"]["errors"].get("destination") == 1)  # type: ignore[index]


def test_people_list_prints_json_for_scripts(server: LiveServer, observer: Observer, roots: Roots) -> None:
    import subprocess
    import sys

    observer.publish(f"{roots.owntracks}/ana/pixel", location(HOME[0], HOME[1]))
    wait(lambda: people(server)["ana"]["state"] == "home")
    homebound = str(Path(sys.executable).parent / "homebound")
    result = subprocess.run([homebound, "people", "list", "--json", "--hub", server.base_url], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    listed = {p["id"]: p for p in json.loads(result.stdout)}
    assert listed["ana"]["state"] == "home" and listed["ana"]["phones"] == ["ana/pixel"]
