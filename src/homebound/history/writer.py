"""Writes sessions to the database off the ingest path: `put` appends (O(1)); a background task writes what has
gathered in one transaction in a worker thread. If the database refuses, the writes are kept and retried with
backoff, so a database restart loses no session; only past `max_buffered` are the oldest dropped, counted and
logged, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from homebound.history.store import SessionStore, Write

log = logging.getLogger(__name__)


class SessionWriter:
    """An ordered queue of session writes, applied in batches."""

    def __init__(self, store: SessionStore, interval: float = 0.5, max_buffered: int = 200_000) -> None:
        self.store = store
        self.interval = interval
        self.max_buffered = max_buffered
        self._pending: list[Write] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0
        self.lost = 0
        self.failures = 0
        self.last_error: str | None = None

    def put(self, write: Write) -> None:
        self._pending.append(write)
        if write.kind != "checkpoint":
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="session-writer")

    async def _run(self) -> None:
        backoff = self.interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
            self._wake.clear()
            backoff = self.interval if await self.flush() else min(backoff * 2, 10.0)

    async def flush(self) -> bool:
        """Write everything queued so far; False (and the writes kept) if the database refused."""
        async with self._lock:
            if not self._pending:
                return True
            writes, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self.store.write, writes)
            except Exception as error:
                self._pending[:0] = writes
                overflow = len(self._pending) - self.max_buffered
                if overflow > 0:
                    del self._pending[:overflow]
                    self.lost += overflow
                self.failures += 1
                message = f"session write failed, {len(self._pending)} writes kept for retry: {str(error)[:300]}"
                if message != self.last_error:
                    log.error(message)
                self.last_error = message
                return False
            self.written += len(writes)
            if self.last_error is not None:
                log.info("session writes resumed")
                self.last_error = None
            return True

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        for _attempt in range(20):
            if await self.flush():
                return
            await asyncio.sleep(0.5)
        log.error("sessions: %d writes could not be saved before shutdown", len(self._pending))

    def stats(self) -> dict[str, object]:
        return {"writes": self.written, "queued": len(self._pending), "lost": self.lost, "failures": self.failures,
                "last_error": self.last_error}
