"""A scenario's household electricity, as data: how big the roof, how cloudy the day, what the house draws,
the main fuse; and the car's habits, as a drive history of past departures (until the real one is connected).

```yaml
site: {peak_w: 9000, cloudiness: 0.2, main_fuse_a: 25, spikes: [{at: "19:00", minutes: 25, watts: 6000}]}
habits: {mon: "07:30", tue: "07:30", wed: "07:30"}
```
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from homebound.energy.departures import WEEKDAY_NAMES
from homebound.energy.sun import SolarArray
from homebound.simulators.household.site import SimulatedSite
from homebound.simulators.household.sky import HouseLoad, LoadSpike, Sky


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpikeSetup(Strict):
    at: dt.time
    minutes: float = Field(gt=0, le=24 * 60)
    watts: float = Field(gt=0, le=100_000)


class SiteSetup(Strict):
    peak_w: float = Field(8_000.0, gt=0, le=100_000, description="the roof's panels, watts peak")
    cloudiness: float = Field(0.2, ge=0, le=1, description="0 clear, 1 overcast; clouds follow the seed")
    main_fuse_a: float = Field(35.0, gt=0, le=400)
    load_scale: float = Field(1.0, gt=0, le=10, description="the house's draw against a typical profile")
    appliances: bool = True
    spikes: list[SpikeSetup] = Field(default_factory=list)


def build_site(setup: SiteSetup, latitude: float, longitude: float, start: float, tz: dt.tzinfo,
               seed: int) -> SimulatedSite:
    """The simulated site of a scenario starting at `start` (epoch seconds)."""
    day = dt.datetime.fromtimestamp(start, tz).date()
    spikes = []
    for spike in setup.spikes:
        at = dt.datetime.combine(day, spike.at, tzinfo=tz).timestamp()
        spikes.append(LoadSpike(at if at >= start else at + 86_400, spike.minutes * 60, spike.watts))
    return SimulatedSite(SolarArray(latitude, longitude, setup.peak_w), Sky(seed, setup.cloudiness, start),
                         HouseLoad(tz, seed, setup.load_scale, spikes, setup.appliances), start,
                         breaker_w=setup.main_fuse_a * 3 * 230.0)


class SimulatedHabits:
    """A drive history made from habits: eight weeks of departures at the usual times, give or take a few
    minutes (by the seed), one day in ten at home. Stands in for the history's trips (issue 12)."""

    def __init__(self, vehicle_id: str, habits: Mapping[str, dt.time], now: dt.datetime, seed: int = 1,
                 weeks: int = 8) -> None:
        self.vehicle_id = vehicle_id
        rng = random.Random(seed)
        tz = now.tzinfo
        out: list[dt.datetime] = []
        day = (now - dt.timedelta(weeks=weeks)).date()
        while day < now.date():
            clock = habits.get(WEEKDAY_NAMES[day.weekday()])
            if clock is not None and rng.random() > 0.1:
                at = dt.datetime.combine(day, clock, tzinfo=tz) + dt.timedelta(minutes=rng.uniform(-8, 8))
                out.append(at)
                out.append(at.replace(hour=17, minute=30))  # and home again in the evening
            day += dt.timedelta(days=1)
        self.times = sorted(out)

    def departures(self, vehicle_id: str, since: dt.datetime) -> Sequence[dt.datetime]:
        if vehicle_id != self.vehicle_id:
            return []
        return [t for t in self.times if t >= since]
