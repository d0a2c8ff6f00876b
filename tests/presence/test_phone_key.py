"""The phone as the car's key, with the simulated car as the provider of its doors: unlocked when its owner
walks up to it in the garage (Bluetooth, debounced, parked and locked), locked when they walk away, never while
it moves, never by GPS, and every command with the member as principal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from homebound.app.demo import find_examples
from homebound.app.runtime import Runtime
from homebound.hub import CommandState
from homebound.model import vss_paths as vss
from homebound.model.vss_loader import load_catalog
from homebound.presence.espresense import Sighting
from homebound.simulators.vehicle.runner import ScenarioRunner
from homebound.simulators.vehicle.scenario import load_scenario
from tests.presence.fixtures import HOME, location, people_config

LOCKS = [f"{door}.IsLocked" for door in vss.DOORS]


async def started(tmp_path: Path, debounce_s: float = 0.0) -> tuple[Runtime, ScenarioRunner]:
    config = people_config(f"sqlite:///{tmp_path / 'hub.db'}")
    assert config.phone_key is not None
    config = config.model_copy(update={"phone_key": config.phone_key.model_copy(update={"debounce_s": debounce_s})})
    runtime = Runtime(config, catalog=load_catalog([], [find_examples("overlays") / "navigation.yaml"]))
    await runtime.start()
    scenario = load_scenario(find_examples("scenarios") / "evening_drive_home.yaml")
    runner = ScenarioRunner(runtime.hub, scenario, speed=1)
    runner.attach()
    return runtime, runner


def walk(runtime: Runtime, distance_m: float, now: float, times: int = 3) -> None:
    assert runtime.people is not None
    for step in range(times):
        runtime.people.on_sighting(Sighting("irk:ana-phone", "garage", distance_m), now + step * 0.1)


async def settle(runtime: Runtime, runner: ScenarioRunner) -> None:
    for _ in range(10):
        await asyncio.sleep(0.02)
        runner.advance(0.5)
        key = runtime.phone_key
        if key is not None and not key._busy and all(c.state.is_final for c in key.commands):
            return


def locks(runtime: Runtime) -> list[object]:
    return [v for v in runtime.hub.values("car1", LOCKS).values()]


async def test_the_car_unlocks_when_its_owner_walks_up_and_locks_when_they_leave(tmp_path: Path) -> None:
    runtime, runner = await started(tmp_path)
    try:
        assert locks(runtime) == [True] * 4
        walk(runtime, 0.8, now=1000.0)
        await settle(runtime, runner)
        assert locks(runtime) == [False] * 4
        key = runtime.phone_key
        assert key is not None
        assert {c.principal for c in key.commands} == {"phone:ana"}
        assert all(c.state is CommandState.CONFIRMED for c in key.commands)
        walk(runtime, 9.0, now=1010.0, times=12)  # a running average believes walking away slowly
        await settle(runtime, runner)
        assert locks(runtime) == [True] * 4
    finally:
        await runtime.stop()


async def test_never_while_the_car_moves(tmp_path: Path) -> None:
    runtime, runner = await started(tmp_path)
    try:
        runtime.hub.ingest("car1", {vss.SPEED: 25.0, vss.IS_MOVING: True}, principal="simulator:car1")
        walk(runtime, 0.5, now=1000.0)
        await settle(runtime, runner)
        assert locks(runtime) == [True] * 4
        assert runtime.phone_key is not None and "moving" in runtime.phone_key.decisions[-1]
    finally:
        await runtime.stop()


async def test_never_by_gps_alone(tmp_path: Path) -> None:
    runtime, runner = await started(tmp_path)
    try:
        assert runtime.people is not None
        runtime.people.on_owntracks("ana", "pixel", location(HOME[0], HOME[1], acc=3), "http")  # at the car's spot
        await settle(runtime, runner)
        assert locks(runtime) == [True] * 4
    finally:
        await runtime.stop()


async def test_closeness_must_hold_for_the_debounce(tmp_path: Path) -> None:
    runtime, runner = await started(tmp_path, debounce_s=2.0)
    try:
        walk(runtime, 0.8, now=1000.0, times=1)  # one sighting in passing
        await settle(runtime, runner)
        assert locks(runtime) == [True] * 4
        walk(runtime, 0.8, now=1002.5, times=1)  # still there 2.5 s later
        await settle(runtime, runner)
        assert locks(runtime) == [False] * 4
    finally:
        await runtime.stop()


async def test_a_destination_shared_from_the_phone_reaches_the_navigation(tmp_path: Path) -> None:
    runtime, runner = await started(tmp_path)
    try:
        assert runtime.people is not None
        from tests.presence.fixtures import waypoint

        runtime.people.on_owntracks("ana", "pixel", waypoint("Car: Dentist", 48.2, 11.6), "http")
        for _ in range(20):
            await asyncio.sleep(0.02)
            runner.advance(0.5)
        sent = runtime.people.destinations
        assert [(c.path, c.target, c.principal) for c in sent] == [
            (vss.DESTINATION_LATITUDE, 48.2, "phone:ana"), (vss.DESTINATION_LONGITUDE, 11.6, "phone:ana")]
        assert all(c.state is CommandState.CONFIRMED for c in sent)
    finally:
        await runtime.stop()
