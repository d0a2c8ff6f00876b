"""The automation engine's one clock, and the time of day and interval triggers that follow it.

Every part of the engine that asks "what time is it" (time conditions, time triggers) asks this clock. It is
the wall clock, or a simulation's when the demo runs one (`Clock.follow`, set in one place); then waits are
divided by the simulation's speed. `for` timers and delays stay in real seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from homebound.automations.schema import IntervalTrigger, TimeTrigger
from homebound.model.time_of_day import weekday_of


class Clock:
    """What time it is for the automations, and how many simulated seconds pass per real second."""

    def __init__(self) -> None:
        self._now: Callable[[], dt.datetime] = dt.datetime.now
        self.time_scale = 1.0

    def now(self) -> dt.datetime:
        return self._now()

    def follow(self, now: Callable[[], dt.datetime], time_scale: float = 1.0) -> None:
        """Follow a simulation's clock running `time_scale` simulated seconds per real second."""
        self._now = now
        self.time_scale = time_scale


async def run_clock_trigger(trigger: TimeTrigger | IntervalTrigger, fire: Callable[[dict[str, object]], None],
                            clock: Clock) -> None:
    """Fire at each occurrence until cancelled."""
    while True:
        if isinstance(trigger, IntervalTrigger):
            await asyncio.sleep(trigger.every / clock.time_scale)
            fire({"kind": "interval", "every_s": trigger.every})
            continue
        now = clock.now()
        target = now.replace(hour=trigger.at.hour, minute=trigger.at.minute, second=trigger.at.second,
                             microsecond=0)
        if target <= now:
            target += dt.timedelta(days=1)
        while trigger.weekday is not None and weekday_of(target) not in trigger.weekday:
            target += dt.timedelta(days=1)
        await asyncio.sleep((target - now).total_seconds() / clock.time_scale)
        fire({"kind": "time", "at": trigger.at.isoformat(), "when": target.isoformat()})
        await asyncio.sleep(1.0 / clock.time_scale)
