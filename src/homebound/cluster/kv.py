"""Reading a whole key-value bucket at once (workers, leases, providers), which nats-py offers only as a watch."""

from __future__ import annotations

import asyncio

from nats.js.kv import KeyValue


async def bucket_entries(bucket: KeyValue, timeout: float = 5.0) -> dict[str, bytes]:
    """Every live key of the bucket with its value (deleted and expired keys are left out)."""
    watcher = await bucket.watchall(ignore_deletes=True)
    out: dict[str, bytes] = {}
    try:
        async with asyncio.timeout(timeout):
            while True:
                entry = await watcher.updates(timeout=timeout)  # type: ignore[no-untyped-call]
                if entry is None:
                    break
                out[entry.key] = entry.value or b""
    finally:
        await watcher.stop()  # type: ignore[no-untyped-call]
    return out
