"""Partition leases in a JetStream key-value bucket whose entries expire.

A worker holds partition `p` while the key `p<p>` of the leases bucket is its own: it takes the key with `create`
(which fails if anyone holds it), renews it with `update` against the revision it last wrote (which fails if the
key changed hands), and lets it go with a delete. A worker that dies stops renewing, and its keys expire after the
bucket's TTL, so others can take them. The revision at which a lease was taken is its *epoch*: it only grows, and
PostgreSQL fences every commit with it (storage/partition_store.py), so a worker that lost its lease while paused
cannot write behind its successor's back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import orjson
from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from homebound.cluster.kv import bucket_entries
from homebound.cluster.layout import ClusterLayout

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Lease:
    partition: int
    epoch: int
    revision: int
    renewed_at: float


class Leases:
    """The leases one worker holds, and the moves on them."""

    def __init__(self, bucket: KeyValue, worker_id: str, ttl: float) -> None:
        self.bucket = bucket
        self.worker_id = worker_id
        self.ttl = ttl
        self.held: dict[int, Lease] = {}

    def _value(self) -> bytes:
        return orjson.dumps({"worker": self.worker_id, "at": time.time()})

    async def acquire(self, partition: int) -> Lease | None:
        """Take a free partition; None if someone holds it."""
        try:
            revision = await self.bucket.create(ClusterLayout.lease_key(partition), self._value())
        except KeyWrongLastSequenceError:
            return None
        lease = Lease(partition, revision, revision, time.monotonic())
        self.held[partition] = lease
        return lease

    async def renew(self, partition: int) -> bool:
        """Renew a held lease; False if it is lost (it expired and someone took it, or it was deleted)."""
        lease = self.held.get(partition)
        if lease is None:
            return False
        try:
            lease.revision = await self.bucket.update(ClusterLayout.lease_key(partition), self._value(),
                                                      last=lease.revision)
        except KeyWrongLastSequenceError:
            del self.held[partition]
            return False
        except Exception as error:
            # NATS is unreachable: keep working while the lease may still be ours, never past its TTL.
            if time.monotonic() - lease.renewed_at >= self.ttl:
                log.error("lease of partition %d not renewed for %.0f s (%s): given up", partition, self.ttl, error)
                del self.held[partition]
                return False
            return True
        lease.renewed_at = time.monotonic()
        return True

    async def release(self, partition: int) -> None:
        lease = self.held.pop(partition, None)
        if lease is None:
            return
        try:
            await self.bucket.delete(ClusterLayout.lease_key(partition), last=lease.revision)
        except Exception as error:
            log.warning("lease of partition %d not released (%s): it expires by itself", partition, error)

    async def holders(self) -> dict[int, str]:
        """Every partition someone holds, with the holder's worker id."""
        out: dict[int, str] = {}
        for key, value in (await bucket_entries(self.bucket)).items():
            if not key.startswith("p") or not key[1:].isdigit():
                continue
            try:
                body = orjson.loads(value)
                out[int(key[1:])] = str(body.get("worker", "?"))[:128] if isinstance(body, dict) else "?"
            except orjson.JSONDecodeError:
                out[int(key[1:])] = "?"
        return out
