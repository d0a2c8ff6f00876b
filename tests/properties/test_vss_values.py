"""Every value a stranger can send, for every VSS datatype, through the compiled validators: it comes back as
the right Python type within the signal's limits, or it is refused with InvalidValue, never another exception."""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from homebound.model.datatypes import FLOAT32_MAX, INTEGER_RANGES, DataType
from homebound.model.errors import InvalidValue
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.validation import compile_validator
from tests.properties.strategies import any_floats, any_text, json_values, scalars

flat = st.one_of(scalars, any_floats, any_text)
# Mostly what a door would plausibly be sent (a scalar, a flat list), sometimes anything nested.
values = st.one_of(flat, st.lists(flat, max_size=6), json_values(flat))


@st.composite
def signals(draw: st.DrawFn) -> SignalMetadata:
    """A signal of any datatype, sometimes with limits or allowed values of its own kind."""
    datatype = draw(st.sampled_from(list(DataType)))
    element = datatype.element
    low = high = None
    allowed: tuple[object, ...] | None = None
    if element in INTEGER_RANGES:
        type_low, type_high = INTEGER_RANGES[element]
        bounds = st.integers(type_low, type_high)
    elif element in (DataType.FLOAT, DataType.DOUBLE):
        bounds = st.floats(-1e6, 1e6)
    else:
        bounds = None
    if bounds is not None and draw(st.booleans()):
        low, high = sorted((draw(bounds), draw(bounds)))
    if draw(st.integers(0, 3)) == 0:
        if element is DataType.STRING:
            allowed = tuple(draw(st.lists(st.text(max_size=8), min_size=1, max_size=4, unique=True)))
        elif element is DataType.BOOLEAN:
            allowed = (True,)
        elif bounds is not None:
            allowed = tuple(draw(st.lists(bounds, min_size=1, max_size=4, unique=True)))
    return SignalMetadata("Vehicle.Test.Signal", SignalKind.SENSOR, datatype, min=low, max=high,
                          allowed=allowed)  # type: ignore[arg-type]


def assert_fits(meta: SignalMetadata, element: DataType, value: object) -> None:
    """`value` is what the validator may hand the hub for one element of `meta`."""
    if element is DataType.BOOLEAN:
        assert type(value) is bool
    elif element is DataType.STRING:
        assert type(value) is str
        value.encode("utf-8")  # storable: no lone surrogate got through
    elif element in INTEGER_RANGES:
        assert type(value) is int
        low, high = INTEGER_RANGES[element]
        assert low <= value <= high
    else:
        assert type(value) is float and math.isfinite(value)
        if element is DataType.FLOAT:
            assert abs(value) <= FLOAT32_MAX
    if meta.min is not None:
        assert value >= meta.min  # type: ignore[operator]
    if meta.max is not None:
        assert value <= meta.max  # type: ignore[operator]
    if meta.allowed is not None:
        assert value in meta.allowed


@given(meta=signals(), value=values)
@example(meta=SignalMetadata("Vehicle.Test.Signal", SignalKind.SENSOR, DataType.DOUBLE), value=2**1030)
@example(meta=SignalMetadata("Vehicle.Test.Signal", SignalKind.SENSOR, DataType.FLOAT_ARRAY), value=[1, -(2**1030)])
def test_every_value_either_fits_the_signal_or_is_refused_with_a_reason(meta: SignalMetadata,
                                                                       value: object) -> None:
    check = compile_validator(meta)
    try:
        checked = check(value)
    except InvalidValue as error:
        assert error.reason  # a message the sender can act on
        return
    if meta.datatype.is_array:
        assert type(checked) is list and len(checked) == len(value)  # type: ignore[arg-type]
        for item in checked:
            assert_fits(meta, meta.datatype.element, item)
    else:
        assert_fits(meta, meta.datatype, checked)


@given(meta=signals(), value=values)
def test_validation_is_idempotent(meta: SignalMetadata, value: object) -> None:
    """What the hub stored validates again to itself: a restart (which re-validates) changes nothing."""
    check = compile_validator(meta)
    try:
        checked = check(value)
    except InvalidValue:
        return
    assert check(checked) == checked


@given(datatype=st.sampled_from([d for d in DataType if d.element in INTEGER_RANGES and not d.is_array]),
       number=st.integers(-(2**70), 2**70))
def test_an_integer_is_accepted_exactly_when_its_type_can_hold_it(datatype: DataType, number: int) -> None:
    low, high = INTEGER_RANGES[datatype]
    check = compile_validator(SignalMetadata("Vehicle.Test.Signal", SignalKind.SENSOR, datatype))
    if low <= number <= high:
        assert check(number) == number
    else:
        try:
            check(number)
        except InvalidValue as error:
            assert f"does not fit {datatype.value}" in error.reason
        else:
            raise AssertionError(f"{number} accepted for {datatype.value}")


@given(value=any_text, as_array=st.booleans())
def test_text_is_kept_exactly_when_it_is_valid_unicode(value: str, as_array: bool) -> None:
    datatype = DataType.STRING_ARRAY if as_array else DataType.STRING
    check = compile_validator(SignalMetadata("Vehicle.Test.Signal", SignalKind.SENSOR, datatype))
    sent: object = [value] if as_array else value
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        try:
            check(sent)
        except InvalidValue as error:
            assert "not valid Unicode" in error.reason
        else:
            raise AssertionError(f"{value!r} has a lone surrogate, yet it was kept")
    else:
        assert check(sent) == sent
