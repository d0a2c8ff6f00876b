"""`homebound serve --cluster`: its doors (REST, WebSocket, Kuksa gRPC) work for cars kept by the cluster.

The served node runs doors and a worker (uvicorn in a thread, as `serve --cluster` runs it); a second door in the test
process stands for another node of the cluster. What one door writes or asks reaches the car's keeper; what the
keeper accepts reaches a subscriber on any door through NATS; a command sent at one door reaches the car's provider
connected to another.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
import websockets
from kuksa_client.grpc import Datapoint
from kuksa_client.grpc.aio import VSSClient as AsyncVSSClient

from homebound.adapters.http import create_app
from homebound.app.cluster_node import ClusterNode
from homebound.app.config import ClusterConfig, Config, KuksaConfig, ServerConfig, StorageConfig, VehicleConfig
from homebound.cluster.connection import ClusterLink
from homebound.hub.commands import CommandState
from homebound.hub.errors import Refused
from homebound.model.catalog import Catalog
from homebound.model.errors import ErrorCode
from tests.cluster.conftest import LEASE_TTL_S, door, wait_until_held
from tests.support.live import free_port

CARS = [f"car{n}" for n in range(1, 7)]
SPEED = "Vehicle.Speed"
HAZARD = "Vehicle.Body.Lights.Hazard.IsSignaling"


@dataclass
class ServedNode:
    base_url: str
    ws_url: str
    grpc_port: int
    node: ClusterNode


@pytest.fixture
def served(nats_url: str, cluster_name: str, database: str, link: ClusterLink) -> Iterator[ServedNode]:
    port = free_port()
    config = Config(server=ServerConfig(port=port), storage=StorageConfig(url=database),
                    kuksa=KuksaConfig(port=0), vehicles=[VehicleConfig(id=car) for car in CARS],
                    cluster=ClusterConfig(url=nats_url, name=cluster_name, lease_ttl_s=LEASE_TTL_S,
                                          worker_id="served"))
    node = ClusterNode(config, doors=True, worker=True)
    server = uvicorn.Server(uvicorn.Config(create_app(node.http_services(), node), host="127.0.0.1", port=port,
                                           log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the cluster node did not start")
        time.sleep(0.05)
    try:
        yield ServedNode(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}",
                         node.kuksa.bound_port if node.kuksa else 0, node)
    finally:
        server.should_exit = True
        thread.join(60)


async def test_a_rest_write_is_kept_and_read_back_at_the_door(served: ServedNode, link: ClusterLink) -> None:
    await wait_until_held(link, {"served"})
    async with httpx.AsyncClient(base_url=served.base_url, timeout=20) as client:
        written = await client.post("/api/v1/vehicles/car3/signals", json={"values": {SPEED: 61.5, "Vehicle.Nope": 1}},
                                    headers={"x-homebound-principal": "ana"})
        assert written.status_code == 200
        assert written.json()["accepted"] == 1 and written.json()["rejected"][0]["code"] == "unknown_path"
        read = (await client.get(f"/api/v1/vehicles/car3/signals/{SPEED}")).json()
        assert (read["value"], read["principal"]) == (61.5, "rest:ana")
        history = (await client.get(f"/api/v1/vehicles/car3/history/{SPEED}")).json()
        assert [p["value"] for p in history["points"]] == [61.5]
        metrics = (await client.get("/api/v1/metrics")).json()
    assert metrics["cluster"]["door"]["batches_written"] == 1
    assert metrics["cluster"]["worker"]["values_applied"] == 1


async def test_a_websocket_subscriber_gets_what_another_door_wrote(served: ServedNode, link: ClusterLink,
                                                                     catalog: Catalog) -> None:
    await wait_until_held(link, {"served"})
    url = f"{served.ws_url}/api/v1/vehicles/car2/stream?path={SPEED}"
    async with websockets.connect(url) as socket, door(link, catalog, CARS) as other_door:
        subscribed = json.loads(await socket.recv())
        assert subscribed["type"] == "subscribed"
        await asyncio.sleep(0.5)  # the door follows car2: snapshot from its keeper, then its change subject
        for speed in (10.0, 20.0, 30.0):
            await other_door.write("car2", {SPEED: speed}, time.time(), "test:other-door")
        seen: list[float] = []
        while len(seen) < 3:
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            seen += [update["value"] for update in message["updates"]]
    assert seen == [10.0, 20.0, 30.0]


async def test_a_command_at_one_door_reaches_the_kuksa_provider_at_another(served: ServedNode, link: ClusterLink,
                                                                           catalog: Catalog) -> None:
    await wait_until_held(link, {"served"})
    received: list[dict[str, object]] = []
    asked = asyncio.Event()

    async def gateway() -> None:
        async with AsyncVSSClient("127.0.0.1", served.grpc_port) as provider:
            async for updates in provider.subscribe_target_values([HAZARD]):
                received.append({path: point.value for path, point in updates.items()})
                asked.set()
                await provider.set_current_values({path: Datapoint(point.value) for path, point in updates.items()})

    provider = asyncio.create_task(gateway())
    try:
        async with door(link, catalog, CARS) as other_door:
            deadline = time.monotonic() + 15
            command = None
            while time.monotonic() < deadline:  # until the provider's announcement has reached the keeper
                try:
                    command = await other_door.command("rest:ops", "car1", HAZARD, True)
                    break
                except Refused as refused:
                    assert refused.code is ErrorCode.UNAVAILABLE, refused
                await asyncio.sleep(0.3)
            assert command is not None and command.state is CommandState.PENDING, command
            await asyncio.wait_for(asked.wait(), 10)
            assert received == [{HAZARD: True}]
            async with httpx.AsyncClient(base_url=served.base_url, timeout=20) as client:
                while time.monotonic() < deadline:
                    stored = (await client.get(f"/api/v1/commands/{command.id}")).json()
                    if stored["state"] == "confirmed":
                        break
                    await asyncio.sleep(0.2)
            assert stored["state"] == "confirmed"
    finally:
        provider.cancel()
