"""Sustained rows per second the history recorder writes into SQLite and PostgreSQL.

Baseline: the same rows inserted with the database driver's own executemany, no SQLAlchemy, no JSON encoding.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from benchmarks.common import Figure, figure, sensor_batches
from homebound.history.recorder import HistoryRecorder
from homebound.hub.events import ChangeBatch, Field
from homebound.model.vss_loader import builtin_catalog
from homebound.storage.database import Database
from homebound.storage.state_store import StateStore

POSTGRES_URL = os.environ.get("HOMEBOUND_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
ROWS = 200_000


def _batches() -> list[ChangeBatch]:
    values = list(sensor_batches(builtin_catalog(), 100).items())
    return [ChangeBatch("car1", Field.VALUE, 1000.0 + i, "bench", values) for i in range(ROWS // 100)]


async def _recorder_rate(url: str) -> float:
    database = Database(url)
    database.migrate()
    recorder = HistoryRecorder(StateStore(database), flush_interval=0.05)
    batches = _batches()
    start = time.perf_counter()
    recorder.start()
    for index, batch in enumerate(batches):
        recorder.on_batch(batch)
        if index % 50 == 0:
            await asyncio.sleep(0)
    await recorder.stop()
    elapsed = time.perf_counter() - start
    database.dispose()
    return recorder.rows_written / elapsed


def _rows() -> list[tuple[str, str, str, str, float, str]]:
    values = list(sensor_batches(builtin_catalog(), 100).items())
    return [("car1", path, "value", repr(value), 1000.0 + i, "bench") for i in range(ROWS // 100)
            for path, value in values]


CREATE = ("CREATE TABLE raw_history (id {key}, thing TEXT, path TEXT, field TEXT, value_json TEXT, "
          "ts DOUBLE PRECISION, principal TEXT)")
INDEX = "CREATE INDEX ix_raw ON raw_history (thing, path, ts)"


def _sqlite_baseline(folder: Path) -> float:
    connection = sqlite3.connect(folder / "raw.db")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(CREATE.format(key="INTEGER PRIMARY KEY"))
    connection.execute(INDEX)
    rows = _rows()
    start = time.perf_counter()
    for offset in range(0, len(rows), 20_000):
        with connection:
            connection.executemany("INSERT INTO raw_history (thing, path, field, value_json, ts, principal) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", rows[offset:offset + 20_000])
    elapsed = time.perf_counter() - start
    connection.close()
    return len(rows) / elapsed


def _postgres_baseline(url: str) -> float:
    rows = _rows()
    with psycopg.connect(url) as connection:
        connection.execute(CREATE.format(key="BIGSERIAL PRIMARY KEY"))
        connection.execute(INDEX)
        connection.commit()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for offset in range(0, len(rows), 20_000):
                cursor.executemany("INSERT INTO raw_history (thing, path, field, value_json, ts, principal) "
                                   "VALUES (%s, %s, %s, %s, %s, %s)", rows[offset:offset + 20_000])
                connection.commit()
        return len(rows) / (time.perf_counter() - start)


def recorder_figures() -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        baseline = _sqlite_baseline(Path(folder))
        measured = asyncio.run(_recorder_rate(f"sqlite:///{folder}/bench.db"))
        figures.append(figure("history recorder into SQLite", measured, "rows/s", baseline,
                              note="baseline: sqlite3 executemany of the same rows"))
    name = f"homebound_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"# PostgreSQL figure skipped: not reachable at {POSTGRES_URL}: {str(error).strip()}")
        return figures
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    try:
        baseline = _postgres_baseline(url)
        measured = asyncio.run(_recorder_rate(url))
        figures.append(figure("history recorder into PostgreSQL", measured, "rows/s", baseline,
                              note="baseline: psycopg executemany of the same rows"))
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return figures
