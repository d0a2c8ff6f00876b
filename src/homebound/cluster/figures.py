"""What a worker counts and measures, published in its heartbeat (`homebound cluster status`, the bench).

Door-to-stored latency goes into a histogram of logarithmic buckets, 5 % wide: adding is one `log`, workers'
histograms merge by adding counts, and a percentile read from it is within 5 % of the exact one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_BASE_S = 1e-4
_STEP = math.log(1.05)
_LAST_BUCKET = 400  # 0.1 ms * 1.05**400 is about 80 hours


@dataclass(slots=True)
class LatencyHistogram:
    """Counts of latencies (seconds) by bucket."""

    counts: dict[int, int] = field(default_factory=dict)
    total: int = 0

    def add(self, seconds: float) -> None:
        bucket = 0 if seconds <= _BASE_S else min(_LAST_BUCKET, int(math.log(seconds / _BASE_S) / _STEP) + 1)
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        self.total += 1

    def merge(self, other: LatencyHistogram) -> None:
        for bucket, count in other.counts.items():
            self.counts[bucket] = self.counts.get(bucket, 0) + count
        self.total += other.total

    def quantile(self, fraction: float) -> float | None:
        """The latency (seconds, the bucket's upper edge) below which `fraction` of the samples are."""
        if not self.total:
            return None
        wanted = fraction * self.total
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= wanted:
                return _BASE_S * math.exp(bucket * _STEP)
        return _BASE_S * math.exp(max(self.counts) * _STEP)

    def to_json(self) -> dict[str, int]:
        return {str(bucket): count for bucket, count in self.counts.items()}

    @classmethod
    def from_json(cls, body: object) -> LatencyHistogram:
        histogram = cls()
        if isinstance(body, dict):
            for bucket, count in body.items():
                if str(bucket).isdigit() and isinstance(count, int) and count > 0:
                    histogram.counts[min(_LAST_BUCKET, int(bucket))] = count
                    histogram.total += count
        return histogram


@dataclass(slots=True)
class WorkerFigures:
    """A worker's counters since it started."""

    batches_applied: int = 0
    values_applied: int = 0
    values_rejected: int = 0
    duplicates_skipped: int = 0
    bad_messages: int = 0
    commits: int = 0
    commit_failures: int = 0
    rows_written: int = 0
    commands: int = 0
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
