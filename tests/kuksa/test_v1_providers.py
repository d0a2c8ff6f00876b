"""kuksa.val v1 providers: a connection subscribed to an actuator's target values provides it while it lasts.

The provider here is written with kuksa-client's v1 calls (`subscribe` with `View.TARGET_VALUE`, `set` of
`Field.VALUE`), the way kuksa-mock-provider and every v1 program do it; the hub runs its default configuration
(a command with no provider fails at once).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import grpc
import httpx
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from kuksa_client.grpc import DataEntry, Datapoint, EntryUpdate, Field, SubscribeEntry, View
from kuksa_client.grpc.aio import VSSClient

from tests.kuksa.conftest import token
from tests.support.live import LiveServer

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


async def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def v1_provider(port: int, paths: list[str], seen: list[object], bearer: str | None = None,
                      confirm: bool = True) -> None:
    """Subscribe to the targets over v1; write each target back as the current value over v1."""
    async with VSSClient("127.0.0.1", port, token=bearer) as client:
        entries = [SubscribeEntry(path, View.TARGET_VALUE, (Field.ACTUATOR_TARGET,)) for path in paths]
        async for updates in client.subscribe(entries=entries):
            for update in updates:
                target = update.entry.actuator_target
                if target is None:
                    continue  # the initial message: no target yet
                seen.append(target.value)
                if confirm:
                    await client.set(updates=[EntryUpdate(DataEntry(update.entry.path, value=Datapoint(target.value)),
                                                          (Field.VALUE,))])


@contextlib.asynccontextmanager
async def running(task_body: object) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(task_body)  # type: ignore[arg-type]
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def has_provider(server: LiveServer) -> bool:
    return bool(server.run(server.runtime.hub.has_provider, "car1", LIMIT))


async def rest_command(server: LiveServer, target: int) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        return await http.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": target})


async def command_state(server: LiveServer, command_id: str) -> str:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        return str((await http.get(f"/api/v1/commands/{command_id}")).json()["state"])


async def test_a_v1_provider_carries_out_a_rest_command_with_the_default_configuration(hub_server: LiveServer) -> None:
    seen: list[object] = []
    async with running(v1_provider(hub_server.grpc_port, [LIMIT], seen)):
        await wait_for(lambda: has_provider(hub_server))
        response = await rest_command(hub_server, 80)
        assert response.status_code == 202, response.text
        command_id = response.json()["id"]
        await wait_for(lambda: seen == [80])
        states: list[str] = []

        async def confirmed() -> bool:
            states.append(await command_state(hub_server, command_id))
            return states[-1] == "confirmed"

        for _ in range(100):
            if await confirmed():
                break
            await asyncio.sleep(0.05)
        assert states[-1] == "confirmed"
        assert hub_server.run(hub_server.runtime.hub.read, "car1", LIMIT)[0] == 80


async def test_the_provider_is_gone_when_its_subscription_ends(hub_server: LiveServer) -> None:
    async with running(v1_provider(hub_server.grpc_port, [LIMIT], [])):
        await wait_for(lambda: has_provider(hub_server))
    await wait_for(lambda: not has_provider(hub_server))
    response = await rest_command(hub_server, 70)
    assert response.status_code == 503 and "no provider" in response.text


async def test_a_v2_provider_wins_over_the_v1_provider_and_hands_back_when_it_leaves(hub_server: LiveServer) -> None:
    v1_seen: list[object] = []
    async with running(v1_provider(hub_server.grpc_port, [LIMIT], v1_seen, confirm=False)):
        await wait_for(lambda: has_provider(hub_server))
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{hub_server.grpc_port}")
        claim: asyncio.Queue[v2.OpenProviderStreamRequest | None] = asyncio.Queue()
        claim.put_nowait(v2.OpenProviderStreamRequest(provide_actuation_request=v2.ProvideActuationRequest(
            actuator_identifiers=[t2.SignalID(path=LIMIT)])))

        async def requests() -> AsyncIterator[v2.OpenProviderStreamRequest]:
            while (item := await claim.get()) is not None:
                yield item

        stream = v2_grpc.VALStub(channel).OpenProviderStream(requests())
        assert (await stream.read()).HasField("provide_actuation_response")
        assert (await rest_command(hub_server, 65)).status_code == 202
        request = await asyncio.wait_for(stream.read(), 5)
        assert request.batch_actuate_stream_request.actuate_requests[0].value.uint32 == 65
        await wait_for(lambda: v1_seen == [65])  # the v1 program still sees the target, as a v1 subscriber
        stream.cancel()
        await channel.close()
        await asyncio.sleep(0.2)
        assert has_provider(hub_server)  # the v1 provider is there again
        assert (await rest_command(hub_server, 66)).status_code == 202


async def test_a_v1_subscriber_without_the_provide_right_is_not_a_provider(secured: LiveServer) -> None:
    seen: list[object] = []
    async with running(v1_provider(secured.grpc_port, [LIMIT], seen, bearer=token(f"read:{LIMIT}"))) as task:
        await asyncio.sleep(0.5)
        assert not task.done()
        assert not has_provider(secured)
    async with running(v1_provider(secured.grpc_port, [LIMIT], seen, bearer=token(f"provide:{LIMIT}"))):
        await wait_for(lambda: has_provider(secured))
