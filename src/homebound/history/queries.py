"""Reading history back: past values of a datapoint and commands the hub no longer keeps in memory.

What the recorder still buffers is written first, so a value acknowledged a moment ago is in the answer.
Database work runs on the database's threads, never on the event loop, and gives up after `timeout` seconds with
StorageUnavailable (the REST door answers 503 with Retry-After), so a database that is down or stuck never
hangs a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from homebound.history.recorder import HistoryRecorder
from homebound.hub.commands import Command
from homebound.hub.durability import StorageUnavailable
from homebound.storage.errors import describe
from homebound.storage.state_store import StateStore

P = ParamSpec("P")
T = TypeVar("T")


class HistoryQueries:
    """Queries over the recorder's tables."""

    def __init__(self, recorder: HistoryRecorder, store: StateStore, timeout: float = 5.0) -> None:
        self.recorder = recorder
        self.store = store
        self.timeout = timeout

    async def _read(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await asyncio.wait_for(self.store.database.run(function, *args, **kwargs), self.timeout)
        except TimeoutError:
            raise StorageUnavailable(f"the database did not answer within {self.timeout:g} s") from None
        except StorageUnavailable:
            raise
        except Exception as error:
            raise StorageUnavailable(f"the database cannot be read now: {describe(error)}") from None

    async def values(self, thing: str, path: str, since: float | None, until: float | None,
                     limit: int) -> list[tuple[float, object, str]]:
        try:  # shielded: a read that gives up must not cancel the write it started (its rows would vanish)
            written = await asyncio.wait_for(asyncio.shield(self.recorder.flush()), self.timeout)
        except TimeoutError:
            raise StorageUnavailable(f"the database did not answer within {self.timeout:g} s") from None
        if not written:  # what history holds now would be stale: say so instead
            raise StorageUnavailable(f"recent values cannot be written now ({self.recorder.last_error})")
        return await self._read(self.store.history, thing, path, since, until, limit)

    async def stored_command(self, command_id: str) -> Command | None:
        return await self._read(self.store.load_command, command_id)
