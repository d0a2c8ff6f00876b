"""Reading a price series sent from outside (MQTT payload or REST body) into price slots, defensively.

Accepted: `{"prices": [...]}` or a bare list; each item with a start (`start`, `startsAt`, `from`: an ISO date
and time, or epoch seconds), an optional end (`end`, `endsAt`, `to`; else the next item's start, or an hour),
and a price per kWh (`price`, `total`, `value`). Tibber's and most utilities' JSON fit. The payload is bounded
in size, each bad item is named with why, and the good ones are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from homebound.energy.tariffs import MAX_SLOTS_PER_UPDATE, PriceSlot

MAX_PAYLOAD_BYTES = 1_000_000
START_KEYS = ("start", "startsAt", "from", "start_time")
END_KEYS = ("end", "endsAt", "to", "end_time")
PRICE_KEYS = ("price", "total", "value")


class PriceSeriesError(ValueError):
    """The payload as a whole is unusable (not JSON, too big, no list of prices)."""


def _instant(value: object, tz: dt.tzinfo) -> float:
    if isinstance(value, bool):
        raise ValueError("a time, not a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("a time must be finite")
        return float(value)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not an ISO date and time") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).timestamp()
    raise ValueError(f"{str(value)[:40]!r} is not a time")


def _first(item: dict[str, object], keys: tuple[str, ...]) -> object | None:
    for key in keys:
        if key in item and item[key] is not None:
            return item[key]
    return None


def parse_price_series(payload: bytes | str, tz: dt.tzinfo) -> tuple[list[PriceSlot], list[str]]:
    """The slots in `payload` and a message for each item that was not usable."""
    raw = payload.encode() if isinstance(payload, str) else payload
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise PriceSeriesError(f"price series of {len(raw)} bytes is larger than {MAX_PAYLOAD_BYTES}")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise PriceSeriesError(f"price series is not JSON: {str(error)[:120]}") from None
    items = document.get("prices") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise PriceSeriesError("price series must be a list of prices or an object with a 'prices' list")
    errors: list[str] = []
    parsed: list[tuple[int, float, float | None, float]] = []
    for index, item in enumerate(items[:MAX_SLOTS_PER_UPDATE]):
        if not isinstance(item, dict):
            errors.append(f"price {index}: not an object")
            continue
        try:
            start_raw = _first(item, START_KEYS)
            if start_raw is None:
                raise ValueError(f"no start ({', '.join(START_KEYS)})")
            start = _instant(start_raw, tz)
            end_raw = _first(item, END_KEYS)
            end = None if end_raw is None else _instant(end_raw, tz)
            price = _first(item, PRICE_KEYS)
            if isinstance(price, bool) or not isinstance(price, int | float):
                raise ValueError(f"no numeric price ({', '.join(PRICE_KEYS)})")
            parsed.append((index, start, end, float(price)))
        except ValueError as error:
            errors.append(f"price {index}: {error}")
    if len(items) > MAX_SLOTS_PER_UPDATE:
        errors.append(f"{len(items)} prices: only the first {MAX_SLOTS_PER_UPDATE} were read")
    parsed.sort(key=lambda p: p[1])
    slots = []
    for position, (_index, start, end, price) in enumerate(parsed):
        if end is None:
            end = parsed[position + 1][1] if position + 1 < len(parsed) else start + 3600.0
        slots.append(PriceSlot(start, end, price))
    return slots, errors
