"""The history recorder: takes every accepted batch from the hub and writes it to the database in the background.

Ingest only appends the batch to an in-memory buffer (O(1)); a background task writes the buffer every
`flush_interval` seconds, or sooner when it grows past `flush_rows`, in a worker thread. If the database is
unreachable the buffer is kept and retried with backoff, so a database restart loses nothing; only past
`max_buffered_rows` are the oldest batches dropped, counted and logged, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Protocol

from homebound.hub.commands import Command
from homebound.hub.events import ChangeBatch
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)


class HistoryFilter(Protocol):
    """Decides which accepted values are worth a row (see `history/deadband.py`): `admit` runs inline on ingest
    and returns the part of a batch to record; `settled` returns values it held back that must now be written
    (all of them with `force`, when the recorder stops)."""

    def admit(self, batch: ChangeBatch) -> ChangeBatch | None: ...
    def settled(self, force: bool = False) -> list[ChangeBatch]: ...


class HistoryRecorder:
    """Buffers the hub's change stream and command updates, and writes them in batches."""

    def __init__(self, store: StateStore, flush_interval: float = 0.25, flush_rows: int = 20_000,
                 max_buffered_rows: int = 5_000_000, history_filter: HistoryFilter | None = None) -> None:
        self.store = store
        self.history_filter = history_filter
        self.flush_interval = flush_interval
        self.flush_rows = flush_rows
        self.max_buffered_rows = max_buffered_rows
        self._batches: deque[ChangeBatch] = deque()
        self._buffered_rows = 0
        self._commands: dict[str, dict[str, object]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._stopping = False
        self.rows_written = 0
        self.rows_lost = 0
        self.failures = 0
        self.last_error: str | None = None

    # Called inline by the hub: keep them trivial.
    def on_batch(self, batch: ChangeBatch) -> None:
        if self.history_filter is not None:
            admitted = self.history_filter.admit(batch)
            if admitted is None:
                return
            batch = admitted
        self._batches.append(batch)
        self._buffered_rows += len(batch.changes)
        if self._buffered_rows >= self.flush_rows:
            self._wake.set()

    def on_command(self, command: Command) -> None:
        self._commands[command.id] = StateStore.command_row(command)

    @property
    def buffered_rows(self) -> int:
        return self._buffered_rows

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="history-recorder")

    async def _run(self) -> None:
        backoff = self.flush_interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            self._wake.clear()
            backoff = self.flush_interval if await self.flush() else min(backoff * 2, 10.0)

    async def flush(self) -> bool:
        """Write everything buffered so far; False (and the buffer kept) if the database refused."""
        async with self._write_lock:
            if self.history_filter is not None:
                for settled in self.history_filter.settled(force=self._stopping):
                    self._batches.append(settled)
                    self._buffered_rows += len(settled.changes)
            if not self._batches and not self._commands:
                return True
            batches = list(self._batches)
            commands = list(self._commands.values())
            self._batches.clear()
            self._commands.clear()
            rows = self._buffered_rows
            self._buffered_rows = 0
            try:
                written = await asyncio.to_thread(self.store.write, batches, commands)
            except Exception as error:
                self._requeue(batches, commands, rows)
                self.failures += 1
                message = f"history write failed, {self._buffered_rows} rows kept for retry: {error}"
                if message != self.last_error:
                    log.error(message)
                self.last_error = message
                return False
            self.rows_written += written
            if self.last_error is not None:
                log.info("history writes resumed")
                self.last_error = None
            return True

    def _requeue(self, batches: list[ChangeBatch], commands: list[dict[str, object]], rows: int) -> None:
        self._batches.extendleft(reversed(batches))
        self._buffered_rows += rows
        for row in commands:
            self._commands.setdefault(str(row["id"]), row)
        while self._buffered_rows > self.max_buffered_rows and self._batches:
            dropped = self._batches.popleft()
            self._buffered_rows -= len(dropped.changes)
            self.rows_lost += len(dropped.changes)
        if self.rows_lost:
            log.error("history buffer full: %d oldest rows dropped so far", self.rows_lost)

    async def stop(self) -> None:
        """Stop the background task and write what is left."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        for _attempt in range(20):
            if await self.flush():
                return
            await asyncio.sleep(0.5)
        log.error("history: %d rows could not be written before shutdown", self._buffered_rows)

    def stats(self) -> dict[str, object]:
        return {"rows_written": self.rows_written, "rows_buffered": self._buffered_rows,
                "rows_lost": self.rows_lost, "write_failures": self.failures, "last_error": self.last_error}
