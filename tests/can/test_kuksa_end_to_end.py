"""A Kuksa CAN-provider mapping file drives the gateway end to end on python-can's virtual bus: frames in, VSS
values out, and a command back out as the frame the DBC defines, confirmed when the car reports the new state.

SocketCAN (vcan0) is not tested: this machine's kernel has no vcan module (`ip link add dev vcan0 type vcan` says
"Unknown device type"); the gateway opens it the same way through python-can (`--interface socketcan`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from cantools.database.can import Database

import can
from homebound.adapters.can.runner import AssembledGateway, CanGatewaySettings, assemble
from homebound.adapters.hub_link import InProcessLink
from homebound.hub.commands import CommandState
from homebound.hub.core import Hub
from tests.can.conftest import DATA, body_status


@dataclass
class Car:
    bus: can.BusABC
    db: Database

    def send_status(self, **values: object) -> None:
        self.bus.send(can.Message(arbitration_id=768, data=body_status(self.db, **values), is_extended_id=False))

    async def next_command(self, timeout: float = 3.0) -> dict[str, object]:
        message = await asyncio.to_thread(self.bus.recv, timeout)
        assert message is not None, "no command frame came"
        assert message.arbitration_id == 769
        return dict(self.db.decode_message(769, message.data))  # type: ignore[arg-type]


@pytest.fixture
async def running(hub: Hub, body_db: Database) -> AsyncIterator[tuple[AssembledGateway, Car]]:
    channel = f"homebound-test-{uuid.uuid4().hex[:8]}"
    settings = CanGatewaySettings(mapping=DATA / "body_kuksa.json", dbc=[DATA / "body.dbc"], interface="virtual",
                                  channel=channel, flush_interval_ms=10)
    assembled = assemble(settings, InProcessLink(hub, "car1"), hub.describe("car1").catalog)
    car = Car(can.Bus(interface="virtual", channel=channel), body_db)
    task = asyncio.create_task(assembled.run())
    try:
        yield assembled, car
    finally:
        assembled.gateway.stop()
        await task
        car.bus.shutdown()


async def wait_for(hub: Hub, path: str, expected: object, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        entry = hub.read("car1", path)
        if entry is not None and entry[0] == expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} is {hub.read('car1', path)}, never {expected!r}")


async def test_frames_on_the_bus_become_vss_values(running: tuple[AssembledGateway, Car], hub: Hub) -> None:
    _, car = running
    car.send_status(latch="LATCH_AJAR", speed=42.5, cabin=21.5, tilt_volts=3.0)
    await wait_for(hub, "Vehicle.Speed", 42.5)
    assert hub.read("car1", "Vehicle.Cabin.HVAC.AmbientAirTemperature")[0] == 21.5  # type: ignore[index]
    assert hub.read("car1", "Vehicle.Body.Trunk.Rear.IsOpen")[0] is True  # type: ignore[index]
    assert hub.read("car1", "Vehicle.Body.Mirrors.DriverSide.Tilt")[0] == 20  # floor(3.0*40 - 100)  # type: ignore[index]
    assert hub.read("car1", "Vehicle.Speed")[2] == "gateway:can"  # type: ignore[index]


async def test_a_command_goes_out_as_the_dbc_frame_and_is_confirmed_by_the_car(
        running: tuple[AssembledGateway, Car], hub: Hub) -> None:
    assembled, car = running
    car.send_status(latch="LATCH_CLOSED")
    await wait_for(hub, "Vehicle.Body.Trunk.Rear.IsOpen", False)
    command = await hub.command("owner", "car1", "Vehicle.Body.Trunk.Rear.IsOpen", True)
    assert command.state is CommandState.PENDING
    sent = await car.next_command()
    assert str(sent["TrunkRequest"]) == "OPEN"
    car.send_status(latch="LATCH_OPENED")
    await wait_for(hub, "Vehicle.Body.Trunk.Rear.IsOpen", True)
    assert command.state is CommandState.CONFIRMED
    assert assembled.gateway.actuator is not None and assembled.gateway.actuator.sent == 1


async def test_a_math_transform_runs_backwards_for_commands(running: tuple[AssembledGateway, Car], hub: Hub) -> None:
    _, car = running
    await hub.command("owner", "car1", "Vehicle.Body.Mirrors.DriverSide.Tilt", 60)
    sent = await car.next_command()
    assert sent["MirrorTiltRequest"] == pytest.approx(4.0)  # (60 + 100) / 40 volts


async def test_a_target_the_dbc_cannot_carry_fails_the_command_with_the_reason(
        running: tuple[AssembledGateway, Car], hub: Hub) -> None:
    # -100 % tilt is 0 V, fine; the DBC allows 0..5 V, and 100 % is exactly 5 V; nothing maps beyond.
    assembled, _ = running
    actuator = assembled.gateway.actuator
    assert actuator is not None
    frame = actuator.frame_for("Vehicle.Body.Mirrors.DriverSide.Tilt", 100)
    assert frame.arbitration_id == 769
    with pytest.raises(Exception, match="cannot be encoded into BODY_COMMAND"):
        actuator.frame_for("Vehicle.Body.Mirrors.DriverSide.Tilt", 120)
