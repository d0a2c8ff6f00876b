"""Conditions and actions, with traces that say what happened; and the run modes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from homebound.model.time_of_day import in_time_window
from tests.automations.conftest import SOC, House

TRUNK = "Vehicle.Body.Trunk.Rear.IsOpen"
NOTIFY = "Notify.Notify.Message"


def automation(conditions: str = "", actions: str = "", mode: str = "single", ident: str = "a") -> str:
    return f"""
- id: {ident}
  mode: {mode}
  max: 2
  triggers:
    - trigger: state
      thing: car1
      path: {TRUNK}
  conditions: {conditions or "[]"}
  actions: {actions or "[{action: notify, thing: phone, message: hello}]"}
"""


def pull(house: House, times: int = 1) -> None:
    for _ in range(times):
        current = house.value("car1", TRUNK)
        house.hub.ingest("car1", {TRUNK: not current})


@pytest.mark.parametrize(("after", "before", "now", "expected"), [
    ("22:00", "06:00", "23:30", True), ("22:00", "06:00", "05:59", True), ("22:00", "06:00", "12:00", False),
    ("08:00", "17:00", "12:00", True), ("08:00", "17:00", "17:00", False), (None, "06:00", "01:00", True),
])
def test_time_window_across_midnight(after: str | None, before: str | None, now: str, expected: bool) -> None:
    clock = dt.datetime.combine(dt.date(2026, 11, 25), dt.time.fromisoformat(now))
    parse = dt.time.fromisoformat
    assert in_time_window(clock, parse(after) if after else None, parse(before) if before else None,
                          None) is expected


def test_weekday_of_a_window_across_midnight_is_the_day_it_began() -> None:
    tuesday_1am = dt.datetime(2026, 11, 24, 1, 0)  # a Tuesday
    assert in_time_window(tuesday_1am, dt.time(22), dt.time(6), ("mon",))
    assert not in_time_window(tuesday_1am, dt.time(22), dt.time(6), ("tue",))


async def test_state_numeric_zone_and_logic_conditions(house: House) -> None:
    house.hub.ingest("car1", {SOC: 55.0, "Vehicle.Speed": 0.0})
    house.at(50, ts=0)
    house.load(automation(conditions=f"""
    - condition: state
      thing: car1
      path: Vehicle.Speed
      state: [0.0, 1.0]
    - condition: and
      conditions:
        - condition: numeric_state
          thing: car1
          path: {SOC}
          above: 50
          below: 60
        - condition: zone
          thing: car1
          zone: home
    - condition: or
      conditions:
        - condition: time
          after: "00:00"
        - condition: state
          thing: car1
          path: Vehicle.Speed
          state: 99
    - condition: not
      conditions:
        - condition: time
          weekday: [{("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(dt.datetime.now().weekday() + 1) % 7]}]
"""))
    pull(house)
    await house.until(lambda: house.results("a") == ["completed"])
    house.hub.ingest("car1", {SOC: 65.0})
    pull(house)
    await house.until(lambda: house.results("a") == ["completed", "condition_failed"])
    failed = house.engine.traces.of("a")[1].conditions
    assert [c["result"] for c in failed] == [True, False]
    assert failed[1]["conditions"][0]["value"] == 65.0  # type: ignore[index]


async def test_command_failure_stops_the_run_unless_told_to_continue(house: House) -> None:
    house.load(automation(actions="""
    - action: command
      thing: car1
      path: Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit
      value: 150
      continue_on_error: true
    - action: command
      thing: car1
      path: Vehicle.Speed
      value: 10
    - action: notify
      thing: phone
      message: never"""))
    pull(house)
    await house.until(lambda: house.results("a") == ["error"])
    trace = house.engine.traces.of("a")[0]
    assert [s.outcome for s in trace.steps] == ["refused", "refused"]
    assert "only actuators take commands" in (trace.error or "")
    assert house.value("phone", NOTIFY) is None


async def test_command_is_confirmed_and_timed(house: House) -> None:
    house.load(automation(actions="""
    - action: command
      thing: car1
      path: Vehicle.Cabin.HVAC.IsAirConditioningActive
      value: true"""))
    pull(house)
    await house.until(lambda: house.results("a") == ["completed"])
    step = house.engine.traces.of("a")[0].steps[0]
    assert step.outcome == "confirmed" and step.finished is not None and step.finished >= step.started
    command = house.hub.get_command(str(step.detail["command"]))
    assert command.principal == "automation:a"


async def test_delay_choose_if_parallel_stop(house: House) -> None:
    house.hub.ingest("car1", {SOC: 15.0})
    house.load(automation(actions=f"""
    - delay: 0.1
    - choose:
        - conditions:
            - condition: numeric_state
              thing: car1
              path: {SOC}
              above: 50
          sequence:
            - action: notify
              thing: phone
              message: high
        - conditions:
            - condition: numeric_state
              thing: car1
              path: {SOC}
              below: 20
          sequence:
            - action: notify
              thing: phone
              message: low
      default:
        - action: notify
          thing: phone
          message: medium
    - if:
        - condition: state
          thing: car1
          path: {TRUNK}
          state: true
      then:
        - parallel:
            - - action: command
                thing: purifier
                path: Switch.Power.State
                value: true
            - - action: command
                thing: lights
                path: Light.Hall.State
                value: true
      else:
        - stop: trunk is closed
    - stop: all done"""))
    pull(house)
    await house.until(lambda: house.results("a") == ["stopped"])
    trace = house.engine.traces.of("a")[0]
    assert [s.action for s in trace.steps][:4] == ["delay", "choose", "notify", "if"]
    assert trace.steps[1].detail["chosen"] == 1 and house.value("phone", NOTIFY) == "low"
    assert house.value("purifier", "Switch.Power.State") is True and house.value("lights", "Light.Hall.State")
    assert trace.error == "all done"
    pull(house)  # trunk now closed: the else branch stops early
    await house.until(lambda: house.results("a") == ["stopped", "stopped"])
    assert house.engine.traces.of("a")[1].error == "trunk is closed"


async def test_wait_for_trigger_and_its_timeout(house: House) -> None:
    house.load(automation(actions="""
    - wait_for_trigger:
        - trigger: state
          thing: car1
          path: Vehicle.Cabin.Door.Row1.DriverSide.IsOpen
          to: true
      timeout: 0.5
      continue_on_timeout: false
    - action: notify
      thing: phone
      message: "door opened after the trunk" """))
    pull(house)
    await asyncio.sleep(0.1)
    house.hub.ingest("car1", {"Vehicle.Cabin.Door.Row1.DriverSide.IsOpen": False})
    house.hub.ingest("car1", {"Vehicle.Cabin.Door.Row1.DriverSide.IsOpen": True})
    await house.until(lambda: house.results("a") == ["completed"])
    assert house.value("phone", NOTIFY) == "door opened after the trunk"
    pull(house)
    await house.until(lambda: house.results("a") == ["completed", "stopped"], timeout=3)
    assert house.engine.traces.of("a")[1].steps[0].outcome == "timed_out"


@pytest.mark.parametrize(("mode", "expected"), [
    ("single", ["completed", "skipped", "skipped"]),
    ("restart", ["cancelled", "cancelled", "completed"]),
    ("queued", ["completed", "completed", "skipped"]),   # max 2: one running, one queued, one refused
    ("parallel", ["completed", "completed", "skipped"]),
])
async def test_modes(house: House, mode: str, expected: list[str]) -> None:
    house.load(automation(mode=mode, actions="[{delay: 0.3}]"))
    pull(house, 3)
    await house.until(lambda: "running" not in house.results("a") and len(house.results("a")) >= 3, timeout=4)
    await asyncio.sleep(0.4)
    assert sorted(house.results("a")) == sorted(expected)
