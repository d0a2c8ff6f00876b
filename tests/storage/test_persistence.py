"""Last values, targets and pending commands survive a restart; history keeps every accepted change.

Each test runs against SQLite and against PostgreSQL through the same code.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from homebound.app.config import CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.app.runtime import Runtime
from homebound.hub import CommandState
from homebound.hub.events import Field

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


def make_config(url: str, timeout: float = 30.0) -> Config:
    return Config(storage=StorageConfig(url=url, flush_interval_s=0.05),
                  commands=CommandsConfig(timeout_s=timeout, without_provider="wait"),
                  kuksa=KuksaConfig(enabled=False),
                  vehicles=[VehicleConfig(id="car1")])


async def test_values_and_targets_survive_a_restart(database_url: str) -> None:
    runtime = Runtime(make_config(database_url))
    await runtime.start()
    runtime.hub.ingest("car1", {"Vehicle.Speed": 55.5, "Vehicle.VehicleIdentification.VIN": "5YJ3E1EA7KF000001"},
                       ts=100.0, principal="gateway")
    runtime.hub.ingest("car1", {"Vehicle.Speed": 60.0}, ts=101.0, principal="gateway")
    await runtime.hub.command("user:ana", "car1", LIMIT, 80)
    await runtime.stop()

    again = Runtime(make_config(database_url))
    await again.start()
    try:
        assert again.hub.read("car1", "Vehicle.Speed") == (60.0, 101.0, "gateway")
        assert again.hub.read("car1", "Vehicle.VehicleIdentification.VIN")[0] == "5YJ3E1EA7KF000001"  # type: ignore[index]
        assert again.hub.read_target("car1", LIMIT)[0] == 80  # type: ignore[index]
    finally:
        await again.stop()


async def test_pending_command_resumes_and_can_be_confirmed_after_restart(database_url: str) -> None:
    runtime = Runtime(make_config(database_url))
    await runtime.start()
    command = await runtime.hub.command("user:ana", "car1", LIMIT, 90, command_id="cmd-1")
    await runtime.stop()

    again = Runtime(make_config(database_url))
    await again.start()
    try:
        restored = again.hub.get_command("cmd-1")
        assert restored.state is CommandState.PENDING and restored.target == 90
        assert restored.deadline == command.deadline and restored.principal == "user:ana"
        again.hub.ingest("car1", {LIMIT: 90})
        assert restored.state is CommandState.CONFIRMED
        await again.recorder.flush()
        stored = again.store.load_command("cmd-1")
        assert stored is not None and stored.state is CommandState.CONFIRMED
    finally:
        await again.stop()


async def test_pending_command_whose_deadline_passed_while_down_times_out(database_url: str) -> None:
    runtime = Runtime(make_config(database_url, timeout=0.2))
    await runtime.start()
    await runtime.hub.command("u", "car1", LIMIT, 90, command_id="cmd-late")
    await runtime.stop()
    await asyncio.sleep(0.3)
    again = Runtime(make_config(database_url))
    await again.start()
    try:
        assert again.hub.get_command("cmd-late").state is CommandState.TIMED_OUT
        await again.recorder.flush()
        assert again.store.load_command("cmd-late").state is CommandState.TIMED_OUT  # type: ignore[union-attr]
    finally:
        await again.stop()


async def test_history_keeps_every_accepted_change_and_no_rejected_one(database_url: str) -> None:
    runtime = Runtime(make_config(database_url))
    await runtime.start()
    try:
        for second in range(50):
            runtime.hub.ingest("car1", {"Vehicle.Speed": float(second),
                                        "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 150},
                               ts=1000.0 + second, principal="sim")
        await runtime.recorder.flush()
        rows = runtime.store.history("car1", "Vehicle.Speed")
        assert [value for _, value, _ in rows] == [float(s) for s in range(50)]
        assert runtime.store.history("car1", "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current") == []
        window = runtime.store.history("car1", "Vehicle.Speed", since=1010.0, until=1012.0)
        assert [ts for ts, _, _ in window] == [1010.0, 1011.0, 1012.0]
    finally:
        await runtime.stop()


async def test_recorder_keeps_its_buffer_while_the_database_refuses_and_loses_nothing(database_url: str) -> None:
    runtime = Runtime(make_config(database_url))
    await runtime.start()
    try:
        with runtime.database.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE history RENAME TO history_away"))
        runtime.hub.ingest("car1", {"Vehicle.Speed": 1.0}, ts=1.0)
        runtime.hub.ingest("car1", {"Vehicle.Speed": 2.0}, ts=2.0)
        assert await runtime.recorder.flush() is False
        assert runtime.recorder.stats()["rows_buffered"] == 2 and runtime.recorder.failures >= 1
        runtime.hub.ingest("car1", {"Vehicle.Speed": 3.0}, ts=3.0)
        with runtime.database.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE history_away RENAME TO history"))
        assert await runtime.recorder.flush() is True
        assert [v for _, v, _ in runtime.store.history("car1", "Vehicle.Speed")] == [1.0, 2.0, 3.0]
        assert runtime.recorder.rows_lost == 0
    finally:
        await runtime.stop()


async def test_target_changes_are_in_history_too(database_url: str) -> None:
    runtime = Runtime(make_config(database_url))
    await runtime.start()
    try:
        await runtime.hub.command("u", "car1", LIMIT, 70)
        await asyncio.sleep(0.01)
        await runtime.hub.command("u", "car1", LIMIT, 75)
        await runtime.recorder.flush()
        targets = runtime.store.history("car1", LIMIT, field=Field.TARGET)
        assert [value for _, value, _ in targets] == [70, 75]
    finally:
        await runtime.stop()
