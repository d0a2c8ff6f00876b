"""The one interface of a message bus: publish, and subscribe a handler to a topic filter.

Handlers receive only the messages whose topic matches the filter they subscribed with (as the best MQTT
integrations route them), on the asyncio loop, one call per message: `handler(topic, payload, retained)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

MessageHandler = Callable[[str, bytes, bool], None]


class Bus(Protocol):
    """A broker connection or an in-process bus."""

    connected: bool
    received: int
    on_reconnect: list[Callable[[], None]]

    async def connect(self, timeout: float = 10.0) -> None: ...

    async def close(self) -> None: ...

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None: ...

    def subscribe(self, topic_filter: str, handler: MessageHandler, qos: int = 1) -> None:
        """Deliver messages matching `topic_filter` to `handler` (also after a reconnect)."""

    def unsubscribe(self, topic_filter: str, handler: MessageHandler) -> None:
        """Stop delivering `topic_filter` to `handler`; the broker subscription ends with its last handler."""
