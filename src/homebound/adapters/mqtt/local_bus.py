"""An in-process message bus with MQTT's topic semantics, for when no broker is configured.

The device bridge and the simulated household speak the same messages over it as over a real broker
(wildcards, retained messages), so a household can be simulated in one process with nothing to install. It is
not a broker: nothing outside the process can connect to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from paho.mqtt.client import topic_matches_sub

log = logging.getLogger(__name__)
MessageHandler = Callable[[str, bytes, bool], None]


class LocalBus:
    """The part of `MqttConnection`'s interface the adapters use, delivered on the asyncio loop."""

    def __init__(self) -> None:
        self._subscriptions: set[str] = set()
        self._handlers: list[MessageHandler] = []
        self._retained: dict[str, bytes] = {}
        self.on_reconnect: list[Callable[[], None]] = []
        self.connected = True
        self.received = 0
        self.address = "in-process bus"

    async def connect(self, timeout: float = 0.0) -> None:
        return None

    async def close(self) -> None:
        self.connected = False

    def add_handler(self, handler: MessageHandler) -> None:
        self._handlers.append(handler)

    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        if topic_filter in self._subscriptions:
            return
        self._subscriptions.add(topic_filter)
        loop = asyncio.get_running_loop()
        for topic, payload in list(self._retained.items()):
            if topic_matches_sub(topic_filter, topic):
                loop.call_soon(self._deliver, topic, payload, True)

    def unsubscribe(self, topic_filter: str) -> None:
        self._subscriptions.discard(topic_filter)

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        if retain:
            if data:
                self._retained[topic] = data
            else:
                self._retained.pop(topic, None)
        if any(topic_matches_sub(f, topic) for f in self._subscriptions):
            asyncio.get_running_loop().call_soon(self._deliver, topic, data, False)

    def _deliver(self, topic: str, payload: bytes, retained: bool) -> None:
        self.received += 1
        for handler in list(self._handlers):
            try:
                handler(topic, payload, retained)
            except Exception:
                log.exception("handler failed on %s", topic)
