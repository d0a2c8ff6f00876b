"""An in-process household for automation tests: the hub, car1, the simulated devices on the local bus, the
device bridge, the session tracker that tells car1's drives and charges (the source of car events), and a test
stand-in for the car that carries out its commands after a short delay."""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.automations.engine import AutomationEngine
from homebound.automations.loader import load_text
from homebound.history.places import Places
from homebound.history.rules import LogRules
from homebound.history.tariffs import TariffBook
from homebound.history.tracker import SessionTracker
from homebound.hub import Command, Hub, ThingKind
from homebound.messaging import LocalBus
from homebound.model.geometry import Zone, destination
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.storage.automation_store import AutomationStore
from homebound.storage.database import Database

HOME = Zone("home", 48.1372, 11.5756, 150.0, "Home")
LAT, LON = "Vehicle.CurrentLocation.Latitude", "Vehicle.CurrentLocation.Longitude"
ACC = "Vehicle.CurrentLocation.HorizontalAccuracy"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"


class ObedientCar:
    """Test stand-in for the car's gateway: every command is carried out after `delay` seconds."""

    def __init__(self, hub: Hub, delay: float = 0.01) -> None:
        self.hub, self.delay = hub, delay
        self.received: list[tuple[str, object]] = []

    async def actuate(self, command: Command) -> None:
        self.received.append((command.path, command.target))
        asyncio.get_running_loop().call_later(self.delay, self.hub.ingest, "car1", {command.path: command.target})


@dataclass
class House:
    hub: Hub
    engine: AutomationEngine
    bus: LocalBus
    simulator: HouseholdSimulator
    car: ObedientCar
    database: Database | None
    sessions: SessionTracker

    def at(self, distance_m: float, bearing: float = 90.0, ts: float = 0.0, accuracy: float = 10.0,
           speed: float | None = None) -> None:
        """Put car1 `distance_m` from home's centre, on `bearing`, at data time `ts`."""
        lat, lon = destination(HOME.latitude, HOME.longitude, bearing, distance_m)
        values: dict[str, object] = {LAT: lat, LON: lon, ACC: accuracy}
        if speed is not None:
            values["Vehicle.Speed"] = speed
        self.hub.ingest("car1", values, ts=ts)

    def value(self, thing: str, path: str) -> object:
        reading = self.hub.read(thing, path)
        return None if reading is None else reading.value

    def results(self, automation: str) -> list[str]:
        return [t.result for t in self.engine.traces.of(automation)]

    async def settle(self, seconds: float = 0.05) -> None:
        await asyncio.sleep(seconds)

    async def until(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    def load(self, text: str) -> list[str]:
        loaded = load_text(text, "test.yaml")
        assert not loaded.errors, loaded.errors
        return self.engine.load(loaded.automations)


async def build_house(database: Database | None = None, debounce_s: float = 30.0,
                      clock: Callable[[], dt.datetime] = dt.datetime.now) -> House:
    hub = Hub(default_command_timeout=5)
    hub.add_vehicle("car1", builtin_catalog())
    car = ObedientCar(hub)
    hub.register_owner("car1", car)
    bus = LocalBus()
    HomeAssistantDevices(hub, bus).start()
    simulator = HouseholdSimulator(bus, speed=1.0)
    simulator.start()
    store = None
    if database is not None:
        store = AutomationStore(database)
        store.start()
    engine = AutomationEngine(hub, [HOME], store, debounce_s=debounce_s)
    engine.clock.follow(clock)
    sessions = SessionTracker(LogRules(end_after_stationary_s=60), Places([HOME]),
                              TariffBook([], zoneinfo.ZoneInfo("UTC")))
    sessions.track("car1")
    hub.add_listener(sessions.on_batch)
    sessions.add_listener(engine.car_event)
    await engine.start()
    house = House(hub, engine, bus, simulator, car, database, sessions)
    await house.until(lambda: len(hub.thing_ids(ThingKind.DEVICE)) == 11)
    await house.settle()
    return house


@pytest.fixture
async def house() -> AsyncIterator[House]:
    built = await build_house()
    yield built
    await built.engine.stop()


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'automations.db'}")
    db.migrate()
    return db
