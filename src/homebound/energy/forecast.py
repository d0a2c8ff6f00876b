"""A solar forecast from the sky's geometry and what the meter measured: a clear-sky curve, scaled.

No weather service is reachable from every home, so the forecast is the array's clear-sky production times a
clearness ratio learned from the inverter (measured / clear-sky, smoothed over the last half hour of daylight,
starting from the prior). The learned ratio holds for the next hours and fades towards a prior
(`typical_clearness`) over about eight hours: the weather now says a lot about this afternoon and little about
tomorrow. The planner counts only part of it.
"""

from __future__ import annotations

import math

from homebound.energy.sun import SolarArray

MIN_CLEAR_SKY_W = 50.0      # too little sun to learn from (dawn, dusk)
SMOOTHING_S = 1800.0        # the measured ratio is an exponential average over about half an hour
FADE_S = 8 * 3600.0         # how fast the learned ratio gives way to the prior, looking ahead (a day's weather)


class SolarForecast:
    """Expected production over time for one array, learning its clearness from measurements."""

    def __init__(self, array: SolarArray, typical_clearness: float = 0.7) -> None:
        self.array = array
        self.prior = typical_clearness
        self.clearness: float | None = None
        self._last_learned: float | None = None

    def observe(self, ts: float, measured_w: float) -> None:
        """Learn from one measurement of the inverter."""
        if not math.isfinite(measured_w) or measured_w < 0:
            return
        clear = self.array.clear_sky_w(ts)
        if clear < MIN_CLEAR_SKY_W:
            return
        ratio = min(1.3, measured_w / clear)
        if self.clearness is None or self._last_learned is None:
            self.clearness, self._last_learned = self.prior, ts  # one reading is not the weather: start from the prior
        weight = 1 - math.exp(-max(0.0, ts - self._last_learned) / SMOOTHING_S)
        self.clearness += (ratio - self.clearness) * weight
        self._last_learned = ts

    def clearness_at(self, ts: float, now: float) -> float:
        if self.clearness is None or self._last_learned is None:
            return self.prior
        ahead = max(0.0, ts - now)
        keep = math.exp(-ahead / FADE_S)
        return self.clearness * keep + self.prior * (1 - keep)

    def expected_w(self, ts: float, now: float) -> float:
        """Expected production at `ts`, as seen from `now`."""
        return self.array.clear_sky_w(ts) * self.clearness_at(ts, now)

    def average_w(self, start: float, end: float, now: float, samples: int = 4) -> float:
        """Mean expected production over [start, end)."""
        if end <= start:
            return 0.0
        step = (end - start) / samples
        return sum(self.expected_w(start + step * (i + 0.5), now) for i in range(samples)) / samples
