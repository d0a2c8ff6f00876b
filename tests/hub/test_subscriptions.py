"""Subscriptions to paths, branches and wildcards; unknown paths reported; slow subscribers never block."""

from __future__ import annotations

import asyncio

import pytest

from homebound.hub import Field, Hub
from homebound.model.errors import UnknownPath

DOOR = "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"


async def test_branch_subscription_gets_only_its_leaves(hub: Hub) -> None:
    subscription = hub.subscribe("car1", ["Vehicle.Cabin"])
    hub.ingest("car1", {"Vehicle.Speed": 10, DOOR: True, "Vehicle.Cabin.HVAC.AmbientAirTemperature": 21.0})
    batch = await subscription.next_batch(timeout=1)
    assert {(u.path, u.value) for u in batch} == {(DOOR, True), ("Vehicle.Cabin.HVAC.AmbientAirTemperature", 21.0)}
    assert subscription.get_nowait() is None


async def test_wildcard_subscription(hub: Hub) -> None:
    subscription = hub.subscribe("car1", ["Vehicle.Cabin.Door.*.*.IsOpen"])
    hub.ingest("car1", {"Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen": True,
                        "Vehicle.Cabin.Door.Row2.PassengerSide.IsLocked": False})
    batch = await subscription.next_batch(timeout=1)
    assert [(u.path, u.value) for u in batch] == [("Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen", True)]


async def test_unknown_path_is_reported_and_the_rest_served(hub: Hub) -> None:
    subscription = hub.subscribe("car1", ["Vehicle.Speed", "Vehicle.Warp.Factor"])
    assert list(subscription.unknown_paths) == ["Vehicle.Warp.Factor"]
    hub.ingest("car1", {"Vehicle.Speed": 12})
    assert (await subscription.next_batch(timeout=1))[0].value == 12.0


def test_subscription_with_only_unknown_paths_is_refused(hub: Hub) -> None:
    with pytest.raises(UnknownPath, match=r"Vehicle\.Sped.*did you mean Vehicle\.Speed"):
        hub.subscribe("car1", ["Vehicle.Sped"])


async def test_slow_subscriber_drops_and_counts_while_ingest_goes_on(hub: Hub) -> None:
    slow = hub.subscribe("car1", ["Vehicle.Speed"], max_batches=3)
    fast = hub.subscribe("car1", ["Vehicle.Speed"], max_batches=100)
    for speed in range(10):
        assert hub.ingest("car1", {"Vehicle.Speed": speed}).accepted == 1
    assert slow.dropped == 7 and slow.pending_batches() == 3
    assert fast.dropped == 0 and fast.pending_batches() == 10
    assert hub.subscription_stats()["dropped_updates"] == 7
    assert hub.read("car1", "Vehicle.Speed")[0] == 9.0  # type: ignore[index]
    assert [(await slow.next_batch(timeout=1))[0].value for _ in range(3)] == [0.0, 1.0, 2.0]


async def test_closed_subscription_receives_nothing_and_ends_iteration(hub: Hub) -> None:
    subscription = hub.subscribe("car1", ["Vehicle.Speed"])
    consumer = asyncio.create_task(_collect(subscription))
    await asyncio.sleep(0)
    hub.ingest("car1", {"Vehicle.Speed": 1})
    await asyncio.sleep(0)
    subscription.close()
    hub.ingest("car1", {"Vehicle.Speed": 2})
    assert await asyncio.wait_for(consumer, 1) == [1.0]
    assert hub.subscription_stats()["subscriptions"] == 0


async def _collect(subscription: object) -> list[object]:
    values = []
    async for batch in subscription:  # type: ignore[attr-defined]
        values += [u.value for u in batch]
    return values


async def test_target_and_command_fields(hub: Hub) -> None:
    hub.set_command_policy("car1", "wait")
    path = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
    subscription = hub.subscribe("car1", ["Vehicle.Powertrain.TractionBattery.Charging"],
                                 fields=[Field.TARGET, Field.COMMAND])
    command = await hub.command("user:ana", "car1", path, 80)
    updates = [u for _ in range(2) for u in await subscription.next_batch(timeout=1)]
    assert {(u.field, u.path) for u in updates} == {(Field.TARGET, path), (Field.COMMAND, path)}
    hub.ingest("car1", {path: 80})
    confirmed = await subscription.next_batch(timeout=1)
    assert confirmed[0].field is Field.COMMAND and confirmed[0].value["state"] == "confirmed"  # type: ignore[index]
    assert command.state.value == "confirmed"
