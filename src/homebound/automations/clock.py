"""Time of day and interval triggers, following the engine's clock (a simulation's, in the demo)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from homebound.automations.schema import WEEKDAYS, IntervalTrigger, TimeTrigger


async def run_clock_trigger(trigger: TimeTrigger | IntervalTrigger, fire: Callable[[dict[str, object]], None],
                            clock: Callable[[], dt.datetime], time_scale: Callable[[], float]) -> None:
    """Fire at each occurrence until cancelled; waits are divided by `time_scale()` (simulated per real second)."""
    while True:
        if isinstance(trigger, IntervalTrigger):
            await asyncio.sleep(trigger.every / time_scale())
            fire({"kind": "interval", "every_s": trigger.every})
            continue
        now = clock()
        target = now.replace(hour=trigger.at.hour, minute=trigger.at.minute, second=trigger.at.second,
                             microsecond=0)
        if target <= now:
            target += dt.timedelta(days=1)
        while trigger.weekday is not None and WEEKDAYS[target.weekday()] not in trigger.weekday:
            target += dt.timedelta(days=1)
        await asyncio.sleep((target - now).total_seconds() / time_scale())
        fire({"kind": "time", "at": trigger.at.isoformat(), "when": target.isoformat()})
        await asyncio.sleep(1.0 / time_scale())
