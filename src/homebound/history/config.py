"""The `history:` section of the configuration: how the car's story is told and how much raw data is kept.

Everything has a default that suits one household; `docs/history.md` documents every key with an example.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from homebound.model.time_of_day import parse_clock

Clock = Annotated[dt.time, BeforeValidator(parse_clock)]
EVERYWHERE = "*"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DrivesConfig(Strict):
    """When a drive starts and ends (see docs/history.md, "Drives")."""

    min_distance_m: float = Field(10.0, ge=0, description="shorter moves out of park are not drives")
    end_after_stationary_s: float | None = Field(
        None, gt=0, description="without gear data, standing still this long ends a drive "
                                "(default: automations.trip_end_after_s)")
    offline_end_s: float = Field(600.0, gt=0, description="no data this long while standing still ends a drive")
    max_gap_s: float = Field(1800.0, gt=0, description="a gap in the data this long ends a drive even if it was "
                                                       "moving before")


class ChargesConfig(Strict):
    """When a charging session ends."""

    merge_gap_s: float = Field(60.0, ge=0, description="a charger that stops and restarts within this is one "
                                                       "session")
    min_power_w: float = Field(500.0, gt=0, description="without IsCharging, battery power above this while "
                                                        "parked means charging")


class TimeOfDayPrice(Strict):
    """A price that applies between two times of day (local time; may wrap past midnight: 22:00 to 06:00)."""

    start: Clock
    end: Clock
    price_per_kwh: float = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _not_empty(self) -> TimeOfDayPrice:
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start}: the window would be empty")
        return self


class TariffConfig(Strict):
    """The price of electricity at a place: a zone's id, or `*` for everywhere without a tariff of its own."""

    zone: str = Field(min_length=1, max_length=128)
    price_per_kwh: float = Field(ge=0, le=1000)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    time_of_day: list[TimeOfDayPrice] = Field(default_factory=list, max_length=48)


class DeadbandRule(Strict):
    """What change of a signal is worth recording.

    `delta`: a number that moved less than this since the last recorded value is not recorded. `distance_m`: for
    the position (`Vehicle.CurrentLocation.Latitude`/`Longitude`, recorded as a pair), a fix closer than this to
    the last recorded one is not recorded. `max_interval_s`: record at least this often even without change.
    """

    delta: float | None = Field(None, ge=0)
    distance_m: float | None = Field(None, ge=0)
    max_interval_s: float | None = Field(None, gt=0)


class RecordingConfig(Strict):
    """How much raw history is kept: a deadband per signal, then downsampling and deletion by age."""

    deadband: bool = Field(True, description="false: record every accepted value")
    signals: dict[str, DeadbandRule] = Field(default_factory=dict,
                                             description="rules by leaf, branch or wildcard path")
    max_interval_s: float = Field(300.0, gt=0, description="an unchanged signal is still recorded this often")
    settle_s: float = Field(5.0, ge=0, description="a value held back by the deadband is written once it has "
                                                   "been the latest this long (wall seconds)")
    raw_days: float = Field(30.0, gt=0, description="every recorded value is kept this long")
    downsample_s: float = Field(60.0, gt=0, description="older values: the last of each signal per this many "
                                                        "seconds")
    keep_days: float | None = Field(None, gt=0, description="delete raw history older than this; none: keep")
    run_every_s: float = Field(3600.0, gt=0, description="how often retention runs while serving")

    @model_validator(mode="after")
    def _keep_after_raw(self) -> RecordingConfig:
        if self.keep_days is not None and self.keep_days < self.raw_days:
            raise ValueError(f"keep_days ({self.keep_days:g}) is shorter than raw_days ({self.raw_days:g})")
        return self


class HistoryConfig(Strict):
    """Drives, charges, parking, battery and costs, told from the data as it arrives."""

    timezone: str | None = Field(None, description="the household's time zone (IANA name) for days, weeks and "
                                                   "time-of-day prices; default: the system's")
    drives: DrivesConfig = DrivesConfig()
    charges: ChargesConfig = ChargesConfig()
    tariffs: list[TariffConfig] = Field(default_factory=list)
    capacity_kwh: dict[str, float] = Field(default_factory=dict,
                                           description="usable battery capacity by vehicle id, when the car "
                                                       "does not report it")
    checkpoint_s: float = Field(30.0, gt=0, description="an open session is saved at least this often (data "
                                                        "time), so a restart resumes it")
    recording: RecordingConfig = RecordingConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name is not None:
            try:
                zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{name!r} is not a time zone name (like Europe/Berlin or UTC)") from None
        return name

    @field_validator("tariffs")
    @classmethod
    def _one_per_zone(cls, tariffs: list[TariffConfig]) -> list[TariffConfig]:
        seen: set[str] = set()
        for tariff in tariffs:
            if tariff.zone in seen:
                raise ValueError(f"zone {tariff.zone!r} has two tariffs")
            seen.add(tariff.zone)
        return tariffs

    @field_validator("capacity_kwh")
    @classmethod
    def _plausible_capacity(cls, capacities: dict[str, float]) -> dict[str, float]:
        for vehicle, kwh in capacities.items():
            if not 1 <= kwh <= 1000:
                raise ValueError(f"{vehicle}: {kwh:g} kWh is not a battery capacity (1..1000 kWh)")
        return capacities

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone) if self.timezone else local_zone()


def local_zone() -> zoneinfo.ZoneInfo:
    """The system's time zone as an IANA zone (so daylight saving is right), UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = Path("/etc/localtime").resolve()
            parts = target.parts
            name = "/".join(parts[parts.index("zoneinfo") + 1:]) if "zoneinfo" in parts else ""
        except OSError:
            name = ""
    if not name:
        try:
            name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        except OSError:
            name = ""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
