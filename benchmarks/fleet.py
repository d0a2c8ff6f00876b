"""Fleet figures: 10,000 cars x 20 signals at 1 Hz through a real cluster (the machine's NATS JetStream and
PostgreSQL, workers as processes), with 1 and with 2 workers, and the scaling ratio between them.

Each run is `homebound fleet bench` (app/fleet_bench.py): it checks afterwards that every acknowledged batch is in
history once and in order, so a figure here is also a correctness run. Each run lasts `FLEET_BENCH_S` seconds of
load (25 by default; HOMEBOUND_FLEET_BENCH_S to change) plus start-up and drain. On a 2-core machine the door, NATS,
PostgreSQL and the workers share the same two cores, so the offered 200,000 datapoints/s are not reached and the
second worker adds no core: the ratio measured here is that of one machine, not the design's (docs/cluster.md).
"""

from __future__ import annotations

import os

from benchmarks.common import Figure, figure
from homebound.app.fleet_bench import BenchSettings, run_bench

FLEET_BENCH_S = float(os.environ.get("HOMEBOUND_FLEET_BENCH_S", "25"))
NATS_URL = os.environ.get("HOMEBOUND_TEST_NATS_URL", "nats://127.0.0.1:4222")
POSTGRES_URL = os.environ.get("HOMEBOUND_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def _run(workers: int) -> dict[str, object]:
    return run_bench(BenchSettings(vehicles=10_000, workers=workers, duration_s=FLEET_BENCH_S, signals=20,
                                   rate_hz=1.0, nats_url=NATS_URL, postgres_url=POSTGRES_URL))


def _number(result: dict[str, object], key: str) -> float:
    value = result.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def fleet_figures() -> list[Figure]:
    one = _run(1)
    two = _run(2)
    figures: list[Figure] = []
    for label, result in (("1 worker", one), ("2 workers", two)):
        checks = (f"lost {result['lost']}, duplicates {result['duplicates']}, out of order {result['out_of_order']}; "
                  f"accepted {result['accepted_dps']} dp/s, door-to-stored p50 {result['latency_p50_ms']} ms "
                  f"p99 {result['latency_p99_ms']} ms, drain {result['drain_s']} s")
        figures.append(figure(f"fleet 10,000 cars x 20 signals at 1 Hz, {label}: stored", _number(result, "stored_dps"),
                              "datapoints/s", _number(result, "offered_dps"),
                              note=f"baseline: the offered rate; {checks}"))
    figures.append(figure("fleet scaling, 2 workers over 1 (same machine)", _number(two, "stored_dps"),
                          "datapoints/s", _number(one, "stored_dps"),
                          note="baseline: 1 worker in the same run; both share this machine's 2 cores with NATS, "
                               "PostgreSQL and the load's door"))
    return figures
