"""The CAN gateway: frames from a bus or a log, decoded by a mapping, delivered to the hub in batches.

Decoded values are gathered into one batch per tick (`flush_interval`, 100 ms by default) and delivered with one
`Hub.ingest` (or one REST call): a car's frames carry hundreds of values a second, and the hub is fastest with
them together. Within a tick the newest value of a path wins. If the hub cannot be reached, the batch is kept and
merged into the next one (so only values superseded by newer ones are lost), and the failure is counted. Nothing a
frame or the hub does ends the loop; only the source ending (or `stop()`) does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import can
from homebound.adapters.can.actuator import CanActuator
from homebound.adapters.can.decoder import FrameDecoder
from homebound.adapters.can.source import RawFrame
from homebound.adapters.hub_link import HubLink, LinkError

log = logging.getLogger(__name__)

DEFAULT_FLUSH_INTERVAL_S = 0.1
MAX_REASONS_KEPT = 50


@dataclass
class DeliveryStats:
    """What the hub made of the gateway's batches."""

    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    link_errors: int = 0
    last_link_error: str | None = None
    rejections: Counter[str] = field(default_factory=Counter)


class CanGateway:
    """One car's CAN traffic into the hub, and (with a live bus) the hub's commands back onto it."""

    def __init__(self, decoder: FrameDecoder, link: HubLink, *,
                 flush_interval: float = DEFAULT_FLUSH_INTERVAL_S) -> None:
        self.decoder = decoder
        self.link = link
        self.flush_interval = flush_interval
        self.delivery = DeliveryStats()
        self.actuator: CanActuator | None = None
        self.actuators_note: str | None = None
        self._batch: dict[str, object] = {}
        self._stopping = asyncio.Event()

    @property
    def stats(self) -> object:
        return self.decoder.stats

    def attach_bus(self, bus: can.BusABC) -> None:
        """Offer the mapping's actuators to the hub, to be carried out as frames on `bus`."""
        if not self.decoder.actuators:
            return
        actuator = CanActuator(bus, self.decoder.actuators, self.decoder.mapping.defaults)
        if self.link.offer_actuators(list(self.decoder.actuators), actuator):
            self.actuator = actuator
        else:
            self.actuators_note = ("commands are not carried out: over REST the hub cannot hand them to the gateway "
                                   "(run the gateway in-process for vss2dbc)")
            log.warning(self.actuators_note)

    def stop(self) -> None:
        self._stopping.set()

    async def run(self, chunks: AsyncIterator[list[RawFrame]],
                  on_tick: Callable[[CanGateway], None] | None = None) -> None:
        """Consume the source until it ends or `stop()`; deliver the last batch before returning."""
        decode = self.decoder.decode
        batch = self._batch
        next_flush = time.monotonic() + self.flush_interval
        iterator = chunks.__aiter__()
        next_chunk: asyncio.Future[list[RawFrame]] | None = None
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                if next_chunk is None:
                    next_chunk = asyncio.ensure_future(iterator.__anext__())
                wait = max(0.0, next_flush - time.monotonic())
                waiting: set[asyncio.Future[Any]] = {next_chunk, stopping}
                done, _ = await asyncio.wait(waiting, timeout=wait,
                                             return_when=asyncio.FIRST_COMPLETED)
                if next_chunk in done:
                    try:
                        chunk = next_chunk.result()
                    except StopAsyncIteration:
                        next_chunk = None
                        break
                    next_chunk = None
                    for key, data, ts, _channel in chunk:
                        decode(key, data, ts, batch)
                if time.monotonic() >= next_flush:
                    await self._flush()
                    if on_tick is not None:
                        on_tick(self)
                    next_flush = time.monotonic() + self.flush_interval
        finally:
            stopping.cancel()
            if next_chunk is not None:
                next_chunk.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await next_chunk
            closing = getattr(iterator, "aclose", None)
            if closing is not None:
                with contextlib.suppress(Exception):
                    await closing()
            await self._flush()
            if on_tick is not None:
                on_tick(self)

    async def _flush(self) -> None:
        if not self._batch:
            return
        values = dict(self._batch)
        try:
            result = await self.link.deliver(values, None)
        except LinkError as error:
            self.delivery.link_errors += 1
            if self.delivery.last_link_error != str(error):
                log.error("CAN gateway: the hub did not take a batch of %d values (kept for the next try): %s",
                          len(values), str(error)[:300])
            self.delivery.last_link_error = str(error)
            return
        self._batch.clear()
        self.delivery.batches += 1
        self.delivery.accepted += result.accepted
        self.delivery.rejected += result.rejected
        for reason in result.reasons:
            if reason in self.delivery.rejections or len(self.delivery.rejections) < MAX_REASONS_KEPT:
                self.delivery.rejections[reason[:300]] += 1
