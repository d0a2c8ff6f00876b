"""Car events: what automations can trigger on when a car's story moves on.

The events come from the session tracker of `homebound.history` (one source of truth: the drive an automation
reacts to is the drive the history shows), with the session's figures as trigger data:

- `drive_started`: the car left park and covered the minimum distance; `drive_ended`: back in park (or stood
  still long enough), with distance, duration, speeds, energy, efficiency, state of charge, places;
- `charge_started`, `charge_ended`: a charging session, with energy added, power, cost and `end_reason`
  (`limit_reached`, `unplugged`, `stopped`); a charger that stops and restarts within a minute stays one session;
- `plugged_in`, `unplugged`: the charging cable.

The names of earlier versions still work: `trip_started`, `trip_ended`, `charging_started`, `charging_stopped`.
"""

from __future__ import annotations

EVENTS = ("drive_started", "drive_ended", "charge_started", "charge_ended", "plugged_in", "unplugged")
ALIASES = {"trip_started": "drive_started", "trip_ended": "drive_ended", "charging_started": "charge_started",
           "charging_stopped": "charge_ended"}


def canonical_event(name: object) -> object:
    """The current name of an event (earlier names map to theirs); anything else is left for the schema to refuse."""
    return ALIASES.get(name, name) if isinstance(name, str) else name
