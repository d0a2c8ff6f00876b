"""Live subscriptions with bounded mailboxes, so a slow subscriber can never hold up ingest.

A subscription is made of concrete leaf paths (branches and wildcards are expanded against the catalog when it
is created), so delivering an update is a dictionary lookup. Each subscription receives one list of updates per
ingest call; when its mailbox is full, the newest batch is dropped and counted instead of waiting, or (for
subscribers on the network, `close_when_full`) the subscription is closed: a client that stopped reading costs
nothing after that, however many there are.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable

from homebound.hub.events import Field, Update

DEFAULT_MAILBOX_BATCHES = 1000


class Subscription:
    """A live feed of updates for some paths of one thing, iterated with `async for batch in subscription`."""

    def __init__(
        self,
        thing: str,
        paths: list[str],
        fields: frozenset[Field],
        unknown_paths: dict[str, list[str]],
        on_close: Callable[[Subscription], None],
        max_batches: int = DEFAULT_MAILBOX_BATCHES,
        close_when_full: bool = False,
    ) -> None:
        self.thing = thing
        self.paths = paths
        self.fields = fields
        #: Requested patterns that matched nothing, each with the closest known paths.
        self.unknown_paths = unknown_paths
        self.max_batches = max_batches
        self.close_when_full = close_when_full
        #: Closed because the subscriber fell `max_batches` behind.
        self.overflowed = False
        #: Updates thrown away because the subscriber did not keep up.
        self.dropped = 0
        self.closed = False
        self._mailbox: deque[list[Update]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._on_close = on_close

    def deliver(self, updates: list[Update]) -> None:
        """Called by the hub, never blocks: a full mailbox drops the batch and counts it."""
        if len(self._mailbox) >= self.max_batches:
            self.dropped += len(updates)
            if self.close_when_full and not self.closed:
                self.overflowed = True
                self.close()
            return
        self._mailbox.append(updates)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pending_batches(self) -> int:
        return len(self._mailbox)

    async def next_batch(self, timeout: float | None = None) -> list[Update]:
        """The next batch of updates: `TimeoutError` after `timeout` seconds, `StopAsyncIteration` once closed."""
        while not self._mailbox:
            if self.closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._waiter, timeout)
            finally:
                self._waiter = None
        return self._mailbox.popleft()

    def get_nowait(self) -> list[Update] | None:
        return self._mailbox.popleft() if self._mailbox else None

    def __aiter__(self) -> AsyncIterator[list[Update]]:
        return self

    async def __anext__(self) -> list[Update]:
        return await self.next_batch()

    def close(self) -> None:
        """Stop receiving updates; a consumer waiting in `async for` ends after the batches already queued."""
        if self.closed:
            return
        self.closed = True
        self._on_close(self)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
