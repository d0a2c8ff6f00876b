"""`for:` timers: a trigger that must hold for a while fires only when its timer runs out undisturbed.

A timer is armed at the first matching change and disarmed when the datapoint stops matching. Timers of
loaded automations are saved (`ForTimerKey`), so a restart resumes them with their original deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from homebound.automations.saved_state import ForTimerKey, SavedState, SavedTimer

Fire = Callable[[dict[str, object]], None]


class ForTimers:
    def __init__(self, saved: SavedState) -> None:
        self._saved = saved
        self._timers: dict[ForTimerKey, asyncio.TimerHandle] = {}

    def arm(self, key: ForTimerKey, seconds: float, details: dict[str, object], fire: Fire, persist: bool,
            deadline: float | None = None) -> None:
        if key in self._timers:
            return  # already counting: `for` measures from the first matching change
        deadline = deadline if deadline is not None else time.time() + seconds
        loop = asyncio.get_running_loop()

        def expire() -> None:
            self._timers.pop(key, None)
            self._saved.drop(key)
            fire({**details, "for_s": seconds})

        self._timers[key] = loop.call_later(max(0.0, deadline - time.time()), expire)
        if persist:
            self._saved.put(key, SavedTimer(deadline=deadline, seconds=seconds, details=details))

    def disarm(self, key: ForTimerKey) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
            self._saved.drop(key)

    def disarm_owner(self, owner: str) -> None:
        for key in [k for k in self._timers if k.owner == owner]:
            self.disarm(key)

    def cancel_all(self) -> None:
        """At shutdown: stop counting, but keep what is saved so the next start resumes it."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
