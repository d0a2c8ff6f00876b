"""A day in one file: where the car starts, its routes, and what happens when (YAML, validated).

```yaml
name: Evening drive home
start: "17:59"
end: "19:00"                                # optional: the run stops here
speed: 20                                   # optional: the demo's default speed for this scenario
vehicle: {id: car1, model: compact_sedan, soc: 58, odometer_km: 12840, outside_c: 9}
home: {latitude: 48.1372, longitude: 11.5756, radius: 150}
routes:
  home_from_work:
    - [48.1900, 11.6300]                    # latitude, longitude
    - {latitude: 48.18, longitude: 11.62, speed_limit_kmh: 70, stop_s: 20, grade: 0.03}
events:
  - {at: "18:00", do: drive, route: home_from_work}
  - {at: "18:14", do: plug, power_kw: 11}
```
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from homebound.energy.config import EnergyConfig
from homebound.model.errors import HomeboundError
from homebound.model.time_of_day import parse_clock
from homebound.model.yaml_text import parse_yaml
from homebound.simulators.household.setup import SiteSetup
from homebound.simulators.vehicle.models import MODELS
from homebound.simulators.vehicle.route import Route, Waypoint

Clock = Annotated[dt.time, BeforeValidator(parse_clock)]


class ScenarioError(HomeboundError):
    pass


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    radius: float = Field(150.0, gt=0)


class Point(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    speed_limit_kmh: float = Field(50.0, gt=0, le=250)
    stop_s: float = Field(0.0, ge=0)
    grade: float = Field(0.0, ge=-0.3, le=0.3)

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, value: object) -> object:
        if isinstance(value, list | tuple) and len(value) == 2:
            return {"latitude": value[0], "longitude": value[1]}
        return value


class VehicleSetup(Strict):
    id: str = "car1"
    model: Literal["compact_sedan", "suv"] = "compact_sedan"
    soc: float = Field(60.0, ge=0, le=100)
    odometer_km: float = Field(12_000.0, ge=0)
    outside_c: float = Field(12.0, ge=-40, le=50)
    charge_limit: int = Field(80, ge=50, le=100)
    vin: str | None = None


class Event(Strict):
    at: Clock
    do: Literal["drive", "plug", "unplug"]
    route: str | None = None
    power_kw: float = Field(11.0, gt=0, le=400)
    dc: bool = False


class Scenario(Strict):
    name: str
    description: str = ""
    date: dt.date | None = Field(None, description="the day it starts (the sun depends on it); none: today")
    timezone: str | None = Field(None, description="where its times of day are (IANA name); none: this machine's")
    speed: float | None = Field(None, gt=0, le=5_000, description="simulated seconds per real second the demo "
                                                                 "uses unless told otherwise")
    start: Clock
    end: Clock | None = Field(None, description="the run stops at this time of day (the next day if before start)")
    vehicle: VehicleSetup = VehicleSetup()
    home: Place
    start_at: Literal["home", "route_start"] = "route_start"
    routes: dict[str, list[Point]] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    site: SiteSetup | None = Field(None, description="the household's electricity: sun, clouds, load, fuse")
    energy: EnergyConfig | None = Field(None, description="smart charging, as in the configuration file")
    habits: dict[str, Clock] = Field(default_factory=dict, description="usual departures (weekday: time) the "
                                                                       "car's past drives show")

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        if self.timezone is not None:
            try:
                zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"timezone {self.timezone!r} is not a known time zone (like Europe/Berlin)") from None
        for event in self.events:
            if event.do == "drive" and event.route not in self.routes:
                raise ValueError(f"event at {event.at}: route {event.route!r} is not one of "
                                 f"{', '.join(self.routes)}")
        for name, points in self.routes.items():
            if len(points) < 2:
                raise ValueError(f"route {name!r} needs at least two points")
        return self

    def route(self, name: str) -> Route:
        return Route([Waypoint(p.latitude, p.longitude, p.speed_limit_kmh, p.stop_s, p.grade)
                      for p in self.routes[name]])

    def tzinfo(self) -> dt.tzinfo | None:
        """The scenario's time zone; None: this machine's local time."""
        return zoneinfo.ZoneInfo(self.timezone) if self.timezone else None

    @property
    def model(self):  # type: ignore[no-untyped-def]
        return MODELS[self.vehicle.model]


def load_scenario(path: Path) -> Scenario:
    try:
        document = parse_yaml(path.read_text(encoding="utf-8")).document
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML: {error}") from None
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ScenarioError(f"{path}: invalid scenario: {problems}") from None
