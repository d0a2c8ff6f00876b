"""Times of day and weekdays as people write them (`07:30`, `mon`), read the same way by the automations'
schema and the simulator's scenarios, and windows that may run across midnight."""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_clock(value: object) -> dt.time:
    """`07:30`, `07:30:15`, or YAML's reading of 07:30 as the sexagesimal integer 450."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.time(value // 60 % 24, value % 60)
    if isinstance(value, str) and (match := CLOCK_PATTERN.match(value.strip())):
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        if hours < 24 and minutes < 60 and seconds < 60:
            return dt.time(hours, minutes, seconds)
    raise ValueError(f"{str(value)[:40]!r} is not a time of day: use 'HH:MM' or 'HH:MM:SS'")


def parse_weekdays(value: object) -> tuple[str, ...]:
    days = [value] if isinstance(value, str) else value
    if not isinstance(days, list) or not days:
        raise ValueError("weekday is a day or a list of days: mon, tue, wed, thu, fri, sat, sun")
    out = []
    for day in days:
        short = str(day).lower()[:3]
        if short not in WEEKDAYS:
            raise ValueError(f"{str(day)[:40]!r} is not a weekday: use mon, tue, wed, thu, fri, sat, sun")
        out.append(short)
    return tuple(out)


def weekday_of(moment: dt.datetime | dt.date) -> str:
    return WEEKDAYS[moment.weekday()]


def in_time_window(now: dt.datetime, after: dt.time | None, before: dt.time | None,
                   weekdays: tuple[str, ...] | None) -> bool:
    """Whether `now` is in the window; a window whose end is before its start runs across midnight (and counts
    as the day it began)."""
    moment = now.time()
    day = now.weekday()
    if after is not None and before is not None and before < after:
        in_window = moment >= after or moment < before
        if moment < before:
            day = (day - 1) % 7  # the window began yesterday
    else:
        in_window = (after is None or moment >= after) and (before is None or moment < before)
    if weekdays is not None:
        in_window = in_window and WEEKDAYS[day] in weekdays
    return in_window
