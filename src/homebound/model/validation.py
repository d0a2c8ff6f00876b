"""Compile a signal's metadata into one fast check, run on every write.

Validation sits on the ingest hot path, so each signal gets a closure specialised for its datatype and limits
once, when the catalog is loaded, instead of re-reading the metadata for every value.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from homebound.model.datatypes import FLOAT32_MAX, INTEGER_RANGES, DataType
from homebound.model.errors import InvalidValue
from homebound.model.limits import DEFAULT_LIMITS, Limits, shown
from homebound.model.signal import Scalar, SignalMetadata, Value

Validator = Callable[[object], Value]
ScalarCheck = Callable[[object], Scalar]


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _integer_check(datatype: DataType, low: float | None, high: float | None) -> ScalarCheck:
    type_low, type_high = INTEGER_RANGES[datatype]
    floor = type_low if low is None else max(type_low, low)
    ceiling = type_high if high is None else min(type_high, high)
    name = datatype.value

    def check(value: object) -> int:
        kind = type(value)
        if kind is int:
            number: int = value  # type: ignore[assignment]
        elif kind is float and value.is_integer():  # type: ignore[attr-defined]
            number = int(value)  # type: ignore[call-overload]
        else:
            if kind is float:
                raise InvalidValue(f"value {shown(value)} is not a whole number; {name} needs an integer")
            raise InvalidValue(f"value {shown(value)} ({_type_name(value)}) is not an integer; {name} needs one")
        if number < floor or number > ceiling:
            if number < type_low or number > type_high:
                raise InvalidValue(f"value {number} does not fit {name} ({type_low}..{type_high})")
            raise InvalidValue(f"value {number} is outside the allowed range [{_n(floor)}..{_n(ceiling)}]")
        return number

    return check


def _float_check(datatype: DataType, low: float | None, high: float | None) -> ScalarCheck:
    limit = FLOAT32_MAX if datatype is DataType.FLOAT else sys.float_info.max
    floor = -limit if low is None else float(low)
    ceiling = limit if high is None else float(high)
    name = datatype.value

    def check(value: object) -> float:
        kind = type(value)
        if kind is float:
            number: float = value  # type: ignore[assignment]
        elif kind is int:
            if abs(value) > limit:  # type: ignore[arg-type]  # JSON integers have no size: float() would overflow
                raise InvalidValue(f"value {shown(value)} does not fit {name}")
            number = float(value)  # type: ignore[arg-type]
        else:
            raise InvalidValue(f"value {shown(value)} ({_type_name(value)}) is not a number; {name} needs one")
        if not (floor <= number <= ceiling):
            if number != number:
                raise InvalidValue(f"value NaN is not a number; {name} needs a finite one")
            if abs(number) > limit:
                raise InvalidValue(f"value {number!r} does not fit {name}")
            raise InvalidValue(f"value {_n(number)} is outside the allowed range [{_n(floor)}..{_n(ceiling)}]")
        return number

    return check


def _boolean_check(value: object) -> bool:
    if type(value) is bool:
        return value
    raise InvalidValue(f"value {shown(value)} ({_type_name(value)}) is not a boolean; expected true or false")


def _string_check(max_chars: int) -> ScalarCheck:
    def check(value: object) -> str:
        if type(value) is not str:
            raise InvalidValue(f"value {shown(value)} ({_type_name(value)}) is not a string")
        text: str = value
        if len(text) > max_chars:
            raise InvalidValue(f"value of {len(text)} characters is longer than the limit of {max_chars} "
                               "(limits.max_value_chars)")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as error:
                raise InvalidValue(f"value is not valid Unicode text: {error.reason} at position {error.start} "
                                   f"({shown(text[max(0, error.start - 10):error.start + 10])})") from None
        return text

    return check


def _scalar_check(meta: SignalMetadata, limits: Limits) -> ScalarCheck:
    element = meta.datatype.element
    if element is DataType.BOOLEAN:
        base: ScalarCheck = _boolean_check
    elif element is DataType.STRING:
        base = _string_check(limits.max_value_chars)
    elif element in INTEGER_RANGES:
        base = _integer_check(element, meta.min, meta.max)
    else:
        base = _float_check(element, meta.min, meta.max)
    if meta.allowed is None:
        return base
    allowed = frozenset(meta.allowed)
    choices = ", ".join(repr(a) for a in meta.allowed)

    def check_allowed(value: object) -> Scalar:
        checked = base(value)
        if checked not in allowed:
            raise InvalidValue(f"value {shown(checked)} is not allowed; expected one of {choices}")
        return checked

    return check_allowed


def compile_validator(meta: SignalMetadata, limits: Limits = DEFAULT_LIMITS) -> Validator:
    """Return a function that checks a value against `meta` and returns it normalised, or raises InvalidValue."""
    scalar = _scalar_check(meta, limits)
    if not meta.datatype.is_array:
        return scalar
    name = meta.datatype.value
    max_items = limits.max_array_items

    def check_array(value: object) -> Value:
        if type(value) is not list:
            raise InvalidValue(f"value {shown(value)} ({_type_name(value)}) is not an array; {name} needs a list")
        if len(value) > max_items:
            raise InvalidValue(f"array of {len(value)} elements is longer than the limit of {max_items} "
                               "(limits.max_array_items)")
        checked: list[Scalar] = []
        for index, item in enumerate(value):
            try:
                checked.append(scalar(item))
            except InvalidValue as error:
                raise InvalidValue(f"element [{index}]: {error.reason}") from None
        return checked  # type: ignore[return-value]

    return check_array


def _n(number: float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)
