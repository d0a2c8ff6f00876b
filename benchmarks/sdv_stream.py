"""A feeder streaming values through sdv.databroker.v1 `StreamDatapoints` to a `Subscribe` query, against the same
flow in-process, beside the kuksa.val v2 figures (kuksa_stream.py).

The hub runs as `homebound serve` in its own process; the feeder (Collector) and the subscriber (Broker, the query
`SELECT` of the batch's signals) are gRPC clients here, with the stubs generated from Kuksa's .proto files, the
calls Velocitas-era programs make. One ingest batch is one conceptual row: one reply carrying every selected signal.
Baseline: the same batches through `Hub.ingest` to an in-process subscription.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from benchmarks.common import Figure, figure, percentile, sensor_batches
from benchmarks.kuksa_stream import _drain, _free_port, _in_process_flow
from homebound.adapters.kuksa.sdv_stubs import broker_pb2, broker_pb2_grpc, collector_pb2, collector_pb2_grpc
from homebound.adapters.kuksa.sdv_values import to_datapoint
from homebound.model.vss_loader import builtin_catalog

BATCH = 50
BATCHES = 2000
LATENCY_SAMPLES = 2000


async def _sdv_flow(port: int) -> tuple[float, list[float], int]:
    catalog = builtin_catalog()
    batch = sensor_batches(catalog, BATCH)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    broker = broker_pb2_grpc.BrokerStub(channel)
    collector = collector_pb2_grpc.CollectorStub(channel)
    for _ in range(100):
        try:
            await broker.GetMetadata(broker_pb2.GetMetadataRequest(names=["Vehicle.Speed"]))
            break
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.1)
    registered = await collector.RegisterDatapoints(collector_pb2.RegisterDatapointsRequest(list=[
        collector_pb2.RegistrationMetadata(name=path) for path in batch]))
    ids = dict(registered.results)
    points = {ids[p]: to_datapoint(catalog.signals[p], v, time.time()) for p, v in batch.items()}
    outgoing: asyncio.Queue[collector_pb2.StreamDatapointsRequest | None] = asyncio.Queue()

    async def requests() -> AsyncIterator[collector_pb2.StreamDatapointsRequest]:
        while (item := await outgoing.get()) is not None:
            yield item

    feeder = collector.StreamDatapoints(requests())
    errors = asyncio.create_task(_drain(feeder))
    subscription = broker.Subscribe(broker_pb2.SubscribeRequest(query="SELECT " + ", ".join(batch)))
    await subscription.read()  # the initial row
    replies = 0
    start = time.perf_counter()
    for _ in range(BATCHES):
        outgoing.put_nowait(collector_pb2.StreamDatapointsRequest(datapoints=points))
    while replies < BATCHES:
        try:
            await asyncio.wait_for(subscription.read(), 5)
        except TimeoutError:
            break
        replies += 1
    elapsed = time.perf_counter() - start
    speed_id = ids.get("Vehicle.Speed") or (await collector.RegisterDatapoints(
        collector_pb2.RegisterDatapointsRequest(list=[collector_pb2.RegistrationMetadata(name="Vehicle.Speed")])
    )).results["Vehicle.Speed"]
    single = broker.Subscribe(broker_pb2.SubscribeRequest(query="SELECT Vehicle.Speed"))
    await single.read()
    latencies = []
    for number in range(LATENCY_SAMPLES):
        sent = time.perf_counter()
        outgoing.put_nowait(collector_pb2.StreamDatapointsRequest(datapoints={
            speed_id: to_datapoint(catalog.signals["Vehicle.Speed"], float(number % 250), time.time())}))
        await single.read()
        latencies.append(time.perf_counter() - sent)
    outgoing.put_nowait(None)
    for call in (subscription, single, feeder):
        call.cancel()
    errors.cancel()
    await channel.close()
    return replies * BATCH / elapsed, latencies, BATCHES - replies


def sdv_figures() -> list[Figure]:
    port, http_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "homebound"), "serve", "--port", str(http_port), "--grpc-port",
             str(port), "--storage", f"sqlite:///{folder}/bench.db"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            rate, latencies, lost = asyncio.run(_sdv_flow(port))
        finally:
            server.terminate()
            server.wait(15)
    base_rate, base_latencies = asyncio.run(_in_process_flow())
    note = "baseline: the same flow through Hub.ingest in-process"
    figures = [figure(f"sdv.databroker.v1 StreamDatapoints -> Subscribe query, batches of {BATCH}", rate, "signals/s",
                      base_rate, note=note + (f"; {lost} of {BATCHES} rows not replied" if lost else ""))]
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures.append(figure(f"sdv.databroker.v1 feeder -> query subscriber latency {label}",
                              percentile(latencies, fraction) * 1e3, "ms", percentile(base_latencies, fraction) * 1e3,
                              note=note))
    return figures
