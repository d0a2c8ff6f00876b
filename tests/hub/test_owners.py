"""Who carries out a command when providers, gateways and target watchers (kuksa.val v1 programs) meet."""

from __future__ import annotations

import pytest

from homebound.hub import Command, CommandState, Hub, OwnerKind
from homebound.hub.errors import AlreadyProvided, CommandRejected
from homebound.model.errors import ErrorCode

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
TEMP = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"


class Owner:
    """Remembers the commands it was handed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.received: list[Command] = []

    async def actuate(self, command: Command) -> None:
        self.received.append(command)


async def test_a_target_watcher_is_a_provider_for_the_actuators_it_watches(hub: Hub) -> None:
    watcher = Owner("v1 program")
    hub.register_owner("car1", watcher, [LIMIT], OwnerKind.TARGET_WATCHER)
    assert hub.has_provider("car1", LIMIT)
    assert not hub.has_provider("car1", TEMP)
    command = await hub.command("rest:ana", "car1", LIMIT, 80)
    assert command.state is CommandState.PENDING and watcher.received == [command]
    hub.ingest("car1", {LIMIT: 80}, principal="kuksa:v1")
    assert command.state is CommandState.CONFIRMED


async def test_a_provider_wins_over_a_target_watcher_and_hands_back_when_it_leaves(hub: Hub) -> None:
    watcher, provider = Owner("v1"), Owner("v2")
    hub.register_owner("car1", watcher, [LIMIT], OwnerKind.TARGET_WATCHER)
    hub.register_owner("car1", provider, [LIMIT])
    first = await hub.command("u", "car1", LIMIT, 70)
    assert provider.received == [first] and watcher.received == []
    hub.unregister_owner("car1", provider)
    second = await hub.command("u", "car1", LIMIT, 75)
    assert watcher.received == [second]


async def test_many_target_watchers_may_watch_one_actuator_and_the_oldest_acts(hub: Hub) -> None:
    oldest, newer = Owner("first"), Owner("second")
    hub.register_owner("car1", oldest, [LIMIT], OwnerKind.TARGET_WATCHER)
    hub.register_owner("car1", newer, [LIMIT], OwnerKind.TARGET_WATCHER)
    await hub.command("u", "car1", LIMIT, 60)
    assert len(oldest.received) == 1 and newer.received == []
    hub.unregister_owner("car1", oldest)
    await hub.command("u", "car1", LIMIT, 61)
    assert len(newer.received) == 1


async def test_no_provider_is_said_only_when_no_owner_of_any_kind_is_left(hub: Hub) -> None:
    watcher = Owner("v1")
    hub.register_owner("car1", watcher, [LIMIT], OwnerKind.TARGET_WATCHER)
    hub.unregister_owner("car1", watcher)
    with pytest.raises(CommandRejected) as refused:
        await hub.command("u", "car1", LIMIT, 80)
    assert refused.value.code is ErrorCode.UNAVAILABLE


def test_a_second_provider_is_refused_but_watchers_never_are(hub: Hub) -> None:
    hub.register_owner("car1", Owner("a"), [LIMIT])
    with pytest.raises(AlreadyProvided):
        hub.register_owner("car1", Owner("b"), [LIMIT, TEMP])
    assert not hub.has_provider("car1", TEMP)  # all or nothing
    hub.register_owner("car1", Owner("c"), [LIMIT], OwnerKind.TARGET_WATCHER)


async def test_the_gateway_acts_before_target_watchers(hub: Hub) -> None:
    gateway, watcher = Owner("simulator"), Owner("v1")
    hub.register_owner("car1", watcher, [LIMIT], OwnerKind.TARGET_WATCHER)
    hub.register_owner("car1", gateway)
    await hub.command("u", "car1", LIMIT, 50)
    assert len(gateway.received) == 1 and watcher.received == []
