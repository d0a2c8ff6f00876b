"""What a vehicle log needs besides the sessions: its thresholds (`LogRules`), where its results go
(`SessionSink`), how sessions are named, and which readings matter to which session."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Protocol

from homebound.history.charges import Charge
from homebound.history.drives import Drive
from homebound.history.parked import ParkedPeriod
from homebound.history.signals import Reading

MIN_TS = 946_684_800.0        # 2000-01-01: earlier timestamps are a clock that was never set
MAX_TS = 32_503_680_000.0     # 3000-01-01
MAX_FUTURE_S = 86_400.0       # a batch this far ahead of the hub's clock...
MAX_FORWARD_JUMP_S = 30 * 86_400.0  # ...that also jumps this far past the car's last data is not believed
MAX_COUNTER_RATE = {Reading.ODOMETER: 170.0,          # m/s, above any road car
                    Reading.CONSUMED_ENERGY: 0.6,     # kWh/s (about 2 MW)
                    Reading.CHARGED_ENERGY: 0.6}
COUNTERS = frozenset(MAX_COUNTER_RATE)
DRIVE_FIGURES = frozenset({Reading.SPEED, Reading.ODOMETER, Reading.CONSUMED_ENERGY, Reading.CHARGED_ENERGY,
                           Reading.OUTSIDE_TEMPERATURE})
CHARGE_FIGURES = frozenset({Reading.CHARGED_ENERGY, Reading.BATTERY_POWER, Reading.DC_CURRENT,
                            Reading.AC_CURRENT})
SOCS = frozenset({Reading.SOC, Reading.SOC_DISPLAYED})
OBSERVED = DRIVE_FIGURES | CHARGE_FIGURES | SOCS | {Reading.PLUGGED}


class SessionSink(Protocol):
    """Where a vehicle log's results go: events for automations, rows for the database."""

    def event(self, vehicle: str, name: str, data: dict[str, object]) -> None: ...
    def drive_ended(self, drive: Drive, track: list[list[float | None]]) -> None: ...
    def charge_ended(self, charge: Charge, curve: list[list[float | None]]) -> None: ...
    def parked_ended(self, period: ParkedPeriod) -> None: ...
    def track_points(self, drive_id: str, points: list[list[float | None]]) -> None: ...
    def curve(self, charge_id: str, points: list[list[float | None]]) -> None: ...
    def checkpoint(self, vehicle: str, state: str | None) -> None: ...


@dataclass(frozen=True, slots=True)
class LogRules:
    """The thresholds of detection (from `HistoryConfig`)."""

    min_distance_m: float = 10.0
    end_after_stationary_s: float = 180.0
    offline_end_s: float = 600.0
    max_gap_s: float = 1800.0
    merge_gap_s: float = 60.0
    min_charge_power_w: float = 500.0
    checkpoint_s: float = 30.0


def session_id(ts: float) -> str:
    """Readable, sortable and unique: the start in UTC and 24 random bits (`20261125T080012-a1b2c3`)."""
    return f"{dt.datetime.fromtimestamp(ts, dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
