"""A car's story on a real database (SQLite and PostgreSQL): the hub, the car logger, and recorded streams.

A stream is what a car's gateway sends: batches of `{path: value}` at data times. `T0` is 07:00 on Wednesday
25 November 2026 in Europe/Berlin (06:00 UTC); stream times are seconds after it. The helpers below build the
streams the tests replay; each test states the figures expected from them, worked out by hand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from homebound.history.carlog import CarLog
from homebound.history.config import HistoryConfig, TariffConfig, TimeOfDayPrice
from homebound.hub import Hub
from homebound.model.catalog import Catalog
from homebound.model.geometry import Zone, destination
from homebound.model.vss_loader import builtin_catalog
from homebound.storage.database import Database

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
T0 = dt.datetime(2026, 11, 25, 7, 0, tzinfo=BERLIN).timestamp()
HOME = Zone("home", 48.1372, 11.5756, 150.0, "Home")
WORK_LAT, WORK_LON = destination(HOME.latitude, HOME.longitude, 90.0, 6000.0)
WORK = Zone("work", WORK_LAT, WORK_LON, 200.0, "Work")

GEAR = "Vehicle.Powertrain.Transmission.SelectedGear"
PARK_LOCK = "Vehicle.Powertrain.Transmission.IsParkLockEngaged"
SPEED = "Vehicle.Speed"
ODOMETER = "Vehicle.TraveledDistance"
LAT, LON = "Vehicle.CurrentLocation.Latitude", "Vehicle.CurrentLocation.Longitude"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
POWER = "Vehicle.Powertrain.TractionBattery.CurrentPower"
CHARGED = "Vehicle.Powertrain.TractionBattery.AccumulatedChargedEnergy"
CONSUMED = "Vehicle.Powertrain.TractionBattery.AccumulatedConsumedEnergy"
TEMPERATURE = "Vehicle.Exterior.AirTemperature"
IS_CHARGING = "Vehicle.Powertrain.TractionBattery.Charging.IsCharging"
PLUGGED = "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.IsChargingCableConnected"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
AC_CURRENT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeCurrent.Phase1"
DC_CURRENT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeCurrent.DC"
RANGE = "Vehicle.Powertrain.Range"
P, D = 126, 127  # SelectedGear: park, drive

Batch = tuple[float, dict[str, object]]


def history_config(**changes: object) -> HistoryConfig:
    """Home: 0.30 EUR/kWh, 0.20 from 22:00 to 06:00; work: 0.40; anywhere else: 0.59."""
    base = HistoryConfig(
        timezone="Europe/Berlin",
        tariffs=[TariffConfig(zone="home", price_per_kwh=0.30, currency="EUR",
                              time_of_day=[TimeOfDayPrice(start=dt.time(22), end=dt.time(6), price_per_kwh=0.20)]),
                 TariffConfig(zone="work", price_per_kwh=0.40, currency="EUR"),
                 TariffConfig(zone="*", price_per_kwh=0.59, currency="EUR")])
    return base.model_copy(update=changes)


def at(distance_m: float, bearing: float = 90.0) -> dict[str, object]:
    lat, lon = destination(HOME.latitude, HOME.longitude, bearing, distance_m)
    return {LAT: lat, LON: lon}


def parked_at_home(t: float, soc: float = 74.0, odometer: int = 12_800_000) -> Batch:
    return t, {GEAR: P, SPEED: 0.0, ODOMETER: odometer, SOC: soc, TEMPERATURE: 4.0, **at(0)}


def commute(start: float = 0.0, odometer: int = 12_800_000, soc: float = 74.0) -> list[Batch]:
    """Home to work, 6 km east at a steady 36 km/h, as a 1 Hz gateway sends it.

    start+0: parked at home (P), odometer 12,800 km, 74.0 %, 4 °C.  start+60: gear D.
    start+61 .. start+660: 10 m/s, the odometer +10 m a second, battery power -9 kW, the state of charge down
    0.005 points a second (to 71.0), the outside temperature 6 °C from start+365.
    start+661: speed 0, power 0.  start+670: P.
    """
    batches: list[Batch] = [parked_at_home(start, soc, odometer), (start + 60, {GEAR: D})]
    for second in range(1, 601):
        values: dict[str, object] = {SPEED: 36.0, ODOMETER: odometer + 10 * second, POWER: -9000.0,
                                     SOC: round(soc - 0.005 * second, 3), **at(10.0 * second)}
        if second == 305:
            values[TEMPERATURE] = 6.0
        batches.append((start + 60 + second, values))
    batches.append((start + 661, {SPEED: 0.0, POWER: 0.0}))
    batches.append((start + 670, {GEAR: P}))
    return batches


def ac_charge(start: float, minutes: int, soc: float, counter: float = 1000.0, limit: int = 80,
              power_w: float = 12_000.0) -> list[Batch]:
    """Plugged in at start, charging from start+10 at 12 kW AC: the charged-energy counter +0.2 kWh and the
    state of charge +1/3 point a minute (a 60 kWh battery), reported each minute."""
    batches: list[Batch] = [(start, {PLUGGED: True, LIMIT: limit, IS_CHARGING: False, CHARGED: counter, SOC: soc}),
                            (start + 10, {IS_CHARGING: True, POWER: power_w, AC_CURRENT: 17.4})]
    for minute in range(1, minutes + 1):
        batches.append((start + 10 + 60 * minute, {CHARGED: round(counter + 0.2 * minute, 4),
                                                   SOC: round(soc + minute / 3, 3), POWER: power_w}))
    return batches


@dataclass
class Story:
    """A hub with car1 and its car logger on a database; `send` replays batches at T0 + t."""

    url: str
    config: HistoryConfig
    catalog: Catalog = field(default_factory=builtin_catalog)
    hub: Hub = field(init=False)
    carlog: CarLog = field(init=False)
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    stopped: bool = False

    def __post_init__(self) -> None:
        self.database = Database(self.url)
        self.database.migrate()
        self.hub = Hub()
        self.hub.add_vehicle("car1", self.catalog, vin="5YJ3E1EA7KF000001")
        self.carlog = CarLog(self.hub, self.database, self.config, self.catalog,
                             {"car1": "5YJ3E1EA7KF000001"}, [HOME, WORK])
        self.carlog.add_listener(lambda _vehicle, name, data: self.events.append((name, data)))

    async def start(self) -> Story:
        await self.carlog.start()
        return self

    def send(self, batches: list[Batch]) -> None:
        for t, values in batches:
            result = self.hub.ingest("car1", values, ts=T0 + t, principal="gateway")
            assert result.ok, result.errors

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def event(self, name: str) -> dict[str, object]:
        return next(data for event, data in self.events if event == name)

    async def drives(self) -> list[dict[str, object]]:
        from homebound.history.session_queries import Page, Window

        page = await self.carlog.queries.drives("car1", Window(), Page(1000))
        items = page["items"]
        assert isinstance(items, list)
        return list(reversed(items))

    async def charges(self) -> list[dict[str, object]]:
        from homebound.history.session_queries import Page, Window

        page = await self.carlog.queries.charges("car1", Window(), Page(1000))
        items = page["items"]
        assert isinstance(items, list)
        return list(reversed(items))

    async def parked(self) -> list[dict[str, object]]:
        from homebound.history.session_queries import Page, Window

        page = await self.carlog.queries.parked("car1", Window(), Page(1000))
        items = page["items"]
        assert isinstance(items, list)
        return list(reversed(items))

    async def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            await self.carlog.stop()
            self.database.dispose()

    async def restarted(self) -> Story:
        """Stop this hub (open sessions saved) and start a new one on the same database."""
        await self.stop()
        again = Story(self.url, self.config, self.catalog)
        again.events = self.events
        return await again.start()

    async def crashed(self) -> Story:
        """This hub dies without saving anything more (what it wrote so far stays); a new one starts, and, as
        `Runtime.start` does from the recorder's latest values, restores the hub's last values first."""
        for task in asyncio.all_tasks():
            if task.get_name() in ("car-log-tick", "history-retention", "session-writer"):
                task.cancel()
        await asyncio.sleep(0)
        self.stopped = True
        self.database.dispose()
        again = Story(self.url, self.config, self.catalog)
        again.events = self.events
        last = {path: entry for path in self.catalog.signals
                if (entry := self.hub.read("car1", path)) is not None}
        again.hub.restore("car1", last, {})
        return await again.start()


@pytest.fixture
async def story(database_url: str) -> AsyncIterator[Story]:
    built = await Story(database_url, history_config()).start()
    yield built
    await built.stop()
