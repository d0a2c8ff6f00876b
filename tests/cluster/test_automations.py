"""Automations at fleet scale: the worker keeping a car runs its automations, and a `for:` timer armed there fires on
the worker that takes the car over when the first one is killed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import psycopg

from homebound.automations.loader import load_paths
from homebound.cluster.automations import home_of
from homebound.cluster.connection import ClusterLink
from homebound.cluster.layout import partition_of
from homebound.model.catalog import Catalog
from tests.cluster.conftest import Workers, door, holders, wait_until_held

CARS = [f"car{n}" for n in range(1, 5)]
SPEED = "Vehicle.Speed"
HAZARD = "Vehicle.Body.Lights.Hazard.IsSignaling"

SPEEDING = """
- id: speeding
  alias: Hazard lights after four seconds above 100 km/h
  triggers:
    - trigger: numeric_state
      thing: car1
      path: Vehicle.Speed
      above: 100
      for: 4
  actions:
    - action: command
      thing: car1
      path: Vehicle.Body.Lights.Hazard.IsSignaling
      value: true
"""


def write_config(folder: Path) -> Path:
    (folder / "automations").mkdir()
    (folder / "automations" / "speeding.yaml").write_text(SPEEDING)
    config = folder / "homebound.yaml"
    config.write_text("automations:\n  files: [automations]\ncommands:\n  without_provider: wait\n")
    return config


def automation_commands(database: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(database) as connection:
        return [(str(t), str(p), str(who)) for t, p, who in connection.execute(
            "SELECT thing, path, principal FROM commands WHERE principal LIKE 'automation:%'")]


def test_an_automation_belongs_to_the_car_its_triggers_name(tmp_path: Path) -> None:
    write_config(tmp_path)
    loaded = load_paths([tmp_path / "automations"])
    assert [home_of(a) for a in loaded.automations] == ["car1"]


async def test_a_timer_armed_on_a_killed_worker_fires_on_the_one_that_takes_the_car(
        link: ClusterLink, workers_for: type[Workers], database: str, catalog: Catalog, tmp_path: Path) -> None:
    workers = workers_for(cars=len(CARS), config=write_config(tmp_path))
    workers.start("w1")
    workers.start("w2")
    await wait_until_held(link, {"w1", "w2"})
    keeper = (await holders(link))[partition_of("car1", link.facts.partitions)]
    survivor = "w2" if keeper == "w1" else "w1"
    async with door(link, catalog, CARS) as hub:
        await asyncio.sleep(1.0)  # the keeper's engine is built once its partitions settle
        await hub.write("car1", {SPEED: 50.0}, time.time(), "test:car1")
        await asyncio.sleep(0.3)
        await hub.write("car1", {SPEED: 130.0}, time.time(), "test:car1")  # crosses 100: the timer starts
        await asyncio.sleep(1.5)  # the timer is armed and saved by the keeper
        workers.kill(keeper)
        deadline = time.monotonic() + 30
        fired: list[tuple[str, str, str]] = []
        while time.monotonic() < deadline and not fired:
            await asyncio.sleep(0.3)
            fired = automation_commands(database)
    assert fired == [("car1", HAZARD, "automation:speeding")]
    assert "automations hosted here: speeding" in workers.log(survivor)
