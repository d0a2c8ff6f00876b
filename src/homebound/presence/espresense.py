"""ESPresense's Bluetooth reports: `<root>/devices/<tag>/<station>` with JSON, one per sighting of a known
phone or tag by a base station (`distance` in metres, `rssi`, `rssi@1m`, `raw`, `speed`...).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from homebound.model.errors import HomeboundError

MAX_PAYLOAD = 4 * 1024
MAX_DISTANCE_M = 100.0


class EspresenseError(HomeboundError):
    """A report Homebound cannot use; the message says what was wrong."""


@dataclass(frozen=True, slots=True)
class Sighting:
    tag: str
    station: str
    distance_m: float
    rssi: float | None = None


def parse(topic: str, payload: bytes, root: str = "espresense") -> Sighting:
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != root or parts[1] != "devices" or not parts[2] or not parts[3]:
        raise EspresenseError(f"{topic[:120]}: expected {root}/devices/<tag>/<station>")
    if len(payload) > MAX_PAYLOAD:
        raise EspresenseError(f"{topic[:120]}: payload of {len(payload)} bytes is larger than {MAX_PAYLOAD}")
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise EspresenseError(f"{topic[:120]}: payload is not JSON: {payload[:60]!r}") from None
    if not isinstance(document, dict):
        raise EspresenseError(f"{topic[:120]}: payload must be a JSON object")
    distance = document.get("distance")
    if isinstance(distance, bool) or not isinstance(distance, int | float) or not math.isfinite(distance) \
            or not 0 <= distance <= MAX_DISTANCE_M:
        raise EspresenseError(f"{topic[:120]}: 'distance' must be metres in 0..{MAX_DISTANCE_M:g}, "
                              f"not {str(distance)[:40]}")
    rssi = document.get("rssi")
    rssi_value = float(rssi) if isinstance(rssi, int | float) and not isinstance(rssi, bool) and math.isfinite(
        rssi) else None
    return Sighting(parts[2][:100], parts[3][:100], float(distance), rssi_value)
