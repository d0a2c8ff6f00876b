"""Each charge point is a thing of the hub, so its mode is changed like any actuator: by `Hub.command`.

`chargepoint.<name>` has actuators for the mode, the plan's target and a one-off departure, and sensors for what
it is doing. The REST API, the command line and automations (`action: command`) all change a mode the same way,
through the hub's command door, with the command confirmed once the controller took it; automations can also
trigger on the status. The energy service owns these things: it carries out their commands and reports their
state through `Hub.ingest`.
"""

from __future__ import annotations

import datetime as dt

from homebound.energy.config import ChargeMode
from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.errors import HomeboundError
from homebound.model.signal import SignalKind, SignalMetadata

PREFIX = "chargepoint."
MODE = "ChargePoint.Mode"
TARGET_SOC = "ChargePoint.TargetSoc"
DEPARTURE = "ChargePoint.Departure"
STATUS = "ChargePoint.Status"
PLAN = "ChargePoint.Plan"
POWER = "ChargePoint.Power"
IS_CHARGING = "ChargePoint.IsCharging"
SESSION_ENERGY = "ChargePoint.Session.Energy"
SESSION_SOLAR_SHARE = "ChargePoint.Session.SolarShare"
SESSION_COST = "ChargePoint.Session.Cost"
MAX_DEPARTURE_AHEAD = dt.timedelta(days=7)


def thing_id(name: str) -> str:
    return PREFIX + name


def catalog(name: str) -> Catalog:
    actuator, sensor = SignalKind.ACTUATOR, SignalKind.SENSOR
    return Catalog([
        SignalMetadata(MODE, actuator, DataType.STRING, "charging mode", allowed=tuple(m.value for m in ChargeMode)),
        SignalMetadata(TARGET_SOC, actuator, DataType.UINT8, "the plan's target state of charge", unit="percent",
                       min=1, max=100),
        SignalMetadata(DEPARTURE, actuator, DataType.STRING,
                       "one-off departure: 'HH:MM' (the next one), an ISO date and time, or '' for none"),
        SignalMetadata(STATUS, sensor, DataType.STRING, "what the charge point is doing, in words"),
        SignalMetadata(PLAN, sensor, DataType.STRING, "the charging plan, in words"),
        SignalMetadata(POWER, sensor, DataType.FLOAT, "charging power", unit="W"),
        SignalMetadata(IS_CHARGING, sensor, DataType.BOOLEAN, "the car is drawing power"),
        SignalMetadata(SESSION_ENERGY, sensor, DataType.FLOAT, "energy charged this session", unit="kWh"),
        SignalMetadata(SESSION_SOLAR_SHARE, sensor, DataType.FLOAT, "share of this session's energy from the sun",
                       unit="percent", min=0, max=100),
        SignalMetadata(SESSION_COST, sensor, DataType.FLOAT, "this session's cost (grid paid plus feed-in given up)"),
    ], name=f"charge point {name}")


def parse_departure(text: str, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
    """A one-off departure: '' clears it; 'HH:MM' is the next such time; else an ISO date and time (local if it
    names no zone), which must lie ahead, within a week."""
    text = text.strip()
    if not text:
        return None
    if len(text) <= 5 and ":" in text:
        try:
            clock = dt.time.fromisoformat(text.zfill(5))
        except ValueError:
            raise HomeboundError(f"departure {text[:40]!r} is not a time: use HH:MM") from None
        at = dt.datetime.combine(now.astimezone(tz).date(), clock, tzinfo=tz)
        return at if at > now else at + dt.timedelta(days=1)
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise HomeboundError(f"departure {text[:40]!r} is neither HH:MM nor an ISO date and time "
                             "(2025-06-11T07:30)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    if at <= now:
        raise HomeboundError(f"departure {text[:40]!r} has already passed")
    if at - now > MAX_DEPARTURE_AHEAD:
        raise HomeboundError(f"departure {text[:40]!r} is more than a week ahead")
    return at
