"""`homebound devices list|show`, run as a user runs them, against a live hub whose household joined over MQTT."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest

from tests.cli.test_cli import run
from tests.mqtt.conftest import Observer, Topics
from tests.mqtt.test_devices import devices, start_simulator, value, wait
from tests.support.live import LiveServer, free_port


def table(output: str) -> dict[str, list[str]]:
    """The rows of the table a command printed, as cells, by their first cell."""
    rows = [[cell.strip() for cell in line.strip("│ ").split("│")] for line in output.splitlines()
            if line.startswith("│")]
    return {row[0]: row for row in rows}


@dataclass
class Household:
    server: LiveServer
    ids: set[str]

    @property
    def base_url(self) -> str:
        return self.server.base_url


@pytest.fixture
def household(hub_server: LiveServer, topics: Topics) -> Household:
    """The hub, once every device of the simulated household has joined and said it is online."""
    ids = set(start_simulator(hub_server, topics).devices)
    wait(lambda: set(devices(hub_server)) == ids and all(d["online"] for d in devices(hub_server).values()))
    wait(lambda: value(hub_server, "aircon", "Climate.Climate.CurrentTemperature") is not None)
    return Household(hub_server, ids)


def test_devices_list_shows_every_device_online(household: Household) -> None:
    result = run("devices", "list", "--hub", household.base_url)
    assert result.returncode == 0, result.stderr
    assert f"{len(household.ids)} devices" in result.stdout
    rows = table(result.stdout)
    assert set(rows) == household.ids
    assert all(row[2] == "online" for row in rows.values())
    assert rows["purifier"][1:4] == ["Air purifier", "online", "Air purifier"]
    assert rows["purifier"][4:] == ["3", "4", "0"]  # entities, datapoints, bad messages


def test_devices_list_json_is_what_the_hub_answers(household: Household) -> None:
    result = run("devices", "list", "--hub", household.base_url, "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert {d["id"] for d in listed} == household.ids
    assert listed == httpx.get(f"{household.base_url}/api/v1/devices").json()


def test_devices_show_lists_datapoints_with_their_values(household: Household) -> None:
    temperature = value(household.server, "aircon", "Climate.Climate.CurrentTemperature")
    result = run("devices", "show", "aircon", "--hub", household.base_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Air conditioner (aircon) online; errors: 0")
    rows = table(result.stdout)
    assert rows["Climate.Climate.CurrentTemperature"][1:4] == [str(temperature), "Celsius", "sensor"]
    assert rows["Climate.Climate.Mode"][3:] == ["actuator", "off, cool, heat, auto"]


def test_devices_show_json_carries_the_values_the_hub_holds(household: Household) -> None:
    result = run("devices", "show", "purifier", "--hub", household.base_url, "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["id"] == "purifier" and shown["online"] is True
    power = shown["datapoints"]["Switch.Power.State"]
    assert power["kind"] == "actuator" and power["value"] == value(household.server, "purifier", "Switch.Power.State")


def test_devices_show_of_an_unknown_device_names_it_and_exits_1(household: Household) -> None:
    result = run("devices", "show", "toaster", "--hub", household.base_url)
    assert result.returncode == 1
    assert "unknown thing 'toaster'" in result.stderr and "Traceback" not in result.stderr


def test_a_device_name_with_terminal_markup_is_shown_as_text(household: Household, observer: Observer,
                                                            topics: Topics) -> None:
    observer.publish(f"{topics.prefix}/binary_sensor/prank/config", json.dumps({
        "stat_t": f"{topics.sim_root}/prank", "dev": {"ids": ["prank-1"], "name": "[blink]Door[/blink] [red]x"}}),
        retain=True)
    wait(lambda: "prank-1" in devices(household.server))
    listed = run("devices", "list", "--hub", household.base_url)
    shown = run("devices", "show", "prank-1", "--hub", household.base_url)
    assert listed.returncode == 0 and shown.returncode == 0, listed.stderr + shown.stderr
    assert table(listed.stdout)["prank-1"][1] == "[blink]Door[/blink] [red]x"
    assert shown.stdout.startswith("[blink]Door[/blink] [red]x (prank-1) online")


def test_devices_list_without_a_hub_says_so_in_one_line() -> None:
    result = run("devices", "list", "--hub", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "no hub answers at" in result.stderr and "Traceback" not in result.stderr
