"""OwnTracks' JSON messages (owntracks.org booklet, "JSON"), read and written: the phone's own protocol.

Reading is strict about what Homebound uses and lenient about the rest, as the apps' own backends are: a
payload is at most 64 KiB of JSON, `_type` says what it is, numbers must be finite and coordinates on the
Earth; unknown keys are ignored, and types Homebound has no use for (`beacon`, `steps`, `status`...) are
`Ignored`. Anything else raises `OwnTracksError` naming what was wrong.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from homebound.model.errors import HomeboundError

MAX_PAYLOAD = 64 * 1024
MAX_TEXT = 200


class OwnTracksError(HomeboundError):
    """An OwnTracks payload Homebound cannot use; the message says what was wrong."""


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    tst: float
    acc: float | None = None
    batt: int | None = None
    vel: float | None = None
    tid: str | None = None
    trigger: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    event: str  # "enter" or "leave"
    desc: str
    tst: float
    lat: float | None = None
    lon: float | None = None
    acc: float | None = None


@dataclass(frozen=True, slots=True)
class Waypoint:
    desc: str
    lat: float
    lon: float
    rad: float | None = None
    tst: float | None = None


@dataclass(frozen=True, slots=True)
class Waypoints:
    waypoints: tuple[Waypoint, ...]


@dataclass(frozen=True, slots=True)
class LastWill:
    tst: float | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    type: str


Message = Location | Transition | Waypoint | Waypoints | LastWill | Ignored


def parse(payload: bytes) -> Message:
    """One OwnTracks message; OwnTracksError if it is not one Homebound can use."""
    if len(payload) > MAX_PAYLOAD:
        raise OwnTracksError(f"payload of {len(payload)} bytes is larger than {MAX_PAYLOAD}")
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise OwnTracksError(f"payload is not JSON: {payload[:60]!r}") from None
    except RecursionError:
        raise OwnTracksError("payload is nested too deeply") from None
    return read(document)


def read(document: object) -> Message:
    if not isinstance(document, dict):
        raise OwnTracksError(f"a message is a JSON object, not {type(document).__name__}")
    kind = document.get("_type")
    if not isinstance(kind, str):
        raise OwnTracksError("a message needs '_type' (location, transition, waypoint, lwt, ...)")
    if kind == "location":
        return Location(_latitude(document), _longitude(document), _time(document, "tst"),
                        _optional(document, "acc", 0, 1e7), _battery(document), _optional(document, "vel", 0, 2000),
                        _text(document, "tid", 8), _text(document, "t", 4))
    if kind == "transition":
        event = document.get("event")
        if event not in ("enter", "leave"):
            raise OwnTracksError(f"transition 'event' must be enter or leave, not {str(event)[:40]!r}")
        return Transition(str(event), _text(document, "desc") or "", _time(document, "tst"),
                          _latitude(document) if "lat" in document else None,
                          _longitude(document) if "lon" in document else None, _optional(document, "acc", 0, 1e7))
    if kind == "waypoint":
        return _waypoint(document)
    if kind == "waypoints":
        items = document.get("waypoints")
        if not isinstance(items, list):
            raise OwnTracksError("waypoints needs 'waypoints' as a list")
        return Waypoints(tuple(_waypoint(item) for item in items[:500] if isinstance(item, dict)))
    if kind == "lwt":
        return LastWill(_optional(document, "tst", 0, 1e11))
    return Ignored(kind[:40])


def _waypoint(document: dict[str, object]) -> Waypoint:
    desc = _text(document, "desc")
    if not desc:
        raise OwnTracksError("a waypoint needs 'desc' (its name)")
    return Waypoint(desc, _latitude(document), _longitude(document), _optional(document, "rad", 0, 1e7),
                    _optional(document, "tst", 0, 1e11))


def _number(document: dict[str, object], key: str) -> float | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise OwnTracksError(f"{key!r} must be a number, not {type(value).__name__}")
    try:
        number = float(value)  # the apps sent numbers as strings before 2016: still accepted
    except ValueError:
        raise OwnTracksError(f"{key!r} must be a number, not {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise OwnTracksError(f"{key!r} must be a finite number, not {value!r}")
    return number


def _ranged(document: dict[str, object], key: str, low: float, high: float) -> float:
    number = _number(document, key)
    if number is None:
        raise OwnTracksError(f"{key!r} is missing")
    if not low <= number <= high:
        raise OwnTracksError(f"{key!r} {number} is outside {low}..{high}")
    return number


def _optional(document: dict[str, object], key: str, low: float, high: float) -> float | None:
    return None if document.get(key) is None else _ranged(document, key, low, high)


def _latitude(document: dict[str, object]) -> float:
    return _ranged(document, "lat", -90, 90)


def _longitude(document: dict[str, object]) -> float:
    return _ranged(document, "lon", -180, 180)


def _time(document: dict[str, object], key: str) -> float:
    return _ranged(document, key, 0, 1e11)


def _battery(document: dict[str, object]) -> int | None:
    value = _optional(document, "batt", -1, 100)
    return None if value is None or value < 0 else round(value)


def _text(document: dict[str, object], key: str, limit: int = MAX_TEXT) -> str | None:
    value = document.get(key)
    return None if value is None else str(value)[:limit]


# ---- writing: what Homebound sends to the phones ---------------------------------------------------------------

def location_message(lat: float, lon: float, tst: float, tid: str, acc: float | None = None,
                     batt: int | None = None, vel: float | None = None) -> dict[str, object]:
    """A friend's (or the car's) location, as the apps show it on their map."""
    message: dict[str, object] = {"_type": "location", "lat": round(lat, 6), "lon": round(lon, 6),
                                  "tst": int(tst), "tid": tid[:2]}
    for key, value in (("acc", acc), ("batt", batt), ("vel", vel)):
        if value is not None:
            message[key] = round(value)
    return message


def card_message(name: str) -> dict[str, object]:
    """A friend's name (the apps show it instead of the tracker id)."""
    return {"_type": "card", "name": name[:MAX_TEXT]}


def notification_message(text: str) -> dict[str, object]:
    """A notification the app shows (`cmd` with action `action`: the text in the app, and as a notification)."""
    return {"_type": "cmd", "action": "action", "content": text[:4000], "notify": text[:MAX_TEXT]}


def tid_for(name: str) -> str:
    """Two letters for a name, as the apps' faces show: initials, else its first two characters."""
    words = [w for w in name.replace("_", " ").replace("-", " ").split() if w]
    letters = "".join(w[0] for w in words[:2]) if len(words) > 1 else name[:2]
    return (letters or "??").upper()[:2]
