"""Reading history back: past values of a datapoint and commands the hub no longer keeps in memory.

What the recorder still buffers is written first, so a value acknowledged a moment ago is in the answer.
Database work runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio

from homebound.history.recorder import HistoryRecorder
from homebound.hub.commands import Command
from homebound.storage.state_store import StateStore


class HistoryQueries:
    """Queries over the recorder's tables."""

    def __init__(self, recorder: HistoryRecorder, store: StateStore) -> None:
        self.recorder = recorder
        self.store = store

    async def values(self, thing: str, path: str, since: float | None, until: float | None,
                     limit: int) -> list[tuple[float, object, str]]:
        await self.recorder.flush()
        return await asyncio.to_thread(self.store.history, thing, path, since, until, limit)

    async def stored_command(self, command_id: str) -> Command | None:
        return await asyncio.to_thread(self.store.load_command, command_id)
