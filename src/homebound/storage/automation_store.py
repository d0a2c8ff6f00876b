"""Key-value state of the automation engine (timers, resumable delays, trackers), written in order, off-loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from homebound.storage.database import Database
from homebound.storage.schema import automation_state

log = logging.getLogger(__name__)


class AutomationStore:
    """`put` and `delete` return at once; a background task applies them in order in a worker thread."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert
        self._queue: asyncio.Queue[tuple[str, object | None]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def load(self) -> dict[str, object]:
        with self.database.engine.connect() as connection:
            rows = connection.execute(sa.select(automation_state.c.key, automation_state.c.value_json))
            return {row.key: orjson.loads(row.value_json) for row in rows}

    def start(self) -> None:
        self._task = asyncio.create_task(self._write_loop(), name="automation-store")

    def put(self, key: str, value: object) -> None:
        self._queue.put_nowait((key, value))

    def delete(self, key: str) -> None:
        self._queue.put_nowait((key, None))

    async def flush(self) -> None:
        await self._queue.join()

    async def stop(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _write_loop(self) -> None:
        while True:
            key, value = await self._queue.get()
            try:
                await self.database.run(self._write, key, value)
            except Exception as error:
                log.error("automation state %s not saved: %s", key, error)
            finally:
                self._queue.task_done()

    def _write(self, key: str, value: object | None) -> None:
        with self.database.engine.begin() as connection:
            if value is None:
                connection.execute(sa.delete(automation_state).where(automation_state.c.key == key))
                return
            statement = self._insert(automation_state).values(key=key, value_json=orjson.dumps(value).decode(),
                                                                updated_at=time.time())
            connection.execute(statement.on_conflict_do_update(
                index_elements=["key"], set_={"value_json": statement.excluded.value_json,
                                              "updated_at": statement.excluded.updated_at}))
