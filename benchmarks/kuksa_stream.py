"""A provider streaming values through `OpenProviderStream` to a v2 subscriber, against the same flow in-process.

The hub runs as `homebound serve` in its own process (as in production); the provider and the subscriber are
gRPC clients in this process. Baseline: the same batches through `Hub.ingest` to an in-process subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc

from benchmarks.common import Figure, figure, percentile, sensor_batches
from homebound.adapters.kuksa.values import to_v2_value
from homebound.hub import Hub
from homebound.model.vss_loader import builtin_catalog

BATCH = 50
BATCHES = 2000
LATENCY_SAMPLES = 2000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _grpc_flow(port: int) -> tuple[float, list[float], int]:
    catalog = builtin_catalog()
    batch = sensor_batches(catalog, BATCH)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = v2_grpc.VALStub(channel)
    for _ in range(100):
        try:
            await stub.GetServerInfo(v2.GetServerInfoRequest())
            break
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.1)
    listing = await stub.ListMetadata(v2.ListMetadataRequest(root="Vehicle"))
    ids = {m.path: m.id for m in listing.metadata}
    points = {ids[p]: t2.Datapoint(value=to_v2_value(catalog.signals[p], v)) for p, v in batch.items()}
    outgoing: asyncio.Queue[v2.OpenProviderStreamRequest | None] = asyncio.Queue()

    async def requests() -> AsyncIterator[v2.OpenProviderStreamRequest]:
        while (item := await outgoing.get()) is not None:
            yield item

    provider = stub.OpenProviderStream(requests())
    acks = asyncio.create_task(_drain(provider))
    subscription = stub.Subscribe(v2.SubscribeRequest(signal_paths=list(batch)))
    await subscription.read()  # the initial values
    received = 0
    start = time.perf_counter()
    for number in range(BATCHES):
        outgoing.put_nowait(v2.OpenProviderStreamRequest(publish_values_request=v2.PublishValuesRequest(
            request_id=number, data_points=points)))
    while received < BATCH * BATCHES:
        try:
            response = await asyncio.wait_for(subscription.read(), 5)
        except TimeoutError:
            break
        received += len(response.entries)
    elapsed = time.perf_counter() - start
    speed_id = ids["Vehicle.Speed"]
    single = stub.Subscribe(v2.SubscribeRequest(signal_paths=["Vehicle.Speed"]))
    await single.read()
    latencies = []
    for number in range(LATENCY_SAMPLES):
        sent = time.perf_counter()
        outgoing.put_nowait(v2.OpenProviderStreamRequest(publish_values_request=v2.PublishValuesRequest(
            request_id=number, data_points={speed_id: t2.Datapoint(value=t2.Value(float=float(number % 250)))})))
        while True:
            response = await single.read()
            if response.entries:
                break
        latencies.append(time.perf_counter() - sent)
    outgoing.put_nowait(None)
    subscription.cancel()
    single.cancel()
    provider.cancel()
    acks.cancel()
    await channel.close()
    return received / elapsed, latencies, BATCH * BATCHES - received


async def _drain(call: object) -> None:
    with contextlib.suppress(Exception):
        async for _ in call:  # type: ignore[attr-defined]
            pass


async def _in_process_flow() -> tuple[float, list[float]]:
    catalog = builtin_catalog()
    batch = sensor_batches(catalog, BATCH)
    hub = Hub()
    hub.add_vehicle("car1", catalog)
    subscription = hub.subscribe("car1", list(batch), max_batches=10**6)
    received = 0
    start = time.perf_counter()
    for _ in range(BATCHES):
        hub.ingest("car1", batch, principal="bench")
        received += len(await subscription.next_batch())
    elapsed = time.perf_counter() - start
    single = hub.subscribe("car1", ["Vehicle.Speed"])
    latencies = []
    for number in range(LATENCY_SAMPLES):
        sent = time.perf_counter()
        hub.ingest("car1", {"Vehicle.Speed": float(number % 250)}, principal="bench")
        await single.next_batch()
        latencies.append(time.perf_counter() - sent)
    return received / elapsed, latencies


def kuksa_figures() -> list[Figure]:
    port, http_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "homebound"), "serve", "--port", str(http_port), "--grpc-port",
             str(port), "--storage", f"sqlite:///{folder}/bench.db"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            rate, latencies, lost = asyncio.run(_grpc_flow(port))
        finally:
            server.terminate()
            server.wait(15)
    base_rate, base_latencies = asyncio.run(_in_process_flow())
    note = "baseline: the same flow through Hub.ingest in-process"
    figures = [figure(f"kuksa v2 provider stream -> v2 subscriber, batches of {BATCH}", rate, "signals/s", base_rate,
                      note=note + (f"; {lost} signals not delivered" if lost else ""))]
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures.append(figure(f"kuksa v2 provider -> subscriber latency {label}", percentile(latencies, fraction) * 1e3,
                              "ms", percentile(base_latencies, fraction) * 1e3, note=note))
    return figures
