"""One MQTT connection, shared by every MQTT adapter: paho-mqtt's network thread, delivered into asyncio.

It implements `homebound.messaging.Bus`: each handler is subscribed to a topic filter and receives only the
messages that match it.

Nothing lost across outages: with a fixed client id the session is persistent (`clean_session=False`), so the
broker keeps QoS 1 messages for the hub while it is away; a QoS 1 message is acknowledged (PUBACK) only after
its handlers ran and `before_ack()` returned (the hub's commit), so a crash before the commit means the broker
delivers it again. Reconnects back off from about a second to at most four, with jitter, so a fleet of hubs does
not reconnect in step.

paho keeps the socket, QoS 1 handshakes and reconnects (with backoff) in its own thread. Incoming messages are
queued and handed to the asyncio loop in batches (one wake-up per burst, not per message). On every
(re)connect, all subscriptions are made again, so a broker restart loses nothing but the messages sent while
it was down; the hub keeps every device's known state meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import ssl
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from homebound.messaging import MessageHandler, TopicRouter
from homebound.model.errors import HomeboundError

log = logging.getLogger(__name__)

MIN_RECONNECT_S = 1.0
MAX_RECONNECT_S = 4.0
CLOSE_ACK_WAIT_S = 2.0


class MqttError(HomeboundError):
    pass


def _no_delay(client: mqtt.Client) -> None:
    """Turn Nagle's algorithm off: a command published right after a PUBACK must not wait for a delayed ACK
    (measured: 40 ms per hop with it on, see benchmarks/mqtt_flow.py)."""
    sock = client.socket()
    if sock is not None and hasattr(sock, "setsockopt"):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def redacted(url: str) -> str:
    """The URL fit for a message or a log line: a password in it replaced by `***`, whatever the rest looks like."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, address = rest.rpartition("@")
    if not (separator and at and ":" in userinfo):
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{address}"


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """`mqtt://user:pass@host:1883` or `mqtts://host:8883`; a mistake is named without the password."""
        expected = "expected mqtt://[user:password@]host[:port] or mqtts://..."
        try:
            parts = urlsplit(url)
        except ValueError as error:  # an unbalanced [ in the host
            raise MqttError(f"MQTT url {redacted(url)!r}: {error}; {expected}") from None
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise MqttError(f"MQTT url {redacted(url)!r}: {expected}")
        tls = parts.scheme == "mqtts"
        try:
            port = parts.port or (8883 if tls else 1883)
        except ValueError:
            raise MqttError(f"MQTT url {redacted(url)!r}: the port is not a number") from None
        return cls(parts.hostname, port, tls, unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


class MqttConnection:
    """A connection to the broker with subscriptions that survive reconnects."""

    def __init__(self, url: str, client_id: str | None = None, ca_file: str | None = None,
                 insecure_tls: bool = False, keepalive: int = 30, will: tuple[str, str] | None = None,
                 persistent: bool = False, before_ack: Callable[[], Awaitable[None]] | None = None) -> None:
        self.address = BrokerAddress.parse(url)
        if persistent and not client_id:
            raise MqttError("a persistent MQTT session needs a fixed client id (mqtt.client_id)")
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2,
                                  client_id=client_id or f"homebound-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv311,
                                  clean_session=not persistent, manual_ack=True)
        self.before_ack = before_ack
        if self.address.username:
            self.client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            self.client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_NONE if insecure_tls else ssl.CERT_REQUIRED)
            self.client.tls_insecure_set(insecure_tls)
        if will is not None:
            self.client.will_set(will[0], will[1], qos=1, retain=True)
        self._jitter_reconnects()
        self.client.max_queued_messages_set(100_000)
        self.keepalive = keepalive
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self._subscriptions: dict[str, int] = {}
        self._router = TopicRouter()
        self._inbox: deque[tuple[str, bytes, bool, int, int]] = deque()
        self._acks: set[asyncio.Task[None]] = set()
        self._drain_scheduled = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = asyncio.Event()
        self.connected = False
        self._closing = False
        self.refused: str | None = None
        self.connections = 0
        self.received = 0
        self.on_reconnect: list[Callable[[], None]] = []

    # ---- lifecycle ----------------------------------------------------------------------------------------

    async def connect(self, timeout: float = 10.0) -> None:
        """Connect and start the network thread; MqttError if the broker cannot be reached in time."""
        self._loop = asyncio.get_running_loop()
        self._connected = asyncio.Event()
        try:  # a broker that is not there at all is said at once, not after the timeout
            probe = await asyncio.to_thread(socket.create_connection, (self.address.host, self.address.port),
                                            min(timeout, 5.0))
            probe.close()
        except OSError as error:
            raise MqttError(f"cannot reach the MQTT broker at {self.address}: {error.strerror or error}; is it "
                            "running? (mosquitto -d starts one)") from None
        try:
            self.client.connect_async(self.address.host, self.address.port, self.keepalive)
        except (OSError, ValueError) as error:
            raise MqttError(f"cannot connect to MQTT broker {self.address}: {error}") from None
        self.client.loop_start()
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
            if not self.connected and self.refused:
                self.client.loop_stop()
                raise MqttError(f"the MQTT broker at {self.address} refused the connection: {self.refused}")
        except TimeoutError:
            self.client.loop_stop()
            raise MqttError(f"cannot reach the MQTT broker at {self.address} (waited {timeout:.0f} s): is it "
                            "running? (mosquitto -d starts one)") from None

    async def close(self) -> None:
        """Acknowledge what is being committed, disconnect cleanly (pending QoS 1 messages are sent first) and
        stop the network thread."""
        if self._acks:
            await asyncio.wait(set(self._acks), timeout=CLOSE_ACK_WAIT_S)
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        self._closing = True
        self.client.disconnect()
        self.client.loop_stop()
        self.connected = False

    # ---- publish and subscribe ----------------------------------------------------------------------------

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        """Queue a message; paho sends it now, or after the reconnect if the broker is away."""
        self.client.publish(topic, payload, qos=qos, retain=retain)

    def subscribe(self, topic_filter: str, handler: MessageHandler, qos: int = 1) -> None:
        """`handler(topic, payload, retained)` runs on the asyncio loop for every message matching the filter."""
        if not self._router.add(topic_filter, handler):
            return
        self._subscriptions[topic_filter] = qos
        if self.connected:
            self.client.subscribe(topic_filter, qos)

    def unsubscribe(self, topic_filter: str, handler: MessageHandler) -> None:
        if self._router.remove(topic_filter, handler):
            self._subscriptions.pop(topic_filter, None)
            if self.connected:
                self.client.unsubscribe(topic_filter)

    # ---- paho's thread ------------------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: object, _flags: object, reason: object,
                    _properties: object) -> None:
        if getattr(reason, "is_failure", False):
            self.refused = str(reason)
            loop = self._loop
            if self.connections == 0 and loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._connected.set)  # let connect() report it
            else:
                log.error("MQTT broker %s refused the connection: %s", self.address, reason)
            return
        self.connected = True
        self.connections += 1
        _no_delay(client)
        if self._subscriptions:
            client.subscribe([(topic, qos) for topic, qos in self._subscriptions.items()])
        if self.connections > 1:
            log.info("MQTT reconnected to %s; %d subscriptions renewed", self.address, len(self._subscriptions))
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._connected_in_loop)

    def _connected_in_loop(self) -> None:
        self._connected.set()
        if self.connections > 1:
            for callback in self.on_reconnect:
                callback()

    def _on_disconnect(self, _client: mqtt.Client, _userdata: object, _flags: object, reason: object,
                       _properties: object) -> None:
        if self.connected and not self._closing:
            log.warning("MQTT connection to %s lost (%s); reconnecting", self.address, reason)
        self.connected = False
        self._jitter_reconnects()

    def _jitter_reconnects(self) -> None:
        """paho backs off exponentially from the minimum to the maximum; a random minimum spreads reconnects."""
        low = random.uniform(MIN_RECONNECT_S / 2, MIN_RECONNECT_S * 1.5)
        self.client.reconnect_delay_set(min_delay=low, max_delay=MAX_RECONNECT_S)  # type: ignore[arg-type]

    def _on_message(self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        self._inbox.append((message.topic, bytes(message.payload), bool(message.retain), message.mid, message.qos))
        if not self._drain_scheduled.is_set():
            self._drain_scheduled.set()
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        self._drain_scheduled.clear()
        inbox = self._inbox
        route = self._router.handlers
        acks: list[tuple[int, int]] = []
        while inbox:
            topic, payload, retained, mid, qos = inbox.popleft()
            self.received += 1
            for handler in route(topic):
                try:
                    handler(topic, payload, retained)
                except Exception:
                    log.exception("MQTT handler failed on %s", topic[:200])
            if qos:
                acks.append((mid, qos))
        if acks:
            task = asyncio.get_running_loop().create_task(self._acknowledge(acks))
            self._acks.add(task)
            task.add_done_callback(self._acks.discard)

    async def _acknowledge(self, acks: list[tuple[int, int]]) -> None:
        """PUBACK the burst once what it changed is durable; while the database is away, keep waiting (the
        broker holds back further messages meanwhile, and redelivers these after a crash)."""
        delay = 0.5
        while self.before_ack is not None:
            try:
                await self.before_ack()
                break
            except HomeboundError as error:
                log.debug("MQTT acknowledgement waits for storage: %s", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RECONNECT_S)
        for mid, qos in acks:
            self.client.ack(mid, qos)
