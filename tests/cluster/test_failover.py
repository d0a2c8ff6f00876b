"""Two workers, one killed with SIGKILL in the middle of a load: nothing lost, nothing applied twice, no command lost.

Twenty cars each send a batch every 50 ms through a door (a relaying hub in the test process), one batch after the
other as a car's gateway does; `Vehicle.TraveledDistance` carries the batch's number. Halfway, worker `w1` is killed
and a command is sent to every car while its partition may have no holder. Afterwards, per car: every acknowledged
batch is in history exactly once and in the order it was sent, the latest state is the last batch, and every command
ended (confirmed by the car's report, or failed), none left pending or missing.
"""

from __future__ import annotations

import asyncio
import time

import psycopg

from homebound.cluster.connection import ClusterLink
from homebound.hub.commands import Command, CommandState
from homebound.hub.relay import RelayingHub
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError
from tests.cluster.conftest import (
    COUNTER,
    Workers,
    door,
    drained,
    latest,
    stored_count,
    stored_counters,
    wait_until_held,
)

CARS = [f"car{n}" for n in range(1, 21)]
SPEED = "Vehicle.Speed"
HAZARD = "Vehicle.Body.Lights.Hazard.IsSignaling"


class CarGateway:
    """Stands in for each car's gateway (no car here): reports the target of every command as the new value."""

    def __init__(self, hub: RelayingHub) -> None:
        self.hub = hub
        self.asked: list[Command] = []
        self._reports: set[asyncio.Task[None]] = set()

    async def actuate(self, command: Command) -> None:
        self.asked.append(command)
        task = asyncio.get_running_loop().create_task(self._report(command))
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    async def _report(self, command: Command) -> None:
        await asyncio.sleep(0.05)
        await self.hub.write(command.thing, {command.path: command.target}, time.time(), f"gateway:{command.thing}")


async def final_states(database: str, ids: list[str], timeout: float = 40.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        with psycopg.connect(database) as connection:
            rows = connection.execute("SELECT id, state FROM commands WHERE id = ANY(%s)", (ids,))
            states = {str(command_id): str(state) for command_id, state in rows}
        if len(states) == len(ids) and all(state != CommandState.PENDING.value for state in states.values()):
            return states
        await asyncio.sleep(0.3)
    return states


async def test_a_worker_killed_mid_load_loses_nothing_and_applies_nothing_twice(
        link: ClusterLink, workers_for: type[Workers], database: str, catalog: Catalog) -> None:
    workers = workers_for(cars=len(CARS))
    workers.start("w1")
    workers.start("w2")
    before = await wait_until_held(link, {"w1", "w2"})
    accepted: dict[str, list[int]] = {car: [] for car in CARS}
    running = True

    async with door(link, catalog, CARS) as hub:
        gateway = CarGateway(hub)
        for car in CARS:
            hub.register_owner(car, gateway, [HAZARD])
        await asyncio.sleep(1.0)  # the providers' announcements reach the workers

        async def drive(car: str) -> None:
            number = 0
            while running:
                number += 1
                result = await hub.write(car, {COUNTER: number, SPEED: float(number % 90)}, time.time(),
                                         f"test:{car}")
                assert result.accepted == 2, result.errors
                accepted[car].append(number)
                await asyncio.sleep(0.05)

        cars = [asyncio.create_task(drive(car)) for car in CARS]
        await asyncio.sleep(2.0)
        workers.kill("w1")
        outcomes = await asyncio.gather(*(hub.command("test:ops", car, HAZARD, True, timeout=20) for car in CARS),
                                        return_exceptions=True)
        after = await wait_until_held(link, {"w2"})
        await asyncio.sleep(2.0)
        running = False
        await asyncio.gather(*cars)
        await drained(link)

    assert set(after.values()) == {"w2"} and "w1" in set(before.values())
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, HomeboundError) for o in refused), refused
    started = [o for o in outcomes if isinstance(o, Command)]
    states = await final_states(database, [c.id for c in started])

    stored = stored_counters(database)
    speeds = stored_count(database, SPEED)
    for car in CARS:
        assert len(accepted[car]) > 40, f"{car} sent too little to test anything"
        assert stored.get(car) == accepted[car], f"{car}: history differs from what was acknowledged"
        assert speeds.get(car) == len(accepted[car]), f"{car}: every signal of a batch is stored once"
    assert latest(database, COUNTER) == {car: accepted[car][-1] for car in CARS}
    assert len(states) == len(started), "every command the cluster started is stored"
    assert set(states.values()) <= {CommandState.CONFIRMED.value, CommandState.FAILED.value,
                                    CommandState.TIMED_OUT.value}
    assert len(started) + len(refused) == len(CARS)
    confirmed = [c for c in started if states[c.id] == CommandState.CONFIRMED.value]
    assert len(confirmed) == len(started), f"commands not confirmed: {states}"
    assert latest(database, HAZARD) == {car: True for car in CARS if any(c.thing == car for c in confirmed)}
