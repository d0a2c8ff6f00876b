"""How much work one request may cause: limits on values, batches, bodies and patterns.

Anything from the network may be huge; every door checks these bounds before the work begins, so one client
cannot freeze the hub for everyone else. The defaults suit a household and a fleet alike; each can be changed in
the configuration's `limits:` section (docs/configuration.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from homebound.model.errors import ErrorCode, HomeboundError, shown

EARLIEST_TS = 0.0  # a car whose clock was never set reports 1970: odd, but its value is still worth keeping
FUTURE_SLACK_S = 86_400.0    # a clock a day ahead is wrong, but the value is still worth keeping


@dataclass(frozen=True, slots=True)
class Limits:
    max_value_chars: int = 65_536
    """Characters in one string value (a VIN is 17; a destination address a few hundred)."""
    max_array_items: int = 10_000
    """Elements in one array value."""
    max_batch: int = 10_000
    """Datapoints in one write (a car's gateway sends tens to hundreds at a time)."""
    max_body_bytes: int = 4 * 1024 * 1024
    """Bytes in one request body or message payload."""
    max_patterns: int = 1_000
    """Paths, branches or wildcards in one read or subscription."""
    max_wildcards: int = 20
    """Patterns with `*` or `**` in one read or subscription (each is matched against the whole catalog)."""
    max_suggested: int = 10
    """Unknown paths in one request that get 'did you mean' suggestions (the rest are just named)."""


DEFAULT_LIMITS = Limits()


class TooLarge(HomeboundError):
    """A request over one of the limits; the message names the limit and the setting that changes it."""

    code = ErrorCode.TOO_LARGE


class InvalidTimestamp(HomeboundError):
    code = ErrorCode.INVALID_VALUE


def check_timestamp(ts: object) -> float:
    """A write's timestamp in epoch seconds: finite, not before 1970, not more than a day ahead."""
    if type(ts) is not float and type(ts) is not int:
        raise InvalidTimestamp(f"timestamp {shown(ts)} is not a number of seconds since 1970")
    value = float(ts)
    latest = time.time() + FUTURE_SLACK_S
    if not (EARLIEST_TS <= value <= latest):  # NaN compares false: refused here too
        raise InvalidTimestamp(f"timestamp {shown(ts)} is not a time a car could report: give epoch seconds "
                               "between 0 (1970-01-01) and now plus one day")
    return value


__all__ = ["DEFAULT_LIMITS", "InvalidTimestamp", "Limits", "TooLarge", "check_timestamp", "shown"]
