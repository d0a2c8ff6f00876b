"""The OBD-II gateway against ELM327-emulator (PyPI), which speaks the adapter's protocol on a pseudo-terminal.

The emulator runs in its own process in batch mode and names its pty; the gateway opens a fixed path (a symlink
to that pty), as a user's /dev/rfcomm0 or /dev/ttyUSB0 stays the same. Killing the emulator is the adapter going
away; starting a new one behind the same path is the adapter coming back.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from homebound.adapters.hub_link import InProcessLink
from homebound.adapters.obd.gateway import ObdGateway
from homebound.adapters.obd.readings import COOLANT, RPM, SPEED
from homebound.hub.core import Hub
from homebound.model.catalog import Catalog


class Emulator:
    """ELM327-emulator's `car` scenario behind a stable path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.link = folder / "obd-adapter"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        batch = self.folder / f"batch-{time.monotonic_ns()}.txt"
        self.process = subprocess.Popen([sys.executable, "-m", "elm", "-s", "car", "-b", str(batch)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, cwd=self.folder)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if batch.is_file() and batch.read_text().strip():
                pty = batch.read_text().splitlines()[0].strip()
                if pty.startswith("/dev/"):
                    if self.link.is_symlink():
                        self.link.unlink()
                    os.symlink(pty, self.link)
                    return
            time.sleep(0.05)
        raise AssertionError("ELM327-emulator did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


async def until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_reads_speed_rpm_and_coolant_temperature(emulator: Emulator, catalog: Catalog) -> None:
    hub = Hub()
    hub.add_vehicle("car1", catalog)

    async def scenario() -> None:
        gateway = ObdGateway(str(emulator.link), InProcessLink(hub, "car1"), interval=0.1, vehicle="car1")
        task = asyncio.create_task(gateway.run())
        await until(lambda: all(hub.read("car1", p) is not None for p in (SPEED, RPM, COOLANT)), 30)
        assert "connected to" in gateway.status and "speed" in gateway.status
        gateway.stop()
        await task

    asyncio.run(scenario())
    assert 0 <= hub.read("car1", SPEED)[0] <= 300  # type: ignore[index]
    assert -40 <= hub.read("car1", COOLANT)[0] <= 215  # type: ignore[index]


def test_survives_the_adapter_going_away_and_reconnects(emulator: Emulator, catalog: Catalog) -> None:
    hub = Hub()
    hub.add_vehicle("car1", catalog)

    async def scenario() -> None:
        gateway = ObdGateway(str(emulator.link), InProcessLink(hub, "car1"), interval=0.1, timeout=0.5,
                             backoff_s=(0.2, 1.0), vehicle="car1")
        task = asyncio.create_task(gateway.run())
        await until(lambda: gateway.stats.connects == 1 and gateway.stats.rounds > 0, 30)
        emulator.stop()
        await until(lambda: gateway.stats.lost == 1, 30)
        assert "lost the adapter" in gateway.status or "retrying" in gateway.status
        emulator.start()
        await until(lambda: gateway.stats.connects == 2, 60)
        rounds = gateway.stats.rounds
        await until(lambda: gateway.stats.rounds > rounds, 30)
        gateway.stop()
        await task
        assert not task.cancelled()

    asyncio.run(scenario())
