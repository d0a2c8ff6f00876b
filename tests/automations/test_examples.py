"""The example automations in examples/automations/ do what they say, driven by signals, checked on devices."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from homebound.automations.loader import load_paths
from tests.automations.conftest import SOC, House, build_house

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "automations"
NOTIFY = "Notify.Notify.Message"
CHARGING = "Vehicle.Powertrain.TractionBattery.Charging.IsCharging"


async def with_examples(clock: dt.datetime | None = None) -> House:
    house = await build_house(debounce_s=20, clock=(lambda: clock) if clock else dt.datetime.now)
    loaded = load_paths([EXAMPLES])
    assert not loaded.errors and len(loaded.automations) >= 8
    assert house.engine.load(loaded.automations) == []
    return house


def drive_home(house: House, start_m: float, end_m: float, speed_mps: float = 15.0, ts: float = 0.0) -> float:
    distance = start_m
    while distance > end_m:
        distance -= 250
        ts += 250 / speed_mps
        house.at(distance, ts=ts, speed=speed_mps * 3.6)
    return ts


async def test_arriving_home_starts_the_purifier_and_opens_the_garage() -> None:
    house = await with_examples()
    assert house.value("purifier", "Switch.Power.State") is False
    drive_home(house, 6000, 2000)
    await house.until(lambda: house.value("purifier", "Switch.Power.State") is True)
    await house.until(lambda: house.value("garage", "Cover.Door.State") == "opening")
    house.simulator.tick(15)
    await house.until(lambda: house.results("arriving_home") == ["completed"])
    assert house.value("garage", "Cover.Door.Position") == 100
    await house.engine.stop()


async def test_leaving_home_turns_off_the_lights_and_locks_the_scooter() -> None:
    house = await with_examples()
    await house.hub.command("u", "lights", "Light.Hall.State", True)
    await house.hub.command("u", "scooter", "Lock.Lock.IsLocked", False)
    await house.until(lambda: house.value("scooter", "Lock.Lock.IsLocked") is False)
    house.at(30, ts=0)
    for step, distance in enumerate(range(300, 3000, 300), start=1):
        house.at(distance, ts=step * 15.0)
    await house.until(lambda: house.results("leaving_home") == ["completed"])
    assert house.value("lights", "Light.Hall.State") is False
    assert house.value("scooter", "Lock.Lock.IsLocked") is True
    await house.engine.stop()


async def test_charging_stopped_below_80_tells_the_phone_and_complete_says_charged() -> None:
    house = await with_examples()
    t = 1_790_000_000.0
    house.hub.ingest("car1", {CHARGING: True, SOC: 60.0}, ts=t)
    house.hub.ingest("car1", {CHARGING: False}, ts=t + 600)
    house.hub.ingest("car1", {SOC: 60.0}, ts=t + 661)  # not restarted within a minute: the session has ended
    await house.until(lambda: house.value("phone", NOTIFY) == "Charging stopped early: the car is not full yet.")
    house.hub.ingest("car1", {CHARGING: True, SOC: 80.0}, ts=t + 1000)
    house.hub.ingest("car1", {CHARGING: False}, ts=t + 2000)
    house.hub.ingest("car1", {SOC: 80.0}, ts=t + 2061)
    await house.until(lambda: house.value("phone", NOTIFY) == "The car is charged and ready.")
    assert house.results("charging_stopped_early") == ["completed", "condition_failed"]
    await house.engine.stop()


async def test_low_battery_notifies_once() -> None:
    house = await with_examples()
    for soc in (30.0, 21.0, 19.4, 18.0):
        house.hub.ingest("car1", {SOC: soc})
    await house.until(lambda: house.value("phone", NOTIFY) == "Car battery at 19 %: time to charge.")
    await asyncio.sleep(0.05)
    assert house.results("low_battery") == ["completed"]
    await house.engine.stop()


async def test_scooter_low_battery_while_the_car_is_home_plugs_it_in() -> None:
    house = await with_examples()
    house.at(20, ts=0)
    scooter = house.simulator.devices["scooter"]
    scooter.battery = 25.0  # type: ignore[attr-defined]
    house.simulator.tick(1)
    await house.until(lambda: house.value("scooter", "Sensor.Battery.Value") == 25.0)
    scooter.battery = 18.0  # type: ignore[attr-defined]
    house.simulator.tick(1)
    await house.until(lambda: house.value("scooter", "Switch.Charging.State") is True)
    await house.engine.stop()


async def test_rice_is_started_before_arrival_and_its_end_is_announced() -> None:
    evening = dt.datetime.combine(dt.date.today(), dt.time(18, 30))
    house = await with_examples(clock=evening)
    drive_home(house, 30000, 15000, speed_mps=20)
    await house.until(lambda: house.value("rice_cooker", "Sensor.Status.Value") == "cooking")
    assert house.value("rice_cooker", "Select.Program.Option") == "quick"
    house.simulator.tick(25 * 60)
    await house.until(lambda: house.value("phone", NOTIFY) == "The rice is ready.")
    await house.engine.stop()


async def test_morning_preheat_when_the_battery_allows() -> None:
    house = await with_examples()
    house.hub.ingest("car1", {SOC: 45.0})
    house.engine.fire("morning_preheat", {"kind": "time", "at": "07:30:00"})  # the clock trigger is tested apart
    await house.until(lambda: house.results("morning_preheat") == ["completed"])
    assert house.car.received == [("Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 21.0),
                                  ("Vehicle.Cabin.HVAC.IsAirConditioningActive", True)]
    house.hub.ingest("car1", {SOC: 25.0})
    house.engine.fire("morning_preheat", {"kind": "time", "at": "07:30:00"})
    await house.until(lambda: house.results("morning_preheat") == ["completed", "condition_failed"])
    await house.engine.stop()
