"""What telling the car's story costs: session detection per ingested datapoint, the deadband on the recorder's
path, and the size on disk of one car-day at 1 Hz (SQLite and PostgreSQL).

- Detection: `Hub.ingest` of a car's 1 Hz batches (a drive: speed, odometer, position, power, state of charge,
  temperature and a few signals nobody watches) with the session tracker listening, against the same hub and
  batches without it, in the same run.
- Deadband: `Hub.ingest` with the filter listening (what the recorder adds inline on top of its append), against
  without it.
- Size: a simulated day (`examples/scenarios/a_day.yaml`, a batch every simulated second for 24 hours, a car that
  never sleeps) recorded with the deadband, against the same stream recorded without it; plus the projected size
  of a year under the default retention (30 days raw, then one value per signal per minute), from the measured
  size of a raw day and of a downsampled one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
import uuid
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import psycopg
import sqlalchemy as sa

from benchmarks.common import Figure, figure
from homebound.history.config import HistoryConfig, RecordingConfig
from homebound.history.deadband import DeadbandFilter
from homebound.history.places import Places
from homebound.history.recorder import HistoryRecorder
from homebound.history.retention import Retention
from homebound.history.rules import LogRules
from homebound.history.store import SessionStore
from homebound.history.tariffs import TariffBook
from homebound.history.tracker import SessionTracker
from homebound.history.writer import SessionWriter
from homebound.hub import ChangeBatch, Hub
from homebound.model.geometry import destination
from homebound.model.vss_loader import builtin_catalog
from homebound.simulators.vehicle.runner import ScenarioRunner
from homebound.simulators.vehicle.scenario import load_scenario
from homebound.storage.database import Database
from homebound.storage.state_store import StateStore

POSTGRES_URL = os.environ.get("HOMEBOUND_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / "a_day.yaml"
DAY_S = 86_400
T0 = 1_790_000_000.0


class DrivingGateway:
    """A car's gateway at 1 Hz while driving: each call, the next second's batch (times always advance)."""

    def __init__(self) -> None:
        self.second = 0
        self.track = [destination(48.0, 11.0, 90.0, 12.5 * step) for step in range(3600)]

    def next_batch(self) -> tuple[float, dict[str, object]]:
        self.second += 1
        second = self.second
        lat, lon = self.track[second % 3600]
        return T0 + second, {
            "Vehicle.Speed": 45.0 + second % 7, "Vehicle.TraveledDistance": 10_000_000 + 12 * second,
            "Vehicle.CurrentLocation.Latitude": lat, "Vehicle.CurrentLocation.Longitude": lon,
            "Vehicle.CurrentLocation.Heading": 90.0, "Vehicle.CurrentLocation.HorizontalAccuracy": 5.0,
            "Vehicle.Powertrain.TractionBattery.CurrentPower": -9000.0 - second % 500,
            "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 80.0 - second / 3600,
            "Vehicle.Powertrain.Transmission.SelectedGear": 127, "Vehicle.Exterior.AirTemperature": 8.0,
            "Vehicle.Acceleration.Longitudinal": 0.1, "Vehicle.Cabin.HVAC.AmbientAirTemperature": 21.0}


def _tracker() -> SessionTracker:
    database = Database("sqlite://")
    tracker = SessionTracker(LogRules(), Places(), TariffBook([], zoneinfo.ZoneInfo("UTC")),
                             SessionWriter(SessionStore(database)))
    tracker.track("car1")
    return tracker


def _cpu_rate(operation: Callable[[], None], items_per_call: int, calls: int = 20_000) -> float:
    """Items per CPU second of this process (not wall time: the machine is shared, and other processes' time
    would count against us)."""
    for _ in range(200):
        operation()
    start = time.process_time()
    for _ in range(calls):
        operation()
    return calls * items_per_call / (time.process_time() - start)


def _paired(baseline: Callable[[], None], measured: Callable[[], None], size: int) -> tuple[float, float]:
    """Best of five alternating rounds of each: the best round is the least disturbed."""
    best_baseline = best_measured = 0.0
    for _ in range(5):
        best_baseline = max(best_baseline, _cpu_rate(baseline, size))
        best_measured = max(best_measured, _cpu_rate(measured, size))
    return best_measured, best_baseline


def _hub(*listeners: Callable[[ChangeBatch], object]) -> Callable[[], None]:
    """An ingest of the next second's driving batch into a hub with these listeners."""
    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    for listener in listeners:
        hub.add_listener(listener)  # type: ignore[arg-type]
    gateway = DrivingGateway()

    def ingest() -> None:
        ts, values = gateway.next_batch()
        hub.ingest("car1", values, ts, "bench")

    return ingest


def detection_figures() -> list[Figure]:
    size = len(DrivingGateway().next_batch()[1])
    tracker = _tracker()
    measured, baseline = _paired(_hub(), _hub(tracker.on_batch), size)
    assert tracker.logs["car1"].drive is not None and tracker.errors == 0
    figures = [figure(f"hub.ingest with session detection (1 Hz driving batches of {size})", measured,
                      "datapoints/s", baseline,
                      note=f"baseline: the same hub and batches without it; {(1 / measured - 1 / baseline) * 1e9:.0f} "
                           "ns more per datapoint")]
    band = DeadbandFilter(RecordingConfig(), builtin_catalog())
    measured, baseline = _paired(_hub(), _hub(band.admit), size)
    figures.append(figure("hub.ingest with the recorder's deadband filter", measured, "datapoints/s", baseline,
                          note=f"baseline: without it; {(1 / measured - 1 / baseline) * 1e9:.0f} ns more per "
                               f"datapoint ({band.held_back:,} values held back)"))
    return figures


# ---- size on disk ------------------------------------------------------------------------------------------------

def _day_of_batches() -> list[tuple[float, dict[str, object]]]:
    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    runner = ScenarioRunner(hub, load_scenario(SCENARIO), speed=1)
    batches: list[tuple[float, dict[str, object]]] = []
    hub.add_listener(lambda batch: batches.append((batch.ts, dict(batch.changes))))
    runner.attach()
    for _ in range(DAY_S):
        runner.advance(1.0)
    return batches


async def _record(url: str, batches: list[tuple[float, dict[str, object]]], deadband: bool) -> Database:
    database = Database(url)
    database.migrate()
    catalog = builtin_catalog()
    recording = RecordingConfig(deadband=deadband)
    recorder = HistoryRecorder(StateStore(database), flush_interval=0.05,
                               history_filter=DeadbandFilter(recording, catalog))
    hub = Hub()
    hub.add_vehicle("car1", catalog)
    hub.add_listener(recorder.on_batch)
    recorder.start()
    for index, (ts, values) in enumerate(batches):
        hub.ingest("car1", values, ts, "gateway")
        if index % 500 == 0:
            await asyncio.sleep(0)
    await recorder.stop()
    return database


def _history_bytes(database: Database) -> int:
    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            return int(connection.execute(sa.text("SELECT pg_total_relation_size('history')")).scalar_one())
        # the table and its index, as SQLite's dbstat would count them: pages in use by the database, minus the
        # pages of an empty database (the schema)
        connection.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        pages = int(connection.execute(sa.text("PRAGMA page_count")).scalar_one())
        free = int(connection.execute(sa.text("PRAGMA freelist_count")).scalar_one())
        size = int(connection.execute(sa.text("PRAGMA page_size")).scalar_one())
        return (pages - free) * size


def _rows(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM history")).scalar_one())


def _vacuum(database: Database) -> None:
    if database.dialect == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM FULL history"))
    else:
        with database.engine.connect() as connection:
            connection.execute(sa.text("VACUUM"))


def _size_figures(kind: str, url_for: dict[str, str], batches: list[tuple[float, dict[str, object]]]
                  ) -> list[Figure]:
    raw = asyncio.run(_record(url_for["raw"], batches, deadband=False))
    raw_bytes, raw_rows = _history_bytes(raw), _rows(raw)
    raw.dispose()
    kept = asyncio.run(_record(url_for["deadband"], batches, deadband=True))
    kept_bytes, kept_rows = _history_bytes(kept), _rows(kept)
    # The same day once it has aged past raw_days: one value per signal per minute.
    now = batches[-1][0] + 31 * DAY_S
    Retention(kept, HistoryConfig().recording).run(now=now)
    _vacuum(kept)
    old_bytes, old_rows = _history_bytes(kept), _rows(kept)
    kept.dispose()
    recording = HistoryConfig().recording
    year = (recording.raw_days * kept_bytes + (365 - recording.raw_days) * old_bytes) / 1e6
    return [
        figure(f"{kind}: raw history of one car-day at 1 Hz, with the deadband", kept_bytes / 1e6, "MB",
               raw_bytes / 1e6, note=f"baseline: every value recorded; {kept_rows:,} rows against {raw_rows:,} "
                                     f"of {len(batches):,} batches"),
        figure(f"{kind}: the same day after retention (one value per signal per minute)", old_bytes / 1e6, "MB",
               kept_bytes / 1e6, note=f"baseline: the day as recorded; {old_rows:,} rows"),
        figure(f"{kind}: projected raw history of one car-year (30 days raw, 335 downsampled)", year, "MB",
               365 * raw_bytes / 1e6, note="baseline: a year with every value kept; projected from the measured "
                                           "days, not a year's run"),
    ]


def size_figures() -> list[Figure]:
    started = time.perf_counter()
    batches = _day_of_batches()
    print(f"# simulated a car-day: {len(batches):,} batches in {time.perf_counter() - started:.0f} s", flush=True)
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        figures += _size_figures("SQLite", {"raw": f"sqlite:///{folder}/raw.db",
                                            "deadband": f"sqlite:///{folder}/deadband.db"}, batches)
    names = {kind: f"homebound_bench_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("raw", "deadband")}
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"# PostgreSQL figures skipped: not reachable at {POSTGRES_URL}: {str(error).strip()}")
        return figures
    base = POSTGRES_URL.rsplit("/", 1)[0]
    with admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        figures += _size_figures("PostgreSQL", {kind: f"{base}/{name}" for kind, name in names.items()}, batches)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            for name in names.values():
                with contextlib.suppress(psycopg.Error):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return figures


def session_figures() -> list[Figure]:
    return detection_figures() + size_figures()
