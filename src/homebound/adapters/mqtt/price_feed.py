"""A dynamic tariff's prices over MQTT: one topic carries the price series (JSON), retained by its publisher.

Each message replaces the prices over the span it covers. A bad message is logged once (truncated) and counted;
the prices already known stay in force.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from homebound.energy.price_series import PriceSeriesError, parse_price_series
from homebound.energy.tariffs import PriceSlot, PriceUpdate
from homebound.messaging import Bus

log = logging.getLogger(__name__)
PriceSink = Callable[[list[PriceSlot], str], PriceUpdate]


class PriceFeed:
    """Subscribes `topic` and hands each price series to `sink` (the energy service's `update_prices`)."""

    def __init__(self, connection: Bus, topic: str, sink: PriceSink, tz: dt.tzinfo) -> None:
        self.connection = connection
        self.topic = topic
        self.sink = sink
        self.tz = tz
        self.messages = 0
        self.accepted = 0
        self.errors = 0
        self.last_error: str | None = None

    def start(self) -> None:
        self.connection.subscribe(self.topic, self.on_message)

    def on_message(self, topic: str, payload: bytes, _retained: bool) -> None:
        if topic != self.topic or not payload:
            return
        self.messages += 1
        try:
            slots, problems = parse_price_series(payload, self.tz)
            result = self.sink(slots, f"mqtt:{topic}")
        except (PriceSeriesError, ValueError) as error:
            self._bad(str(error))
            return
        self.accepted += result.accepted
        for problem in problems + result.errors:
            self._bad(problem)

    def _bad(self, message: str) -> None:
        self.errors += 1
        if message != self.last_error:
            log.warning("price feed %s: %s", self.topic, message[:200])
        self.last_error = message[:200]

    def stats(self) -> dict[str, object]:
        return {"topic": self.topic, "messages": self.messages, "accepted": self.accepted, "errors": self.errors,
                "last_error": self.last_error}
