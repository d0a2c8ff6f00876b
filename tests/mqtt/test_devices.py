"""Household devices join over a real MQTT broker by Home Assistant discovery; commands round-trip."""

from __future__ import annotations

import json
import time

import httpx

from homebound.adapters.mqtt.connection import MqttConnection
from homebound.hub import CommandState
from homebound.simulators.household.runner import HouseholdSimulator
from tests.mqtt.conftest import MQTT_URL, Observer, Topics
from tests.support.live import LiveServer


def start_simulator(server: LiveServer, topics: Topics) -> HouseholdSimulator:
    async def start() -> HouseholdSimulator:
        connection = MqttConnection(MQTT_URL)
        await connection.connect()
        simulator = HouseholdSimulator(connection, prefix=topics.prefix, speed=60, root=topics.sim_root)
        simulator.start()
        return simulator

    return server.call(start())


def wait(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def devices(server: LiveServer) -> dict[str, dict[str, object]]:
    return {d["id"]: d for d in httpx.get(f"{server.base_url}/api/v1/devices").json()}


def value(server: LiveServer, device: str, path: str) -> object:
    reading = server.run(server.runtime.hub.read, device, path)
    return None if reading is None else reading.value


def test_the_simulated_household_joins_and_is_online(hub_server: LiveServer, topics: Topics) -> None:
    start_simulator(hub_server, topics)
    wait(lambda: len(devices(hub_server)) == 11 and all(d["online"] for d in devices(hub_server).values()))
    listed = devices(hub_server)
    assert set(listed) == {"phone", "scooter", "purifier", "rice_cooker", "garage", "lights", "wallbox", "grid",
                           "solar", "aircon", "vacuum"}
    wait(lambda: value(hub_server, "phone", "DeviceTracker.Location.Latitude") is not None)
    assert value(hub_server, "aircon", "Climate.Climate.CurrentTemperature") == 27.0
    shown = httpx.get(f"{hub_server.base_url}/api/v1/devices/rice_cooker").json()
    assert shown["datapoints"]["Select.Program.Option"]["allowed"][0] == "white rice"


def test_command_round_trip_is_confirmed_by_state(hub_server: LiveServer, topics: Topics) -> None:
    simulator = start_simulator(hub_server, topics)
    wait(lambda: devices(hub_server).get("purifier", {}).get("online") is True)
    hub = hub_server.runtime.hub
    command = hub_server.call(hub.command("user:ana", "purifier", "Switch.Power.State", True))
    wait(lambda: command.state is CommandState.CONFIRMED)
    before = value(hub_server, "purifier", "Sensor.Pm25.Value")
    hub_server.run(simulator.tick, 10.0)
    wait(lambda: value(hub_server, "purifier", "Sensor.Pm25.Value") != before)
    assert value(hub_server, "purifier", "Sensor.Pm25.Value") < before  # type: ignore[operator]
    garage = hub_server.call(hub.command("user:ana", "garage", "Cover.Door.Command", "OPEN"))
    wait(lambda: value(hub_server, "garage", "Cover.Door.State") == "opening")
    assert garage.state is CommandState.PENDING  # moving is not done
    hub_server.run(simulator.tick, 1.0)
    wait(lambda: garage.state is CommandState.CONFIRMED)
    assert value(hub_server, "garage", "Cover.Door.Position") == 100


def test_rice_cooker_event_and_json_light(hub_server: LiveServer, topics: Topics) -> None:
    simulator = start_simulator(hub_server, topics)
    wait(lambda: all(devices(hub_server).get(d, {}).get("online") for d in ("rice_cooker", "lights")))
    hub = hub_server.runtime.hub
    hub_server.call(hub.command("u", "rice_cooker", "Select.Program.Option", "quick"))
    press = hub_server.call(hub.command("u", "rice_cooker", "Button.Start.Press", "PRESS"))
    assert press.state is CommandState.CONFIRMED  # a button has no state: confirmed once sent
    wait(lambda: value(hub_server, "rice_cooker", "Event.Cooking.LastEvent") == "cooking_started")
    for _ in range(25):
        hub_server.run(simulator.tick, 1.0)
    wait(lambda: value(hub_server, "rice_cooker", "Event.Cooking.LastEvent") == "cooking_finished")
    light = hub_server.call(hub.command("u", "lights", "Light.Living.Brightness", 90))
    wait(lambda: light.state is CommandState.CONFIRMED)
    assert value(hub_server, "lights", "Light.Living.State") is True


def test_a_hand_written_discovery_message_from_the_documentation(hub_server: LiveServer, observer: Observer,
                                                                  topics: Topics) -> None:
    base = f"{topics.sim_root}/kitchen"
    observer.publish(f"{topics.prefix}/switch/kitchen/kettle/config", json.dumps({
        "~": base, "name": "Kettle", "uniq_id": "kettle_1", "stat_t": "~/state", "cmd_t": "~/set",
        "avty_t": "~/status", "pl_on": "on", "pl_off": "off",
        "dev": {"ids": ["kettle-42"], "name": "Kettle", "mf": "Acme"}}), retain=True)
    wait(lambda: "kettle-42" in devices(hub_server))
    assert devices(hub_server)["kettle-42"]["online"] is False  # no availability message yet
    observer.publish(f"{base}/status", "online", retain=True)
    observer.publish(f"{base}/state", "off", retain=True)
    wait(lambda: devices(hub_server)["kettle-42"]["online"] is True)
    observer.subscribe(f"{base}/set")
    command = hub_server.call(hub_server.runtime.hub.command("u", "kettle-42", "Switch.Kettle.State", True,
                                                             timeout=10))
    wait(lambda: observer.seen(f"{base}/set") == [b"on"])
    assert command.state is CommandState.PENDING
    observer.publish(f"{base}/state", "on")
    wait(lambda: command.state is CommandState.CONFIRMED)
    silent = hub_server.call(hub_server.runtime.hub.command("u", "kettle-42", "Switch.Kettle.State", False,
                                                            timeout=0.3))
    wait(lambda: silent.state is CommandState.TIMED_OUT)
    observer.publish(f"{base}/status", "offline", retain=True)
    wait(lambda: devices(hub_server)["kettle-42"]["online"] is False)
    refused = hub_server.call(hub_server.runtime.hub.command("u", "kettle-42", "Switch.Kettle.State", False))
    assert refused.state is CommandState.FAILED and "offline" in (refused.reason or "")
    observer.publish(f"{topics.prefix}/switch/kitchen/kettle/config", b"", retain=True)
    wait(lambda: "kettle-42" not in devices(hub_server))


def test_the_robot_vacuum_cleans_and_returns_to_its_base(hub_server: LiveServer, topics: Topics) -> None:
    simulator = start_simulator(hub_server, topics)
    wait(lambda: devices(hub_server).get("vacuum", {}).get("online") is True)
    wait(lambda: value(hub_server, "vacuum", "Vacuum.Robot.State") == "docked")
    hub = hub_server.runtime.hub
    start = hub_server.call(hub.command("u", "vacuum", "Vacuum.Robot.Command", "start"))
    wait(lambda: start.state is CommandState.CONFIRMED)
    speed = hub_server.call(hub.command("u", "vacuum", "Vacuum.Robot.FanSpeed", "turbo"))
    wait(lambda: speed.state is CommandState.CONFIRMED)
    hub_server.run(simulator.tick, 40.0)  # 40 minutes at 60x
    wait(lambda: value(hub_server, "vacuum", "Vacuum.Robot.State") in ("returning", "docked"))
    assert value(hub_server, "vacuum", "Vacuum.Robot.Battery") < 100  # type: ignore[operator]


def test_the_simulated_household_publishes_what_home_assistant_expects(observer: Observer, topics: Topics) -> None:
    from homebound.simulators.household.devices import household

    configs = {device.id: device.discovery(topics.prefix) for device in household(topics.sim_root)}
    wallbox = json.loads(configs["wallbox"][1])["cmps"]
    assert wallbox["energy"]["stat_cla"] == "total_increasing"
    living = json.loads(configs["lights"][1])["cmps"]["living"]
    assert living["schema"] == "json" and living["sup_clrm"] == ["brightness"] and "brightness" not in living
