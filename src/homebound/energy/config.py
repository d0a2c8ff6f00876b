"""The `energy:` section of the configuration: which device plays which role, the tariff, the charge points.

Roles name a thing and its datapoints, as discovered (`wallbox` and `Number.CurrentLimit.Value`), so any wallbox,
meter or inverter that joins by MQTT discovery can take part. Validated with pydantic; docs/energy.md has a
complete example.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from homebound.model.time_of_day import parse_clock, parse_weekdays

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class ChargeMode(StrEnum):
    """How a charge point charges: not at all, as fast as allowed, from surplus only, surplus with a minimum,
    or to a plan (a target by a departure, cheapest hours and the sun)."""

    OFF = "off"
    NOW = "now"
    SOLAR = "solar"
    SOLAR_MIN = "solar_min"
    PLAN = "plan"


Clock = Annotated[dt.time, BeforeValidator(parse_clock)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeterRole(Strict):
    """A power reading: one datapoint, or (grid meters) one for import and one for export."""

    thing: str
    power: str = Field(description="datapoint of the power: grid import (export negative), or production")
    export_power: str | None = Field(None, description="grid meters with two readings: the export, positive")
    unit: Literal["W", "kW"] = "W"
    invert: bool = Field(False, description="the meter counts export as positive")


class BatteryRole(MeterRole):
    """A home battery: `power` positive while it discharges."""

    soc: str | None = None
    priority_soc: float = Field(50.0, ge=0, le=100, description="below this the battery charges before the car")


class WallboxRole(Strict):
    """A wallbox's datapoints. The current limit is a command confirmed by the wallbox's state."""

    thing: str
    plugged: str
    power: str
    current_limit: str
    enable: str | None = Field(None, description="switch that allows charging (else the car's StartStopCharging)")
    charging: str | None = Field(None, description="sensor: the car is drawing")
    energy: str | None = None
    phases_switch: str | None = Field(None, description="select or number taking 1 or 3; none: fixed phases")
    power_unit: Literal["W", "kW"] = "W"
    phases: Literal[1, 3] = 3
    min_current_a: float = Field(6.0, ge=1, le=80)
    max_current_a: float = Field(16.0, ge=1, le=80)
    current_step_a: float = Field(1.0, gt=0, le=10)
    response_s: float = Field(5.0, ge=0, le=120, description="how long the car takes to follow a new current")

    @model_validator(mode="after")
    def _currents(self) -> WallboxRole:
        if self.max_current_a < self.min_current_a:
            raise ValueError(f"max_current_a ({self.max_current_a:g}) is below min_current_a "
                             f"({self.min_current_a:g})")
        return self


class SolarSettings(Strict):
    enable_threshold_w: float = Field(0.0, ge=-5_000, le=50_000)
    disable_threshold_w: float = Field(0.0, ge=-5_000, le=50_000)
    enable_delay_s: float = Field(60.0, ge=0, le=3_600)
    disable_delay_s: float = Field(180.0, ge=0, le=3_600)
    guard_s: float = Field(300.0, ge=0, le=3_600, description="least time between two contactor switches")


class PlanSettings(Strict):
    target_soc: float = Field(80.0, ge=1, le=100)
    departures: dict[str, Clock] = Field(default_factory=dict, description="weekday -> time, e.g. mon: '07:30'")
    predict_departures: bool = True
    min_confidence: float = Field(0.6, ge=0, le=1)
    solar_confidence: float = Field(0.8, ge=0, le=1, description="share of forecast solar the plan counts on")

    @field_validator("departures")
    @classmethod
    def _weekdays(cls, value: dict[str, dt.time]) -> dict[str, dt.time]:
        return {parse_weekdays(day)[0]: clock for day, clock in value.items()}


class ChargePointConfig(Strict):
    name: str = Field(pattern=_NAME)
    title: str = ""
    wallbox: WallboxRole
    vehicle: str | None = Field(None, description="the hub's vehicle charging here (its SoC plans the charge)")
    battery_kwh: float | None = Field(None, gt=0, le=300, description="if the car does not report NetCapacity")
    efficiency: float = Field(0.9, gt=0.3, le=1)
    mode: ChargeMode = ChargeMode.SOLAR
    solar: SolarSettings = SolarSettings()
    plan: PlanSettings = PlanSettings()


class TariffZone(Strict):
    start: Clock = Field(alias="from")
    end: Clock = Field(alias="to")
    price: float = Field(ge=-10, le=100)
    weekdays: list[str] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(parse_weekdays(value))


class TariffConfig(Strict):
    """`fixed`: one price. `time_of_day`: zones over a default price. `dynamic`: a series fed over MQTT (the
    topic below) or REST, with a fallback price where none is known."""

    kind: Literal["fixed", "time_of_day", "dynamic"] = "fixed"
    price: float = Field(0.30, ge=-10, le=100, description="fixed price, default price, or dynamic fallback")
    zones: list[TariffZone] = Field(default_factory=list)
    mqtt_topic: str | None = Field(None, description="dynamic: MQTT topic carrying the price series (JSON)")
    feed_in: float = Field(0.08, ge=-10, le=100, description="what exported solar earns per kWh")
    reference_price: float | None = Field(None, ge=-10, le=100, description="savings are counted against this")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _zones(self) -> TariffConfig:
        if self.kind == "time_of_day" and not self.zones:
            raise ValueError("a time_of_day tariff needs zones (from, to, price)")
        if self.mqtt_topic is not None and ("#" in self.mqtt_topic or "+" in self.mqtt_topic):
            raise ValueError("mqtt_topic is one topic, without wildcards")
        return self


class SolarArrayConfig(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    peak_w: float = Field(gt=0, le=1_000_000)
    derate: float = Field(0.85, gt=0, le=1)


class SiteConfig(Strict):
    limit_w: float | None = Field(None, gt=0, le=1_000_000, description="most the house may import")
    main_fuse_a: float | None = Field(None, gt=0, le=1_000, description="or: the main fuse, per phase")
    phases: Literal[1, 3] = 3
    voltage: float = Field(230.0, ge=100, le=400)
    margin_w: float = Field(0.0, ge=0, le=100_000)
    grid: MeterRole | None = None
    solar: MeterRole | None = None
    battery: BatteryRole | None = None
    array: SolarArrayConfig | None = Field(None, description="the roof's panels, for the solar forecast")

    @model_validator(mode="after")
    def _one_limit(self) -> SiteConfig:
        if self.limit_w is not None and self.main_fuse_a is not None:
            raise ValueError("give limit_w or main_fuse_a, not both")
        if (self.limit_w is not None or self.main_fuse_a is not None) and self.grid is None:
            raise ValueError("a household limit needs a grid meter (site.grid) to know the other loads")
        return self

    @property
    def import_limit_w(self) -> float | None:
        if self.main_fuse_a is not None:
            return self.main_fuse_a * self.phases * self.voltage
        return self.limit_w


class EnergyConfig(Strict):
    timezone: str | None = Field(None, description="IANA name (Europe/Berlin); none: the machine's")
    interval_s: float = Field(10.0, ge=0.5, le=300, description="control cycle, in the clock's seconds")
    site: SiteConfig = SiteConfig()
    tariff: TariffConfig = TariffConfig()
    charge_points: list[ChargePointConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not a known time zone (IANA name like Europe/Berlin)") from None
        return value

    @field_validator("charge_points")
    @classmethod
    def _unique(cls, points: list[ChargePointConfig]) -> list[ChargePointConfig]:
        seen: set[str] = set()
        for point in points:
            if point.name in seen:
                raise ValueError(f"charge point name {point.name!r} appears twice")
            seen.add(point.name)
        return points

    def tzinfo(self) -> dt.tzinfo:
        if self.timezone is not None:
            return zoneinfo.ZoneInfo(self.timezone)
        local = dt.datetime.now().astimezone().tzinfo
        assert local is not None
        return local
