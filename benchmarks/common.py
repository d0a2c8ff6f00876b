"""Shared benchmark helpers: timing, percentiles, realistic signal data, and the JSON-lines report.

Every figure is reported next to a baseline measured in the same run, because this machine is noisy: the ratio
is what compares from run to run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from homebound.model.catalog import Catalog
from homebound.model.signal import SignalMetadata, Value

RESULTS = Path(__file__).resolve().parent / "results.jsonl"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float
    ratio: float
    note: str = ""


def figure(name: str, value: float, unit: str, baseline: float, note: str = "") -> Figure:
    return Figure(name, round(value, 3), unit, round(baseline, 3), round(value / baseline, 4) if baseline else 0.0,
                  note)


def report(figures: list[Figure], append: bool = False) -> None:
    lines = [json.dumps({k: v for k, v in asdict(f).items() if v != ""}) for f in figures]
    for line in lines:
        print(line, flush=True)
    with RESULTS.open("a" if append else "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))


def rate(operation: Callable[[], None], items_per_call: int, seconds: float = 1.0) -> float:
    """Items per second of `operation`, run repeatedly for about `seconds` (after a short warm-up)."""
    for _ in range(50):
        operation()
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            operation()
        calls += 100
        now = time.perf_counter()
        if now >= deadline:
            return calls * items_per_call / (now - start)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def valid_value(meta: SignalMetadata) -> Value:
    """A value the signal accepts, for benchmark traffic."""
    datatype = meta.datatype.element.value
    if meta.allowed:
        scalar: Value = meta.allowed[0]
    elif datatype == "boolean":
        scalar = True
    elif datatype == "string":
        scalar = "benchmark"
    else:
        low = meta.min if meta.min is not None else 0
        high = meta.max if meta.max is not None else 100
        middle = (low + high) / 2
        scalar = int(middle) if meta.datatype.is_integer else float(middle)
    return [scalar] if meta.datatype.is_array else scalar  # type: ignore[list-item,return-value]


def sensor_batches(catalog: Catalog, size: int) -> dict[str, Value]:
    """`size` distinct sensor or actuator signals of the catalog with valid values, as a car would send them."""
    chosen = [m for m in catalog.signals.values() if m.kind.value != "attribute"][:size]
    if len(chosen) < size:
        raise ValueError(f"the catalog has only {len(chosen)} sensor and actuator signals")
    return {m.path: valid_value(m) for m in chosen}
