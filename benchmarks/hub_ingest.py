"""Datapoints per second through `Hub.ingest`, and publish-to-subscriber latency.

Baseline: a bare loop storing the same data into a dict (the limit of the language for "store a value").
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.common import Figure, figure, percentile, rate, sensor_batches
from homebound.hub import Hub
from homebound.model.vss_loader import builtin_catalog


def bare_dict_rate(batch: dict[str, object]) -> float:
    store: dict[str, object] = {}

    def bare() -> None:
        for path, value in batch.items():
            store[path] = value

    return rate(bare, len(batch))


def ingest_figures() -> list[Figure]:
    catalog = builtin_catalog()
    figures: list[Figure] = []
    for size in (1, 10, 100):
        batch = sensor_batches(catalog, size)
        baseline = bare_dict_rate(batch)
        hub = Hub()
        hub.add_vehicle("car1", catalog)
        measured = rate(lambda h=hub, b=batch: h.ingest("car1", b, 1.0, "bench") and None, size)
        figures.append(figure(f"hub.ingest batch={size} subscriptions=0", measured, "datapoints/s", baseline))

    batch = sensor_batches(catalog, 100)
    baseline = bare_dict_rate(batch)
    paths = list(catalog.signals)
    # 1,000 subscriptions over a fleet of 100 cars, 10 on the car being ingested: the usual shape of a hub.
    spread = Hub()
    for index in range(100):
        spread.add_vehicle(f"car{index}", catalog)
    for index in range(1000):
        spread.subscribe(f"car{index % 100}", [paths[(index * 7) % len(paths)]], max_batches=10**9)
    measured = rate(lambda: spread.ingest("car0", batch, 1.0, "bench") and None, 100)
    figures.append(figure("hub.ingest batch=100 subscriptions=1000 (100 cars, 10 on this car)", measured,
                          "datapoints/s", baseline))
    # All 1,000 on the car being ingested, each watching one of its signals: the fan-out itself is measured.
    crowded = Hub()
    crowded.add_vehicle("car0", catalog)
    for index in range(1000):
        crowded.subscribe("car0", [paths[index % len(paths)]], max_batches=10**9)
    measured = rate(lambda: crowded.ingest("car0", batch, 1.0, "bench") and None, 100)
    figures.append(figure("hub.ingest batch=100 subscriptions=1000 (all on this car)", measured, "datapoints/s",
                          baseline, note="about half of the subscriptions receive each batch"))
    return figures


async def _latency(samples: int = 5000) -> tuple[list[float], list[float]]:
    catalog = builtin_catalog()
    hub = Hub()
    hub.add_vehicle("car1", catalog)
    subscription = hub.subscribe("car1", ["Vehicle.Speed"])
    hub_latency: list[float] = []
    for index in range(samples):
        start = time.perf_counter()
        hub.ingest("car1", {"Vehicle.Speed": float(index % 200)}, principal="bench")
        await subscription.next_batch()
        hub_latency.append(time.perf_counter() - start)
    queue: asyncio.Queue[float] = asyncio.Queue()
    baseline: list[float] = []
    for index in range(samples):
        start = time.perf_counter()
        queue.put_nowait(float(index))
        await queue.get()
        baseline.append(time.perf_counter() - start)
    return hub_latency, baseline


def latency_figures() -> list[Figure]:
    measured, baseline = asyncio.run(_latency())
    figures = []
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures.append(figure(f"publish-to-subscriber latency {label}", percentile(measured, fraction) * 1e6, "µs",
                              percentile(baseline, fraction) * 1e6, note="baseline: asyncio.Queue put/get"))
    return figures
