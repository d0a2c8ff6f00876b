"""A hub that relays a thing kept elsewhere: it validates here, forwards writes and commands, announces providers,
and serves reads and subscriptions from a replica. The relay is a recording stand-in (the real one is NATS, tested
in tests/cluster)."""

from __future__ import annotations

import asyncio

import pytest

from homebound.hub.commands import Command, CommandState
from homebound.hub.errors import RejectedValue
from homebound.hub.events import Field
from homebound.hub.relay import CommandRequest, RelayedElsewhere, RelayingHub
from homebound.model.catalog import Catalog
from homebound.model.errors import UnknownPath
from homebound.model.signal import Value

SPEED = "Vehicle.Speed"
HORN = "Vehicle.Body.Horn.IsActive"


class RecordingRelay:
    """Stands in for the cluster: records what the hub hands it, answers commands as a keeper would."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, dict[str, Value], float, str]] = []
        self.commands: list[CommandRequest] = []
        self.failed: list[tuple[str, str]] = []
        self.announced: list[tuple[str, list[str]]] = []
        self.followed: list[str] = []

    async def write(self, thing: str, values: dict[str, Value], ts: float, principal: str) -> None:
        self.writes.append((thing, values, ts, principal))

    async def command(self, request: CommandRequest) -> Command:
        self.commands.append(request)
        return Command(request.command_id, request.thing, request.path, True, request.principal, 1.0, 9.0)

    async def fail(self, command: Command, reason: str) -> None:
        self.failed.append((command.id, reason))

    def provided(self, thing: str, paths: list[str]) -> None:
        self.announced.append((thing, paths))

    async def follow(self, thing: str) -> None:
        self.followed.append(thing)


@pytest.fixture
def relayed(catalog: Catalog) -> tuple[RelayingHub, RecordingRelay]:
    relay = RecordingRelay()
    hub = RelayingHub(relay)
    hub.add_vehicle("car1", catalog)
    hub.relay_thing("car1")
    return hub, relay


async def test_a_write_is_validated_here_and_only_good_values_are_relayed(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed
    result = await hub.write("car1", {SPEED: 12, "Vehicle.Sped": 1, HORN: "loud"}, 5.0, "rest:ana")
    assert result.accepted == 1
    assert {type(e) for e in result.errors} == {UnknownPath, RejectedValue}
    assert relay.writes == [("car1", {SPEED: 12.0}, 5.0, "rest:ana")]
    assert hub.read("car1", SPEED) is None, "the replica changes only with what the keeper publishes"


async def test_ingesting_a_relayed_thing_is_refused_rather_than_lost(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, _relay = relayed
    with pytest.raises(RelayedElsewhere, match=r"await hub\.write"):
        hub.ingest("car1", {SPEED: 1.0})


async def test_a_command_goes_to_the_keeper_with_its_id_fixed_here(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed
    command = await hub.command("rest:ana", "car1", HORN, True, timeout=3)
    assert relay.commands == [CommandRequest("rest:ana", "car1", HORN, True, command.id, 3)]
    with pytest.raises(UnknownPath):
        await hub.command("rest:ana", "car1", "Vehicle.Nope", True)


async def test_a_provider_connected_here_is_announced_and_withdrawn(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed

    class Gateway:
        async def actuate(self, command: Command) -> None:
            raise RejectedValue(command.thing, command.path, command.target, "jammed", "anything")

    gateway = Gateway()
    hub.register_owner("car1", gateway, [HORN])
    hub.unregister_owner("car1", gateway)
    assert relay.announced == [("car1", [HORN]), ("car1", [])]


async def test_an_actuation_request_reaches_the_provider_and_its_refusal_goes_back(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed
    handed: list[Command] = []

    class Gateway:
        async def actuate(self, command: Command) -> None:
            handed.append(command)

    hub.register_owner("car1", Gateway(), [HORN])
    command = Command("c1", "car1", HORN, True, "rest:ana", 1.0, 9.0)
    assert await hub.deliver_actuation(command) is None
    assert handed == [command]
    hub.fail_command("c1", "provider refused: busy")
    await asyncio.sleep(0)
    assert relay.failed == [("c1", "provider refused: busy")]
    gone = Command("c2", "car1", "Vehicle.Body.Hood.IsOpen", True, "rest:ana", 1.0, 9.0)
    assert "no longer connected" in str(await hub.deliver_actuation(gone))


async def test_subscribing_follows_the_thing_and_the_replica_feeds_the_subscriber(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed
    subscription = hub.subscribe("car1", ["Vehicle.Speed"], [Field.VALUE, Field.COMMAND])
    await asyncio.sleep(0)
    assert relay.followed == ["car1"]
    hub.replace_replica("car1", {SPEED: (10.0, 1.0, "gateway")}, {}, [])
    hub.apply_changes("car1", Field.VALUE, {SPEED: 42.0, "Vehicle.Nope": 1}, 2.0, "gateway")
    assert hub.read("car1", SPEED) == (42.0, 2.0, "gateway")
    batch = await asyncio.wait_for(subscription.__anext__(), 1)
    assert [(u.path, u.value) for u in batch] == [(SPEED, 42.0)]
    subscription.close()


async def test_the_replica_knows_the_keepers_commands_while_followed(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, _relay = relayed
    pending = Command("c1", "car1", HORN, True, "rest:ana", 1.0, 9.0)
    hub.replace_replica("car1", {}, {}, [pending])
    assert hub.pending_command("car1", HORN) == pending
    done = Command("c1", "car1", HORN, True, "rest:ana", 1.0, 9.0, state=CommandState.CONFIRMED, updated_at=2.0)
    hub.apply_command(done)
    assert hub.pending_command("car1", HORN) is None
    assert hub.get_command("c1").state is CommandState.CONFIRMED
    hub.drop_replica("car1")
    with pytest.raises(Exception, match="kept by another hub"):
        hub.get_command("c1")


async def test_keeping_a_thing_makes_it_an_ordinary_hub_thing_again(
        relayed: tuple[RelayingHub, RecordingRelay]) -> None:
    hub, relay = relayed
    hub.keep_thing("car1")
    result = await hub.write("car1", {SPEED: 3.0})
    assert result.accepted == 1 and relay.writes == []
    assert hub.read("car1", SPEED) is not None and hub.kept_things() == ["car1"]
    hub.relay_thing("car1")
    assert hub.read("car1", SPEED) is None, "what is kept elsewhere is not shown stale here"
