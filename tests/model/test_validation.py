"""Every write is checked against its signal's datatype, range, allowed values and array element type."""

from __future__ import annotations

import math
import sys

import pytest

from homebound.model.datatypes import FLOAT32_MAX, DataType
from homebound.model.errors import InvalidValue
from homebound.model.limits import Limits
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.validation import compile_validator


def check(datatype: str, value: object, **limits: object) -> object:
    meta = SignalMetadata("Vehicle.Test", SignalKind.SENSOR, DataType(datatype), **limits)  # type: ignore[arg-type]
    return compile_validator(meta)(value)


@pytest.mark.parametrize(("datatype", "low", "high"), [
    ("int8", -128, 127), ("int16", -32768, 32767), ("int32", -(2**31), 2**31 - 1),
    ("int64", -(2**63), 2**63 - 1), ("uint8", 0, 255), ("uint16", 0, 65535), ("uint32", 0, 2**32 - 1),
    ("uint64", 0, 2**64 - 1),
])
def test_integer_widths_accept_their_limits_and_refuse_one_past(datatype: str, low: int, high: int) -> None:
    assert check(datatype, low) == low
    assert check(datatype, high) == high
    with pytest.raises(InvalidValue, match=f"does not fit {datatype}"):
        check(datatype, high + 1)
    with pytest.raises(InvalidValue, match=f"does not fit {datatype}"):
        check(datatype, low - 1)


def test_integer_accepts_a_whole_float_and_returns_an_int() -> None:
    value = check("uint8", 42.0)
    assert value == 42 and type(value) is int


@pytest.mark.parametrize("bad", [1.5, "3", True, None, [1]])
def test_integer_refuses_non_integers(bad: object) -> None:
    with pytest.raises(InvalidValue):
        check("int32", bad)


def test_min_max_are_enforced_with_the_range_in_the_message() -> None:
    assert check("float", 100.0, min=0, max=100) == 100.0
    with pytest.raises(InvalidValue, match=r"outside the allowed range \[0..100\]"):
        check("float", 100.5, min=0, max=100)
    with pytest.raises(InvalidValue, match=r"outside the allowed range \[0..100\]"):
        check("uint8", 101, min=0, max=100)


def test_float_converts_ints_and_refuses_nan_infinity_and_strings() -> None:
    value = check("float", 3)
    assert value == 3.0 and type(value) is float
    with pytest.raises(InvalidValue, match="NaN"):
        check("double", math.nan)
    with pytest.raises(InvalidValue, match="does not fit float"):
        check("float", 1e39)
    assert check("double", 1e39) == 1e39
    with pytest.raises(InvalidValue, match="does not fit double"):
        check("double", math.inf)
    with pytest.raises(InvalidValue, match="not a number"):
        check("float", "12.5")
    with pytest.raises(InvalidValue, match="not a number"):
        check("float", False)


def test_boolean_is_strict() -> None:
    assert check("boolean", True) is True
    for bad in (1, 0, "true", None):
        with pytest.raises(InvalidValue, match="not a boolean"):
            check("boolean", bad)


def test_allowed_values_name_the_choices() -> None:
    assert check("string", "START", allowed=("START", "STOP")) == "START"
    with pytest.raises(InvalidValue, match="expected one of 'START', 'STOP'"):
        check("string", "PAUSE", allowed=("START", "STOP"))


def test_arrays_check_each_element_and_name_the_bad_index() -> None:
    assert check("uint8[]", [1, 2, 3]) == [1, 2, 3]
    assert check("float[]", [1, 2.5]) == [1.0, 2.5]
    with pytest.raises(InvalidValue, match=r"element \[1\]: value 300 does not fit uint8"):
        check("uint8[]", [1, 300])
    with pytest.raises(InvalidValue, match="not an array"):
        check("string[]", "IEC_TYPE_2_AC")
    with pytest.raises(InvalidValue, match=r"element \[0\].*expected one of"):
        check("string[]", ["SCHUKO"], allowed=("IEC_TYPE_2_AC", "IEC_TYPE_2_CCS_DC"))


@pytest.mark.parametrize("datatype", ["float", "double", "float[]"])
def test_an_integer_too_big_for_any_float_is_refused_not_a_crash(datatype: str) -> None:
    huge = 2**1030  # JSON integers have no size limit, and Python's parser keeps every digit
    with pytest.raises(InvalidValue, match=f"does not fit {datatype.removesuffix('[]')}"):
        check(datatype, [huge] if datatype.endswith("[]") else huge)
    with pytest.raises(InvalidValue, match="does not fit float"):
        check("float", 2**200)  # fits a double, not a float
    assert check("double", 2**200) == float(2**200)


@pytest.mark.parametrize(("datatype", "value", "message"), [
    ("boolean", None, "value None (null) is not a boolean; expected true or false"),
    ("boolean", "true", "value 'true' (str) is not a boolean; expected true or false"),
    ("string", 5, "value 5 (int) is not a string"),
    ("int32", "3", "value '3' (str) is not an integer; int32 needs one"),
    ("int32", 1.5, "value 1.5 is not a whole number; int32 needs an integer"),
    ("float", None, "value None (null) is not a number; float needs one"),
    ("double", "12.5", "value '12.5' (str) is not a number; double needs one"),
    ("string[]", "x", "value 'x' (str) is not an array; string[] needs a list"),
])
def test_a_value_of_the_wrong_type_is_named_with_its_json_type(datatype: str, value: object, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check(datatype, value)
    assert refused.value.reason == message


def test_an_integer_minimum_of_its_own_is_enforced() -> None:
    assert check("int8", -10, min=-10, max=10) == -10
    with pytest.raises(InvalidValue, match=r"^value -11 is outside the allowed range \[-10..10\]$"):
        check("int8", -11, min=-10, max=10)


@pytest.mark.parametrize("value", [-128, 127])
def test_a_value_the_type_holds_but_the_limits_do_not_is_a_range_error(value: int) -> None:
    with pytest.raises(InvalidValue, match=rf"^value {value} is outside the allowed range \[-100..100\]$"):
        check("int8", value, min=-100, max=100)


def test_float_limits_are_inclusive_and_the_message_shows_the_value_as_given() -> None:
    assert check("float", 0.0, min=0, max=100) == 0.0
    assert check("float", FLOAT32_MAX) == FLOAT32_MAX
    assert check("double", int(sys.float_info.max)) == sys.float_info.max
    with pytest.raises(InvalidValue, match=r"^value 100.5 is outside the allowed range \[0..100\]$"):
        check("float", 100.5, min=0, max=100)
    with pytest.raises(InvalidValue, match="outside the allowed range"):  # it fits a float: only the limit refuses
        check("float", FLOAT32_MAX, min=0, max=100)


def check_within(datatype: str, value: object, limits: Limits) -> object:
    meta = SignalMetadata("Vehicle.Test", SignalKind.SENSOR, DataType(datatype))
    return compile_validator(meta, limits)(value)


def test_a_string_up_to_the_length_limit_is_kept_and_one_longer_is_refused_naming_the_setting() -> None:
    limits = Limits(max_value_chars=5)
    assert check_within("string", "abcde", limits) == "abcde"
    with pytest.raises(InvalidValue) as refused:
        check_within("string", "abcdef", limits)
    assert refused.value.reason == "value of 6 characters is longer than the limit of 5 (limits.max_value_chars)"


def test_text_that_is_not_valid_unicode_is_refused_showing_where() -> None:
    assert check("string", "Grüße aus dem 🚗") == "Grüße aus dem 🚗"
    text = "0123456789abcdefghij\udc80klmnopqrstuvwxyz"  # a lone surrogate, as a crafted JSON string can carry
    with pytest.raises(InvalidValue) as refused:
        check("string", text)
    assert refused.value.reason == ("value is not valid Unicode text: surrogates not allowed at position 20 "
                                    "('abcdefghij\\udc80klmnopqrs')")
    with pytest.raises(InvalidValue, match=r"at position 0 \('\\udc80ab"):
        check("string[]", ["ok", "\udc80abc"])


def test_an_array_up_to_the_item_limit_is_kept_and_one_longer_is_refused_naming_the_setting() -> None:
    limits = Limits(max_array_items=3)
    assert check_within("uint8[]", [1, 2, 3], limits) == [1, 2, 3]
    with pytest.raises(InvalidValue) as refused:
        check_within("uint8[]", [1, 2, 3, 4], limits)
    assert refused.value.reason == "array of 4 elements is longer than the limit of 3 (limits.max_array_items)"


def test_refusals_show_the_value_that_was_refused() -> None:
    with pytest.raises(InvalidValue, match=r"^value 'PAUSE' is not allowed; expected one of 'START', 'STOP'$"):
        check("string", "PAUSE", allowed=("START", "STOP"))
    with pytest.raises(InvalidValue) as refused:
        check("double", 2**1030)
    assert refused.value.reason.startswith("value 1150523606311882") and refused.value.reason.endswith("double")
