"""Partitions move between live workers without waiting for a lease to expire: a worker that stops hands its
partitions over, and a worker that joins gets its share."""

from __future__ import annotations

import asyncio
import time

from homebound.cluster.connection import ClusterLink
from homebound.model.catalog import Catalog
from tests.cluster.conftest import (
    COUNTER,
    LEASE_TTL_S,
    Workers,
    door,
    drained,
    holders,
    stored_counters,
    wait_until_held,
)

CARS = [f"car{n}" for n in range(1, 9)]


async def test_a_worker_that_joins_gets_its_share(link: ClusterLink, workers_for: type[Workers]) -> None:
    workers = workers_for(cars=len(CARS))
    workers.start("w1")
    await wait_until_held(link, {"w1"})
    workers.start("w2")
    await wait_until_held(link, {"w1", "w2"})
    deadline = time.monotonic() + 20
    shares: list[int] = []
    while time.monotonic() < deadline:
        held = await holders(link)
        shares = sorted(list(held.values()).count(worker) for worker in ("w1", "w2"))
        if shares == [4, 4]:
            break
        await asyncio.sleep(0.2)
    assert shares == [4, 4]


async def test_a_worker_that_stops_hands_over_at_once_and_loses_nothing(
        link: ClusterLink, workers_for: type[Workers], database: str, catalog: Catalog) -> None:
    workers = workers_for(cars=len(CARS))
    workers.start("w1")
    workers.start("w2")
    await wait_until_held(link, {"w1", "w2"})
    accepted: dict[str, list[int]] = {car: [] for car in CARS}
    running = True
    async with door(link, catalog, CARS) as hub:

        async def drive(car: str) -> None:
            number = 0
            while running:
                number += 1
                await hub.write(car, {COUNTER: number}, time.time(), "test")
                accepted[car].append(number)
                await asyncio.sleep(0.05)

        cars = [asyncio.create_task(drive(car)) for car in CARS]
        await asyncio.sleep(1.0)
        began = time.monotonic()
        assert await asyncio.to_thread(workers.stop, "w2") == 0
        await wait_until_held(link, {"w1"})
        moved_after = time.monotonic() - began
        await asyncio.sleep(1.0)
        running = False
        await asyncio.gather(*cars)
        await drained(link)
    assert moved_after < LEASE_TTL_S + 1.5, f"took {moved_after:.1f} s: the leases were left to expire"
    assert "handed over" in workers.log("w2")
    assert stored_counters(database) == accepted
