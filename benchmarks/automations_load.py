"""Ingest cost with 0, 100, 1,000 and 10,000 automations loaded, and trigger-to-command latency.

1,000 household devices with 10 sensors each; each automation watches its own datapoints, with a mix of trigger
kinds (numeric_state 50 %, state with `for` 20 %, state 20 %, device_event 10 %). The measured stream is batches
of 10 values to devices whose datapoints are watched but do not cross a threshold, so the figure is the price
of the trigger index, not of the runs. Baseline: the same stream with no automation loaded, in the same run.
"""

from __future__ import annotations

import asyncio
import random
import time

from benchmarks.common import Figure, figure, percentile, rate
from homebound.automations.engine import AutomationEngine
from homebound.automations.schema import Automation
from homebound.hub import Command, Hub
from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalKind, SignalMetadata

DEVICES = 1000
SENSORS = 10


def _hub() -> Hub:
    hub = Hub()
    points = [SignalMetadata(f"Sensor.S{n}.Value", SignalKind.SENSOR, DataType.DOUBLE) for n in range(SENSORS)]
    points.append(SignalMetadata("Switch.Out.State", SignalKind.ACTUATOR, DataType.BOOLEAN))
    catalog = Catalog(points)
    for number in range(DEVICES):
        hub.add_device(f"dev{number}", catalog)
    return hub


def _automations(count: int) -> list[Automation]:
    out = []
    for number in range(count):
        thing, path = f"dev{number % DEVICES}", f"Sensor.S{(number // DEVICES) % SENSORS}.Value"
        kind = number % 10
        if kind < 5:
            trigger: dict[str, object] = {"trigger": "numeric_state", "thing": thing, "path": path, "above": 1e9}
        elif kind < 7:
            trigger = {"trigger": "state", "thing": thing, "path": path, "to": -1.0, "for": 60}
        elif kind < 9:
            trigger = {"trigger": "state", "thing": thing, "path": path, "to": -2.0}
        else:
            trigger = {"trigger": "device_event", "thing": thing, "path": path, "event_type": "never"}
        out.append(Automation.model_validate({
            "id": f"a{number}", "triggers": [trigger],
            "actions": [{"action": "command", "thing": thing, "path": "Switch.Out.State", "value": True}]}))
    return out


async def _ingest_rate(count: int) -> float:
    hub = _hub()
    engine = AutomationEngine(hub, [])
    engine.load(_automations(count))
    await engine.start()
    rng = random.Random(7)
    batches = [(f"dev{rng.randrange(DEVICES)}", {f"Sensor.S{n}.Value": rng.uniform(0, 100) for n in range(SENSORS)})
               for _ in range(500)]
    position = [0]

    def one() -> None:
        thing, values = batches[position[0] % len(batches)]
        position[0] += 1
        hub.ingest(thing, values, 1.0, "bench")

    measured = rate(one, SENSORS)
    await engine.stop()
    return measured


class Stopwatch:
    """Records when a command leaves the hub (the owner's `actuate` is called)."""

    def __init__(self) -> None:
        self.left: asyncio.Queue[float] = asyncio.Queue()

    async def actuate(self, command: Command) -> None:
        self.left.put_nowait(time.perf_counter())


async def _latency(count: int, samples: int = 500) -> list[float]:
    hub = _hub()
    engine = AutomationEngine(hub, [])
    trigger = Automation.model_validate({
        "id": "probe", "mode": "parallel", "max": 1000,
        "triggers": [{"trigger": "numeric_state", "thing": "dev0", "path": "Sensor.S9.Value", "above": 50}],
        "actions": [{"action": "command", "thing": "dev1", "path": "Switch.Out.State", "value": True,
                     "wait": False}]})
    engine.load([*_automations(count), trigger])
    await engine.start()
    watch = Stopwatch()
    hub.register_owner("dev1", watch)
    out = []
    for number in range(samples):
        hub.ingest("dev0", {"Sensor.S9.Value": 0.0})
        hub.ingest("dev1", {"Switch.Out.State": False})
        start = time.perf_counter()
        hub.ingest("dev0", {"Sensor.S9.Value": 100.0 + number})
        out.append(await asyncio.wait_for(watch.left.get(), 5) - start)
    await engine.stop()
    return out


async def _car_stream_rate(count: int, on_car: bool = True) -> float:
    """The car's batches of 100 VSS signals, with `count` automations on the household's devices and 20 on car
    signals that are in the batch (state of charge, speed, doors...)."""
    from benchmarks.common import sensor_batches
    from homebound.model.vss_loader import builtin_catalog

    hub = _hub()
    catalog = builtin_catalog()
    hub.add_vehicle("car1", catalog)
    batch = sensor_batches(catalog, 100)
    watched = [p for p, v in batch.items() if isinstance(v, float)][:20]
    car_automations = [] if not on_car else [Automation.model_validate({
        "id": f"car{n}", "triggers": [{"trigger": "numeric_state", "thing": "car1", "path": path, "above": 1e12}],
        "actions": [{"delay": 1}]}) for n, path in enumerate(watched)] if count else []
    engine = AutomationEngine(hub, [])
    engine.load([*_automations(count), *car_automations])
    await engine.start()
    measured = rate(lambda: hub.ingest("car1", batch, 1.0, "bench") and None, len(batch))
    await engine.stop()
    return measured


def automation_figures() -> list[Figure]:
    figures = []
    car_baseline = asyncio.run(_car_stream_rate(0))
    for count in (100, 1000, 10_000):
        measured = asyncio.run(_car_stream_rate(count, on_car=False))
        figures.append(figure(f"car stream, batch=100, with {count} automations on household datapoints",
                              measured, "datapoints/s", car_baseline,
                              note="baseline: the same stream with no automation, this run"))
    for count in (0, 100, 1000, 10_000):
        measured = asyncio.run(_car_stream_rate(count)) if count else car_baseline
        figures.append(figure(f"car stream, batch=100, with {count} automations loaded (+20 on car signals)",
                              measured, "datapoints/s", car_baseline,
                              note="baseline: the same stream with no automation, this run"))
    baseline = asyncio.run(_ingest_rate(0))
    for count in (0, 100, 1000, 10_000):
        measured = asyncio.run(_ingest_rate(count)) if count else baseline
        figures.append(figure(f"worst case: every updated datapoint watched, {count} automations", measured,
                              "datapoints/s", baseline, note="baseline: the same stream with 0 automations"))
    latencies = asyncio.run(_latency(10_000))
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures.append(figure(f"trigger update -> command leaves the hub, 10000 automations, {label}",
                              percentile(latencies, fraction) * 1e6, "µs",
                              percentile(asyncio.run(_latency(0, 200)), fraction) * 1e6,
                              note="baseline: the same with only the probe automation loaded"))
    return figures
