"""Over REST the gateway posts each batch to a running hub, with the bearer token when one is given."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from homebound.adapters.hub_link import LinkError, RestLink
from homebound.app.config import Config, KuksaConfig, StorageConfig, VehicleConfig
from tests.support.live import live_server


def test_batches_reach_a_running_hub_and_bad_values_are_reported(tmp_path: Path) -> None:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}"), kuksa=KuksaConfig(enabled=False),
                    vehicles=[VehicleConfig(id="car1")])
    with live_server(config) as server:
        async def send() -> tuple[int, int, list[str]]:
            link = RestLink(server.base_url, "car1", token="secret")
            try:
                result = await link.deliver({"Vehicle.Speed": 12.5,
                                             "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 180}, None)
            finally:
                await link.aclose()
            return result.accepted, result.rejected, result.reasons
        accepted, rejected, reasons = asyncio.run(send())
        assert (accepted, rejected) == (1, 1)
        assert "outside the allowed range" in reasons[0]
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/api/v1/vehicles/car1/signals/Vehicle.Speed").json()["value"] == 12.5


def test_the_token_is_sent_as_a_bearer_header() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"accepted": 1, "rejected": []})

    async def send() -> None:
        link = RestLink("http://hub", "car1", token="t0k3n", transport=httpx.MockTransport(answer))
        await link.deliver({"Vehicle.Speed": 1.0}, None)
        await link.aclose()
    asyncio.run(send())
    assert seen == ["Bearer t0k3n"]


def test_an_unreachable_hub_is_a_link_error() -> None:
    async def send() -> None:
        link = RestLink("http://127.0.0.1:9", "car1", timeout=1)
        try:
            await link.deliver({"Vehicle.Speed": 1.0}, None)
        finally:
            await link.aclose()
    try:
        asyncio.run(send())
    except LinkError as error:
        assert "127.0.0.1:9" in str(error)
    else:
        raise AssertionError("no LinkError")
