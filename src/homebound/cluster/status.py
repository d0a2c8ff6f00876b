"""The state of a cluster as operators see it: workers, partitions (holder, lag), rates and latency.

Read from NATS alone (the workers bucket holds each worker's heartbeat and figures, the leases bucket who holds
what, each partition's consumer its lag), so `homebound cluster status` needs no database and works while a
worker is down.
"""

from __future__ import annotations

import time

import orjson
from nats.js.errors import NotFoundError

from homebound.cluster.connection import ClusterLink
from homebound.cluster.figures import LatencyHistogram
from homebound.cluster.kv import bucket_entries
from homebound.cluster.leases import Leases


async def cluster_status(link: ClusterLink) -> dict[str, object]:
    """One JSON-ready object: the cluster's facts, its workers, its partitions and the totals."""
    workers: list[dict[str, object]] = []
    histogram = LatencyHistogram()
    for value in (await bucket_entries(link.workers)).values():
        try:
            body = orjson.loads(value)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(body, dict):
            continue
        histogram.merge(LatencyHistogram.from_json(body.pop("latency_histogram", None)))
        workers.append(body)
    workers.sort(key=lambda w: str(w.get("worker")))
    holders = await Leases(link.leases, "status", link.facts.lease_ttl_s).holders()
    partitions: list[dict[str, object]] = []
    for partition in range(link.facts.partitions):
        try:
            info = await link.js.consumer_info(link.layout.stream, link.layout.consumer(partition))
            lag: int | None = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        except NotFoundError:
            lag = None
        partitions.append({"partition": partition, "worker": holders.get(partition), "lag": lag})
    lags = [p["lag"] for p in partitions if isinstance(p["lag"], int)]
    stream = await link.js.stream_info(link.layout.stream)
    p50, p99 = histogram.quantile(0.5), histogram.quantile(0.99)
    return {
        "cluster": link.layout.name, "id": link.facts.id, "partitions": link.facts.partitions,
        "lease_ttl_s": link.facts.lease_ttl_s, "at": time.time(),
        "workers": workers,
        "partition_table": partitions,
        "unheld_partitions": sum(1 for p in partitions if p["worker"] is None),
        "lag_total": sum(lags),
        "log_messages": stream.state.messages, "log_bytes": stream.state.bytes,
        "values_per_s": round(sum(_number(w.get("values_per_s")) for w in workers), 1),
        "latency_ms": {"p50": None if p50 is None else round(p50 * 1000, 2),
                       "p99": None if p99 is None else round(p99 * 1000, 2)},
    }


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
