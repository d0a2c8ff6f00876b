"""The history recorder: takes every accepted batch from the hub and writes it to the database, by group commit.

Ingest only appends the batch to an in-memory buffer (O(1)). A background task writes what is buffered in one
transaction on the database's own threads; whatever arrives while a write is running goes into the next one, so
throughput stays high however many writers wait.

Two modes (`storage.durability`):
- `durable` (default): a door acknowledges a write only after the transaction holding it has committed
  (`committed()`): a `kill -9` at any moment loses no acknowledged datapoint. While the database is down, doors
  refuse with 503 (`check_writable()`), so nothing is acknowledged that could then be lost.
- `buffered`: doors acknowledge at once; the buffer is written every `flush_interval` seconds, so a crash can lose
  at most that much acknowledged telemetry (`stats()` says so). Commands are durable before they are
  acknowledged in both modes.

If the database is unreachable the buffer is kept and retried with backoff, so an outage loses nothing; only
past `max_buffered_rows` are the oldest batches dropped, counted and logged, so memory stays bounded. Rows the
database refuses are quarantined by the store (one bad value never blocks the rest), counted and logged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Literal, Protocol

from homebound.hub.commands import Command
from homebound.hub.durability import StorageUnavailable
from homebound.hub.events import ChangeBatch
from homebound.storage.errors import describe
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)

DurabilityMode = Literal["durable", "buffered"]
Entry = tuple[int, ChangeBatch | None, ChangeBatch | None]
"""(sequence, the part history keeps (None: none), every accepted value (None: a settled tail, history only))"""
MAX_BACKOFF_S = 5.0


class HistoryFilter(Protocol):
    """Decides which accepted values are worth a row (see `history/deadband.py`): `admit` runs inline on ingest
    and returns the part of a batch to record; `settled` returns values it held back that must now be written
    (all of them with `force`, when the recorder stops)."""

    def admit(self, batch: ChangeBatch) -> ChangeBatch | None: ...
    def settled(self, force: bool = False) -> list[ChangeBatch]: ...


class HistoryRecorder:
    """Buffers the hub's change stream and command updates, and writes them by group commit."""

    def __init__(self, store: StateStore, flush_interval: float = 0.25, flush_rows: int = 20_000,
                 max_buffered_rows: int = 5_000_000, mode: DurabilityMode = "durable",
                 commit_timeout: float = 5.0, history_filter: HistoryFilter | None = None) -> None:
        self.store = store
        self.history_filter = history_filter
        self.flush_interval = flush_interval
        self.flush_rows = flush_rows
        self.max_buffered_rows = max_buffered_rows
        self.mode = mode
        self.commit_timeout = commit_timeout
        self._batches: deque[Entry] = deque()
        self._buffered_rows = 0
        self._commands: dict[str, dict[str, object]] = {}
        self._received = 0     # sequence number of the last change or command update taken in
        self._committed = 0    # everything up to this sequence number is durable
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._stopping = False
        self.rows_written = 0
        self.rows_lost = 0
        self.rows_quarantined = 0
        self.commits = 0
        self.failures = 0
        self.last_error: str | None = None

    # Called inline by the hub: keep them trivial.
    def on_batch(self, batch: ChangeBatch) -> None:
        # Every accepted value is made durable (as the latest value) even when the history filter leaves it out
        # of the history rows: "acknowledged means stored" holds with the deadband on.
        admitted = batch if self.history_filter is None else self.history_filter.admit(batch)
        self._received += 1
        self._batches.append((self._received, admitted, batch))
        self._buffered_rows += len(batch.changes)
        if self._buffered_rows >= self.flush_rows:
            self._wake.set()

    def on_command(self, command: Command) -> None:
        self._received += 1
        self._commands[command.id] = StateStore.command_row(command)

    # ---- the hub's Durability -----------------------------------------------------------------------------

    def check_writable(self) -> None:
        if self.last_error is not None:
            raise StorageUnavailable(f"history cannot be stored now ({self.last_error}); "
                                     f"{self._buffered_rows} rows are kept for retry")

    async def committed(self, commands: bool = False) -> None:
        if self.mode == "buffered" and not commands:
            return
        target = self._received
        if self._committed >= target:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, waiter))
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.commit_timeout)
        except TimeoutError:
            raise StorageUnavailable(f"the database did not confirm the write within {self.commit_timeout:g} s; "
                                     "it is kept for retry") from None

    def _settle(self) -> None:
        kept = []
        for target, waiter in self._waiters:
            if target <= self._committed:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                kept.append((target, waiter))
        self._waiters = kept

    def _fail_waiters(self, message: str) -> None:
        for _target, waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(StorageUnavailable(message))
                waiter.exception()  # retrieved: a door that gave up waiting must not log "never retrieved"
        self._waiters = []

    # ---- writing ------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="history-recorder")

    async def _run(self) -> None:
        backoff = self.flush_interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            self._wake.clear()
            backoff = self.flush_interval if await self.flush() else min(backoff * 2, MAX_BACKOFF_S)

    async def flush(self) -> bool:
        """Write everything buffered so far in one transaction; False (and the buffer kept) if the database is
        away."""
        async with self._write_lock:
            if self.history_filter is not None:
                for settled in self.history_filter.settled(force=self._stopping):
                    self._batches.append((self._received, settled, None))  # history rows only: its latest is out
                    self._buffered_rows += len(settled.changes)
            if not self._batches and not self._commands:
                self._committed = self._received
                self._settle()
                return True
            taken = self._received
            batches = [admitted for _sequence, admitted, _full in self._batches if admitted is not None]
            latest = [full for _sequence, _admitted, full in self._batches if full is not None]
            entries = list(self._batches)
            commands = list(self._commands.values())
            self._batches.clear()
            self._commands.clear()
            rows = self._buffered_rows
            self._buffered_rows = 0
            try:
                report = await self.store.database.run(self.store.write, batches, commands, latest)
            except Exception as error:
                self._requeue(entries, commands, rows)
                self.failures += 1
                message = f"history write failed, {self._buffered_rows} rows kept for retry: {describe(error)}"
                if message != self.last_error:
                    log.error(message)
                self.last_error = message
                self._fail_waiters(f"the database refused the write ({describe(error)}); it is kept for retry")
                return False
            self.rows_written += report.written
            self.commits += 1
            if report.refused:
                self.rows_quarantined += len(report.refused)
                log.error("history: %d rows refused by the database were quarantined (first reason: %s)",
                          len(report.refused), report.refused[0])
            self._committed = max(self._committed, taken)
            self._settle()
            if self.last_error is not None:
                log.info("history writes resumed")
                self.last_error = None
            return True

    def _requeue(self, entries: list[Entry], commands: list[dict[str, object]], rows: int) -> None:
        self._batches.extendleft(reversed(entries))
        self._buffered_rows += rows
        for row in commands:
            self._commands.setdefault(str(row["id"]), row)
        while self._buffered_rows > self.max_buffered_rows and self._batches:
            _sequence, admitted, full = self._batches.popleft()
            dropped = full if full is not None else admitted
            if dropped is not None:
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
        risk = (f"a crash can lose up to {self.flush_interval:g} s of acknowledged values"
                if self.mode == "buffered" else "acknowledged values are durable")
        return {"durability": self.mode, "risk": risk, "rows_written": self.rows_written, "commits": self.commits,
                "rows_buffered": self._buffered_rows, "rows_lost": self.rows_lost,
                "rows_quarantined": self.rows_quarantined, "write_failures": self.failures,
                "last_error": self.last_error}
