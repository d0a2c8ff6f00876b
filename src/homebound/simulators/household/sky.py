"""The simulated household's weather and habits: clouds from a seed, and what the house draws over a day.

Clouds: a day has a base clearness (a grey day lets through a third of a clear sky's light) and passing clouds
that arrive at random (more on a cloudier day), each dimming the sun for one to ten minutes (or as long as
`cloud_s` says), the way a solar meter sees cumulus on a summer afternoon. The same seed gives the same sky.

House load: a profile by hour (night standby, breakfast, a quiet day, cooking and the evening), small
appliances switching at random (a kettle, a dishwasher), and spikes a scenario schedules (oven, heat pump and
induction hob together), so the household limit has something to do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

# A typical household's draw by hour of day, W (about 10 kWh a day).
DAY_PROFILE_W = (250, 230, 220, 220, 230, 300, 650, 900, 700, 450, 400, 420,
                 550, 450, 400, 420, 500, 750, 1100, 1000, 850, 650, 450, 320)


@dataclass(frozen=True)
class Cloud:
    start: float
    end: float
    opacity: float  # share of the light it takes away


class Sky:
    """How much of a clear sky's sunlight reaches the roof at each instant."""

    def __init__(self, seed: int, cloudiness: float, start: float, hours: float = 72.0,
                 cloud_s: tuple[float, float] = (60.0, 600.0)) -> None:
        if not 0 <= cloudiness <= 1:
            raise ValueError(f"cloudiness is between 0 (clear) and 1 (overcast), not {cloudiness}")
        self.cloudiness = cloudiness
        self.base = 1.0 - 0.65 * float(cloudiness ** 1.5)
        rng = random.Random(seed)
        rate_per_s = (1.0 + 14.0 * cloudiness) / 3600 if cloudiness > 0 else 0.0
        clouds: list[Cloud] = []
        t = start
        while rate_per_s > 0 and t < start + hours * 3600:
            t += rng.expovariate(rate_per_s)
            length = rng.uniform(*cloud_s)
            clouds.append(Cloud(t, t + length, rng.uniform(0.35, 0.85)))
        self.clouds = clouds
        self._starts = [c.start for c in clouds]

    def clearness(self, ts: float) -> float:
        """0..1: the share of clear-sky light that gets through at `ts`."""
        factor = self.base
        index = bisect.bisect_right(self._starts, ts)
        for cloud in self.clouds[max(0, index - 20):index]:
            if cloud.start <= ts < cloud.end:
                factor *= 1 - cloud.opacity
        return max(0.03, factor)


@dataclass(frozen=True)
class LoadSpike:
    """A scheduled extra load: `watts` from `start` for `seconds` (epoch seconds)."""

    start: float
    seconds: float
    watts: float


@dataclass
class HouseLoad:
    """What the house draws apart from the car, W, at each instant."""

    tz: dt.tzinfo
    seed: int = 1
    scale: float = 1.0
    spikes: list[LoadSpike] = field(default_factory=list)
    appliances: bool = True

    def __post_init__(self) -> None:
        self._rng_seed = self.seed

    def watts(self, ts: float) -> float:
        local = dt.datetime.fromtimestamp(ts, self.tz)
        hour = local.hour + local.minute / 60
        low = DAY_PROFILE_W[int(hour) % 24]
        high = DAY_PROFILE_W[(int(hour) + 1) % 24]
        base = (low + (high - low) * (hour - int(hour))) * self.scale
        minute = int(ts // 60)
        noise = random.Random(self._rng_seed * 1_000_003 + minute).uniform(-40.0, 40.0)
        appliance = self._appliance(ts) if self.appliances else 0.0
        spike = sum(s.watts for s in self.spikes if s.start <= ts < s.start + s.seconds)
        return max(80.0, base + noise + appliance + spike)

    def _appliance(self, ts: float) -> float:
        """A kettle (2 kW, 3 min) in about one quarter hour in eight, by day; deterministic per quarter hour."""
        quarter = int(ts // 900)
        rng = random.Random(self._rng_seed * 7_919 + quarter)
        if rng.random() > 0.12:
            return 0.0
        begin = quarter * 900 + rng.uniform(0, 720)
        local_hour = dt.datetime.fromtimestamp(ts, self.tz).hour
        if not 6 <= local_hour < 23:
            return 0.0
        return 2000.0 if begin <= ts < begin + 180 else 0.0

