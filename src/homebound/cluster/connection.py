"""Connecting to a cluster's NATS, and creating (or finding) its stream and buckets.

The first node to start creates the cluster: its input stream, its key-value buckets, and its facts (an id, the
partition count and the lease time), which are fixed from then on. Every later node reads those facts and refuses
to start if it was asked for a different partition count, since a car's partition must never change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from dataclasses import dataclass

import nats
import orjson
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, KeyValueConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, KeyWrongLastSequenceError, NotFoundError, ServiceUnavailableError
from nats.js.kv import KeyValue

from homebound.cluster.layout import MAX_PARTITIONS, ClusterError, ClusterLayout
from homebound.cluster.wire import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 16
DEFAULT_LEASE_TTL_S = 5.0
DEFAULT_MAX_LOG_BYTES = 10 * 1024**3
FIRST_CONNECT_S = 10.0
DUPLICATE_WINDOW_S = 120.0
"""A door's retry of a publish within this window is stored once (JetStream de-duplicates by message id)."""


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What is fixed when a cluster is created."""

    id: str
    partitions: int
    lease_ttl_s: float
    created_at: float


@dataclass(slots=True)
class ClusterLink:
    """An open connection to a cluster: NATS, JetStream, its buckets and its facts."""

    nc: NatsClient
    js: JetStreamContext
    layout: ClusterLayout
    facts: ClusterFacts
    leases: KeyValue
    workers: KeyValue
    providers: KeyValue

    async def close(self) -> None:
        """Send what is buffered, then close. (Not `drain`: it waits for every subscription's queue to empty,
        and a key-value watch nobody reads any more never does.)"""
        await close_nats(self.nc)


async def connect_nats(url: str, name: str) -> NatsClient:
    """A NATS connection that keeps reconnecting once made; one clear error if there is none to be made now."""
    news = _NatsNews(url)
    try:
        # With endless reconnects nats-py also retries the first connection endlessly: bound that one.
        client = await asyncio.wait_for(
            nats.connect(url, name=name, connect_timeout=3, allow_reconnect=True, max_reconnect_attempts=-1,
                         reconnect_time_wait=0.5, pending_size=64 * 1024 * 1024, error_cb=news.error,
                         disconnected_cb=news.disconnected, reconnected_cb=news.reconnected),
            FIRST_CONNECT_S)
    except TimeoutError:
        raise ClusterError(f"cannot reach NATS at {url} within {FIRST_CONNECT_S:.0f} s. Is nats-server running "
                           "with JetStream (-js)?") from None
    except Exception as error:
        raise ClusterError(f"cannot reach NATS at {url}: {error or type(error).__name__}. Is nats-server running "
                           "with JetStream (-js)?") from None
    _NEWS[client] = news
    return client


class _NatsNews:
    """What the NATS client reports, as one line each (it would log a traceback per failed reconnect)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.closing = False
        self._last = ""

    async def error(self, error: Exception) -> None:
        text = f"NATS at {self.url}: {str(error)[:200] or type(error).__name__}"
        if text != self._last:
            log.warning("%s", text)
        self._last = text

    async def disconnected(self) -> None:
        if not self.closing:
            log.warning("NATS at %s: disconnected; reconnecting", self.url)

    async def reconnected(self) -> None:
        self._last = ""
        log.info("NATS at %s: reconnected", self.url)


_NEWS: weakref.WeakKeyDictionary[NatsClient, _NatsNews] = weakref.WeakKeyDictionary()


async def close_nats(nc: NatsClient) -> None:
    """Flush and close a connection made by `connect_nats`, without warning that it is disconnected."""
    news = _NEWS.get(nc)
    if news is not None:
        news.closing = True
    if not nc.is_closed:
        with contextlib.suppress(Exception):
            await nc.flush(timeout=2)
        await nc.close()


async def open_cluster(url: str, layout: ClusterLayout, *, client_name: str, partitions: int | None = None,
                       lease_ttl_s: float | None = None, max_log_bytes: int = DEFAULT_MAX_LOG_BYTES) -> ClusterLink:
    """Connect, and create the cluster if it does not exist yet (with `partitions`, default 16)."""
    nc = await connect_nats(url, client_name)
    try:
        js = nc.jetstream(timeout=5)
        try:
            await js.account_info()
        except (NotFoundError, ServiceUnavailableError, nats.errors.NoRespondersError, nats.errors.TimeoutError):
            raise ClusterError(f"NATS at {url} has no JetStream: start nats-server with -js") from None
        facts = await _facts(js, layout, partitions, lease_ttl_s)
        await _stream(js, layout, max_log_bytes)
        ttl = facts.lease_ttl_s
        leases = await _bucket(js, layout.leases_bucket, ttl, "which worker holds each partition")
        # A dead worker leaves the live set when its leases expire, so the others take its share at once. (A late
        # heartbeat on a busy machine can shift a partition for a round; the next rounds even it out.)
        workers = await _bucket(js, layout.workers_bucket, ttl, "the live workers and their figures")
        providers = await _bucket(js, layout.providers_bucket, ttl * 3, "providers connected to doors")
    except BaseException:
        await close_nats(nc)
        raise
    return ClusterLink(nc, js, layout, facts, leases, workers, providers)


async def _facts(js: JetStreamContext, layout: ClusterLayout, partitions: int | None,
                 lease_ttl_s: float | None) -> ClusterFacts:
    meta = await js.create_key_value(KeyValueConfig(bucket=layout.meta_bucket, history=1,
                                                    description=f"Homebound cluster {layout.name}: fixed facts"))
    if partitions is not None and not 1 <= partitions <= MAX_PARTITIONS:
        raise ClusterError(f"partitions {partitions}: must be between 1 and {MAX_PARTITIONS}")
    if lease_ttl_s is not None and not 1.0 <= lease_ttl_s <= 300.0:
        raise ClusterError(f"lease time {lease_ttl_s} s: must be between 1 and 300 seconds")
    wanted = ClusterFacts(uuid.uuid4().hex, partitions or DEFAULT_PARTITIONS, lease_ttl_s or DEFAULT_LEASE_TTL_S,
                          time.time())
    try:
        await meta.create("facts", orjson.dumps({"id": wanted.id, "partitions": wanted.partitions,
                                                 "lease_ttl_s": wanted.lease_ttl_s,
                                                 "created_at": wanted.created_at}))
        log.info("cluster %s created: %d partitions, leases of %.0f s", layout.name, wanted.partitions,
                 wanted.lease_ttl_s)
        return wanted
    except KeyWrongLastSequenceError:
        pass
    entry = await meta.get("facts")
    try:
        body = orjson.loads(entry.value or b"")
        facts = ClusterFacts(str(body["id"]), int(body["partitions"]), float(body["lease_ttl_s"]),
                             float(body["created_at"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ClusterError(f"cluster {layout.name}: its facts in bucket {layout.meta_bucket} are unreadable; "
                           "delete the cluster's buckets and stream to start it anew") from None
    if partitions is not None and partitions != facts.partitions:
        raise ClusterError(f"cluster {layout.name} has {facts.partitions} partitions, fixed when it was created; "
                           f"{partitions} were asked for (leave --partitions out, or name another cluster)")
    return facts


async def _stream(js: JetStreamContext, layout: ClusterLayout, max_bytes: int) -> None:
    config = StreamConfig(
        name=layout.stream, description=f"Homebound cluster {layout.name}: cars' batches, by partition",
        subjects=[layout.input_subjects], retention=RetentionPolicy.WORK_QUEUE, discard=DiscardPolicy.NEW,
        storage=StorageType.FILE, max_bytes=max_bytes, max_msg_size=MAX_MESSAGE_BYTES,
        duplicate_window=DUPLICATE_WINDOW_S)
    try:
        await js.stream_info(layout.stream)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except BadRequestError as error:
            raise ClusterError(f"cluster {layout.name}: cannot create stream {layout.stream}: {error}") from None


async def _bucket(js: JetStreamContext, bucket: str, ttl: float, description: str) -> KeyValue:
    try:
        return await js.key_value(bucket)
    except (NotFoundError, nats.js.errors.BucketNotFoundError):
        return await js.create_key_value(KeyValueConfig(bucket=bucket, ttl=ttl, history=1, description=description))


async def delete_cluster(url: str, layout: ClusterLayout) -> None:
    """Remove a cluster's stream and buckets (tests and benchmarks clean up with this)."""
    nc = await connect_nats(url, "homebound-cleanup")
    try:
        js = nc.jetstream(timeout=5)
        for bucket in (layout.leases_bucket, layout.workers_bucket, layout.providers_bucket, layout.meta_bucket):
            with contextlib.suppress(NotFoundError, nats.js.errors.BucketNotFoundError):
                await js.delete_key_value(bucket)
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(layout.stream)
    finally:
        await close_nats(nc)
