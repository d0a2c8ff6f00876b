"""A client that asks `/api/v1/health` on a fixed schedule while a test sends something abusive, and records how
long each answer took.

Requests go out every `interval` seconds whether or not the previous one has been answered, so a server whose
event loop is frozen for a second shows as about fifty late answers, not as one. The watch runs its own asyncio
loop in a thread of the test process; the server under watch should be another process (`serve_process.py`),
so the test's own work cannot pass for a freeze of the hub.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class HealthReport:
    latencies: list[float] = field(default_factory=list)
    """Seconds from the moment each request was due to its answer (unanswered ones: to the end of the watch)."""
    failures: list[str] = field(default_factory=list)

    def slower_than(self, seconds: float) -> int:
        return sum(1 for latency in self.latencies if latency > seconds)

    @property
    def worst(self) -> float:
        return max(self.latencies, default=0.0)

    def summary(self) -> str:
        ordered = sorted(self.latencies)
        if not ordered:
            return "no answers"
        median = ordered[len(ordered) // 2]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"{len(ordered)} answers, median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                f"worst {self.worst * 1000:.1f} ms, over 100 ms: {self.slower_than(0.1)}, "
                f"failures: {len(self.failures)} {self.failures[:3]}")


class HealthWatch:
    """`with HealthWatch(base_url) as watch: ...` then `watch.report`."""

    def __init__(self, base_url: str, interval: float = 0.02, timeout: float = 60.0) -> None:
        self.url = f"{base_url}/api/v1/health"
        self.interval = interval
        self.timeout = timeout
        self.report = HealthReport()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-watch", daemon=True)
        self._warm = threading.Event()

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        if not self._warm.wait(10):
            raise AssertionError(f"{self.url} did not answer the first health request within 10 s")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(self.timeout + 10)

    def _run(self) -> None:
        asyncio.run(self._watch())

    async def _watch(self) -> None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=20)
        async with httpx.AsyncClient(limits=limits, timeout=self.timeout) as client:
            await client.get(self.url)  # connect once before timing anything
            self._warm.set()
            pending: dict[asyncio.Task[None], float] = {}
            due = time.monotonic()
            while not self._stop.is_set():
                task = asyncio.create_task(self._ask(client, due))
                pending[task] = due
                task.add_done_callback(lambda done: pending.pop(done, None))
                due += self.interval
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            if pending:
                await asyncio.wait(set(pending), timeout=5.0)
            end = time.monotonic()
            for task, sent in list(pending.items()):
                task.cancel()
                self.report.latencies.append(end - sent)
                self.report.failures.append("unanswered when the watch ended")

    async def _ask(self, client: httpx.AsyncClient, due: float) -> None:
        try:
            response = await client.get(self.url)
            if response.status_code != 200:
                self.report.failures.append(f"HTTP {response.status_code}")
        except httpx.HTTPError as error:
            self.report.failures.append(f"{type(error).__name__}: {error}")
        self.report.latencies.append(time.monotonic() - due)
