"""Anyone who can publish on the cluster's subjects can send anything: a worker skips and counts what it cannot
apply, answers a crafted request with an error, and goes on with the rest of the partition."""

from __future__ import annotations

import asyncio
import time

import orjson

from homebound.cluster.connection import ClusterLink
from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import partition_of
from homebound.model.catalog import Catalog
from tests.cluster.conftest import COUNTER, Workers, door, drained, stored_counters, wait_until_held

CARS = [f"car{n}" for n in range(1, 9)]


def batch(thing: str, value: object) -> bytes:
    return orjson.dumps({"thing": thing, "values": {COUNTER: value}, "ts": 1.0, "principal": "x", "sent": 1.0})


async def test_garbage_in_the_input_log_is_skipped_and_the_partition_goes_on(
        link: ClusterLink, workers_for: type[Workers], database: str, catalog: Catalog) -> None:
    workers = workers_for(cars=len(CARS))
    workers.start("w1")
    await wait_until_held(link, {"w1"})
    partition = partition_of("car1", link.facts.partitions)
    stranger = next(car for car in CARS if partition_of(car, link.facts.partitions) != partition)
    subject = link.layout.input_subject(partition, "car1")
    async with door(link, catalog, CARS) as hub:
        await hub.write("car1", {COUNTER: 1}, time.time(), "test")
        for crafted in (b"\xff\x00 not json", b"[]" * 1000, batch("car1", -5), batch(stranger, 7)):
            await link.js.publish(subject, crafted)
        await hub.write("car1", {COUNTER: 2}, time.time(), "test")
        reply = await link.nc.request(link.layout.ask_subject(partition), b'{"op": "command", "thing": "car1"}',
                                      timeout=5)
        assert orjson.loads(reply.data)["error"]["message"].startswith("command: 'id'")
        await drained(link)
    assert stored_counters(database) == {"car1": [1, 2]}
    await asyncio.sleep(link.facts.lease_ttl_s / 2)
    figures = orjson.loads(next(iter((await bucket_entries(link.workers)).values())))
    assert figures["bad_messages"] == 3, "not JSON, not an object, a car of another partition"
    assert figures["values_rejected"] == 1, "a value the catalog refuses"
    assert "skipped" in workers.log("w1")
