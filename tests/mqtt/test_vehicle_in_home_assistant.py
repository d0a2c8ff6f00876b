"""The car appears in Home Assistant as one retained device discovery message, with states and commands."""

from __future__ import annotations

import json
from pathlib import Path

from tests.mqtt.conftest import Observer, Topics, mqtt_config
from tests.mqtt.test_devices import wait
from tests.support.live import LiveServer, live_server

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


def discovery(observer: Observer, topics: Topics) -> dict[str, object]:
    payloads = observer.seen(f"{topics.prefix}/device/homebound_car1/config")
    return json.loads(payloads[-1])  # type: ignore[no-any-return]


def test_car_discovery_is_retained_with_the_expected_entities(hub_server: LiveServer, observer: Observer,
                                                              topics: Topics) -> None:
    wait(lambda: observer.seen(f"{topics.prefix}/device/homebound_car1/config"))
    document = discovery(observer, topics)
    components = document["cmps"]
    assert isinstance(components, dict)
    platforms = {key: value["p"] for key, value in components.items()}
    for key in ("speed", "state_of_charge", "range", "battery_power", "cabin_temperature", "outside_temperature",
                "odometer"):
        assert platforms[key] == "sensor", key
    for key in ("charging", "plugged_in", "trunk", "door_row1_driverside", "window_row2_passengerside"):
        assert platforms[key] == "binary_sensor", key
    assert platforms["location"] == "device_tracker" and platforms["lock"] == "lock"
    assert platforms["climate"] == "climate" and platforms["charge_limit"] == "number"
    assert document["dev"]["name"] == "Family car"  # type: ignore[index]


def test_states_follow_the_hub(hub_server: LiveServer, observer: Observer, topics: Topics) -> None:
    hub = hub_server.runtime.hub
    hub_server.run(hub.ingest, "car1", {"Vehicle.Speed": 88.0, "Vehicle.Powertrain.Range": 212000,
                                        "Vehicle.CurrentLocation.Latitude": 48.1,
                                        "Vehicle.CurrentLocation.Longitude": 11.5,
                                        "Vehicle.CurrentLocation.HorizontalAccuracy": 4.0})
    wait(lambda: any(json.loads(p).get("speed") == 88.0 for p in observer.seen(f"{topics.base}/car1/state")))
    state = json.loads(observer.seen(f"{topics.base}/car1/state")[-1])
    assert state["range"] == 212.0
    wait(lambda: observer.seen(f"{topics.base}/car1/location"))
    assert json.loads(observer.seen(f"{topics.base}/car1/location")[-1]) == {
        "latitude": 48.1, "longitude": 11.5, "gps_accuracy": 4.0}


def test_republished_when_home_assistant_comes_online(hub_server: LiveServer, observer: Observer,
                                                      topics: Topics) -> None:
    topic = f"{topics.prefix}/device/homebound_car1/config"
    wait(lambda: observer.seen(topic))
    before = len(observer.seen(topic))
    observer.publish(f"{topics.prefix}/status", "online")
    wait(lambda: len(observer.seen(topic)) > before)


def test_commands_from_home_assistant_go_through_the_hub(tmp_path: Path, observer: Observer,
                                                         topics: Topics) -> None:
    with live_server(mqtt_config(tmp_path, topics, without_provider="wait")) as server:
        observer.publish(f"{topics.base}/car1/set/charge_limit", "85")
        wait(lambda: server.run(server.runtime.hub.read_target, "car1", LIMIT) is not None)
        target = server.run(server.runtime.hub.read_target, "car1", LIMIT)
        assert target[0] == 85 and target[2] == "homeassistant:mqtt"
        observer.publish(f"{topics.base}/car1/set/lock", "LOCK")
        wait(lambda: server.run(server.runtime.hub.read_target, "car1",
                                "Vehicle.Cabin.Door.Row2.PassengerSide.IsLocked") is not None)
        observer.publish(f"{topics.base}/car1/set/charge_limit", "250")
        observer.publish(f"{topics.base}/car1/set/lock", "OPEN SESAME")
        wait(lambda: server.runtime.metrics()["mqtt"]["vehicle_command_errors"] == 2)  # type: ignore[index]
        assert server.run(server.runtime.hub.read_target, "car1", LIMIT)[0] == 85


def test_older_home_assistant_gets_one_config_per_component(tmp_path: Path, observer: Observer,
                                                            topics: Topics) -> None:
    config = mqtt_config(tmp_path, topics)
    config = config.model_copy(update={"mqtt": config.mqtt.model_copy(update={"discovery_form": "component"})})
    with live_server(config):
        topic = f"{topics.prefix}/sensor/homebound_car1/speed/config"
        wait(lambda: observer.seen(topic))
        speed = json.loads(observer.seen(topic)[-1])
        assert speed["unique_id"] == "homebound_car1_speed" and "p" not in speed
        assert speed["dev"]["name"] == "Family car"
        assert speed["availability"] == [{"topic": f"{topics.base}/status"},
                                         {"topic": f"{topics.base}/car1/availability"}]
        assert speed["availability_mode"] == "all"
        assert observer.seen(f"{topics.prefix}/lock/homebound_car1/lock/config")
        assert not observer.seen(f"{topics.prefix}/device/homebound_car1/config")


def test_the_lock_is_locked_only_when_every_door_is(hub_server: LiveServer, observer: Observer,
                                                   topics: Topics) -> None:
    hub = hub_server.runtime.hub
    doors = ["Vehicle.Cabin.Door.Row1.DriverSide", "Vehicle.Cabin.Door.Row1.PassengerSide",
             "Vehicle.Cabin.Door.Row2.DriverSide", "Vehicle.Cabin.Door.Row2.PassengerSide"]
    def lock() -> object:
        states = observer.seen(f"{topics.base}/car1/state")
        return json.loads(states[-1])["locked"] if states else None

    hub_server.run(hub.ingest, "car1", {f"{d}.IsLocked": True for d in doors})
    wait(lambda: lock() == "LOCKED")
    hub_server.run(hub.ingest, "car1", {f"{doors[3]}.IsLocked": False})  # the driver's door stays locked
    wait(lambda: lock() == "UNLOCKED")


def test_a_refused_command_springs_back_and_fires_the_refusal_event(hub_server: LiveServer, observer: Observer,
                                                                    topics: Topics) -> None:
    document = discovery_when_seen(observer, topics)
    assert document["cmps"]["command_refused"]["p"] == "event"  # type: ignore[index]
    before = len(observer.seen(f"{topics.base}/car1/state"))
    observer.publish(f"{topics.base}/car1/set/charge_limit", "85")  # no provider is connected: refused
    wait(lambda: observer.seen(f"{topics.base}/car1/event/command_refused"))
    event = json.loads(observer.seen(f"{topics.base}/car1/event/command_refused")[-1])
    assert event["event_type"] == "command_refused" and event["entity"] == "charge_limit"
    assert "no provider" in event["reason"]
    assert len(observer.seen(f"{topics.base}/car1/state")) > before  # the real state, at once


def discovery_when_seen(observer: Observer, topics: Topics) -> dict[str, object]:
    wait(lambda: observer.seen(f"{topics.prefix}/device/homebound_car1/config"))
    return discovery(observer, topics)
