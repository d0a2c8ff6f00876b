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

from homebound.messaging.bus import MessageHandler
from homebound.messaging.routing import TopicRouter

log = logging.getLogger(__name__)


class LocalBus:
    """A `Bus` inside the process, delivered on the asyncio loop."""

    def __init__(self) -> None:
        self._router = TopicRouter()
        self._retained: dict[str, bytes] = {}
        self.on_reconnect: list[Callable[[], None]] = []
        self.connected = True
        self.received = 0
        self.address = "in-process bus"

    async def connect(self, timeout: float = 0.0) -> None:
        return None

    async def close(self) -> None:
        self.connected = False

    def subscribe(self, topic_filter: str, handler: MessageHandler, qos: int = 1) -> None:
        if self._router.has(topic_filter, handler):
            return
        self._router.add(topic_filter, handler)
        loop = asyncio.get_running_loop()
        for topic, payload in list(self._retained.items()):
            if topic_matches_sub(topic_filter, topic):
                loop.call_soon(self._deliver_to, handler, topic, payload)

    def unsubscribe(self, topic_filter: str, handler: MessageHandler) -> None:
        self._router.remove(topic_filter, handler)

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        if retain:
            if data:
                self._retained[topic] = data
            else:
                self._retained.pop(topic, None)
        if self._router.handlers(topic):
            asyncio.get_running_loop().call_soon(self._deliver, topic, data)

    def _deliver(self, topic: str, payload: bytes) -> None:
        self.received += 1
        for handler in self._router.handlers(topic):
            self._call(handler, topic, payload, False)

    def _deliver_to(self, handler: MessageHandler, topic: str, payload: bytes) -> None:
        self.received += 1
        self._call(handler, topic, payload, True)

    @staticmethod
    def _call(handler: MessageHandler, topic: str, payload: bytes, retained: bool) -> None:
        try:
            handler(topic, payload, retained)
        except Exception:
            log.exception("handler failed on %s", topic[:200])
