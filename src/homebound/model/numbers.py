"""Numbers as values arrive: booleans are not numbers, and "above/below" ranges are open, as in Home Assistant."""

from __future__ import annotations


def as_number(value: object) -> float | None:
    """The value as a float, or None when it is not a number (True and False are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def within(value: object, above: float | None, below: float | None) -> bool | None:
    """Whether a number lies strictly above `above` and strictly below `below`; None when it is not a number."""
    number = as_number(value)
    if number is None:
        return None
    return (above is None or number > above) and (below is None or number < below)
