"""The command lifecycle: pending until the car confirms, failed, or timed out; idempotent by id."""

from __future__ import annotations

import asyncio

import pytest

from homebound.hub import Command, CommandState, Hub
from homebound.hub.errors import CommandConflict, CommandRejected, RejectedValue
from homebound.model.errors import HomeboundError, UnknownPath

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
TEMP = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"


class RecordingProvider:
    """A provider that accepts commands and remembers them; the test plays the car's confirmation."""

    def __init__(self, refuse: str | None = None) -> None:
        self.received: list[Command] = []
        self.refuse = refuse

    async def actuate(self, command: Command) -> None:
        if self.refuse:
            raise HomeboundError(self.refuse)
        self.received.append(command)


async def test_command_is_pending_until_the_current_value_reaches_the_target(hub: Hub) -> None:
    provider = RecordingProvider()
    hub.register_owner("car1", provider)
    command = await hub.command("user:ana", "car1", LIMIT, 80)
    assert command.state is CommandState.PENDING
    assert provider.received == [command]
    assert hub.read_target("car1", LIMIT)[:1] == (80,)  # type: ignore[index]
    assert command.principal == "user:ana"
    hub.ingest("car1", {LIMIT: 70})
    assert command.state is CommandState.PENDING
    hub.ingest("car1", {LIMIT: 80})
    assert command.state is CommandState.CONFIRMED
    assert hub.pending_commands() == []


async def test_float_targets_confirm_within_tolerance(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    command = await hub.command("u", "car1", TEMP, 21.5)
    hub.ingest("car1", {TEMP: 21.500000001})
    assert command.state is CommandState.CONFIRMED


async def test_command_times_out_when_the_car_never_confirms(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    command = await hub.command("u", "car1", LIMIT, 90, timeout=0.05)
    await asyncio.sleep(0.15)
    assert command.state is CommandState.TIMED_OUT
    assert "did not reach the target" in (command.reason or "")


async def test_provider_refusal_fails_the_command_with_its_reason(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider(refuse="charge port is closed"))
    command = await hub.command("u", "car1", LIMIT, 90)
    assert command.state is CommandState.FAILED and command.reason == "charge port is closed"


async def test_same_id_returns_the_same_command_and_a_different_request_conflicts(hub: Hub) -> None:
    provider = RecordingProvider()
    hub.register_owner("car1", provider)
    first = await hub.command("u", "car1", LIMIT, 80, command_id="abc")
    again = await hub.command("u", "car1", LIMIT, 80, command_id="abc")
    assert again is first and len(provider.received) == 1
    with pytest.raises(CommandConflict, match="abc"):
        await hub.command("u", "car1", LIMIT, 60, command_id="abc")


async def test_a_new_command_supersedes_the_pending_one(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    first = await hub.command("u", "car1", LIMIT, 80)
    second = await hub.command("u", "car1", LIMIT, 90)
    assert first.state is CommandState.FAILED and second.id in (first.reason or "")
    assert second.state is CommandState.PENDING


async def test_no_provider_fails_at_once_by_default(hub: Hub) -> None:
    with pytest.raises(CommandRejected, match="no provider") as caught:
        await hub.command("u", "car1", LIMIT, 80)
    assert caught.value.code == "unavailable"
    assert hub.read_target("car1", LIMIT) is None


async def test_wait_policy_keeps_the_command_pending_without_provider(hub: Hub) -> None:
    hub.set_command_policy("car1", "wait")
    command = await hub.command("u", "car1", LIMIT, 80)
    assert command.state is CommandState.PENDING


async def test_commands_on_sensors_bad_targets_and_unknown_paths_are_refused(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    with pytest.raises(CommandRejected, match="is a sensor; only actuators take commands"):
        await hub.command("u", "car1", "Vehicle.Speed", 10)
    with pytest.raises(RejectedValue, match=r"car1: .*ChargeLimit: value 101 is outside the allowed range \[0..100\]"):
        await hub.command("u", "car1", LIMIT, 101)
    with pytest.raises(UnknownPath, match="did you mean"):
        await hub.command("u", "car1", "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimt", 80)


async def test_already_at_target_confirms_immediately(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    hub.ingest("car1", {LIMIT: 80})
    command = await hub.command("u", "car1", LIMIT, 80)
    assert command.state is CommandState.CONFIRMED


async def test_unlocking_while_moving_is_refused_and_allowed_when_parked(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    lock = "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"
    hub.ingest("car1", {"Vehicle.Speed": 48.0, lock: True})
    unsafe = (r"\(no_unlock_while_moving\): cannot unlock Vehicle\.Cabin\.Door\.Row1\.DriverSide "
              r"while the vehicle moves at 48\.0 km/h")
    with pytest.raises(CommandRejected, match=unsafe):
        await hub.command("u", "car1", lock, False)
    with pytest.raises(CommandRejected, match=r"cannot open Vehicle\.Body\.Trunk\.Rear while"):
        await hub.command("u", "car1", "Vehicle.Body.Trunk.Rear.IsOpen", True)
    locking = await hub.command("u", "car1", "Vehicle.Body.Trunk.Rear.IsLocked", True)
    assert locking.state is CommandState.PENDING
    hub.ingest("car1", {"Vehicle.Speed": 0.0})
    assert (await hub.command("u", "car1", lock, False)).state is CommandState.PENDING


async def test_command_listeners_see_each_state(hub: Hub) -> None:
    hub.register_owner("car1", RecordingProvider())
    seen: list[str] = []
    hub.add_command_listener(lambda c: seen.append(c.state.value))
    await hub.command("u", "car1", LIMIT, 80)
    hub.ingest("car1", {LIMIT: 80})
    assert seen == ["pending", "confirmed"]
