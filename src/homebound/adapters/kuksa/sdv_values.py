"""Conversions between hub values and `sdv.databroker.v1` datapoints and metadata (Velocitas' API generation).

The protocol carries each VSS datatype in one oneof field, narrow integers in the 32-bit ones (as Kuksa's
types.proto says); a value sent in another field is the databroker's INVALID_TYPE, so it is refused here before the
hub's own validation (range, allowed values) is asked.
"""

from __future__ import annotations

from typing import Any

from homebound.adapters.kuksa.sdv_stubs import types_pb2 as sdv
from homebound.adapters.kuksa.values import timestamp, timestamp_seconds
from homebound.model.datatypes import DataType
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.model.signal import SignalKind, SignalMetadata, Value

_SCALAR_FIELD: dict[DataType, str] = {
    DataType.STRING: "string_value", DataType.BOOLEAN: "bool_value",
    DataType.INT8: "int32_value", DataType.INT16: "int32_value", DataType.INT32: "int32_value",
    DataType.INT64: "int64_value",
    DataType.UINT8: "uint32_value", DataType.UINT16: "uint32_value", DataType.UINT32: "uint32_value",
    DataType.UINT64: "uint64_value",
    DataType.FLOAT: "float_value", DataType.DOUBLE: "double_value",
}
FIELD_FOR: dict[DataType, str] = dict(_SCALAR_FIELD)
for _scalar, _field in _SCALAR_FIELD.items():
    FIELD_FOR[DataType(_scalar.value + "[]")] = _field.removesuffix("_value") + "_array"

DATA_TYPE_CODE: dict[DataType, int] = {
    DataType.STRING: sdv.STRING, DataType.BOOLEAN: sdv.BOOL, DataType.INT8: sdv.INT8, DataType.INT16: sdv.INT16,
    DataType.INT32: sdv.INT32, DataType.INT64: sdv.INT64, DataType.UINT8: sdv.UINT8, DataType.UINT16: sdv.UINT16,
    DataType.UINT32: sdv.UINT32, DataType.UINT64: sdv.UINT64, DataType.FLOAT: sdv.FLOAT, DataType.DOUBLE: sdv.DOUBLE,
    DataType.STRING_ARRAY: sdv.STRING_ARRAY, DataType.BOOLEAN_ARRAY: sdv.BOOL_ARRAY,
    DataType.INT8_ARRAY: sdv.INT8_ARRAY, DataType.INT16_ARRAY: sdv.INT16_ARRAY, DataType.INT32_ARRAY: sdv.INT32_ARRAY,
    DataType.INT64_ARRAY: sdv.INT64_ARRAY, DataType.UINT8_ARRAY: sdv.UINT8_ARRAY,
    DataType.UINT16_ARRAY: sdv.UINT16_ARRAY, DataType.UINT32_ARRAY: sdv.UINT32_ARRAY,
    DataType.UINT64_ARRAY: sdv.UINT64_ARRAY, DataType.FLOAT_ARRAY: sdv.FLOAT_ARRAY,
    DataType.DOUBLE_ARRAY: sdv.DOUBLE_ARRAY,
}
ENTRY_TYPE_CODE = {SignalKind.SENSOR: sdv.ENTRY_TYPE_SENSOR, SignalKind.ACTUATOR: sdv.ENTRY_TYPE_ACTUATOR,
                   SignalKind.ATTRIBUTE: sdv.ENTRY_TYPE_ATTRIBUTE}
_ALLOWED_FIELD = {"string_array": "string_values", "int32_array": "int32_values", "int64_array": "int64_values",
                  "uint32_array": "uint32_values", "uint64_array": "uint64_values", "float_array": "float_values",
                  "double_array": "double_values"}
_RESTRICTION_FIELD = {"string_value": "string", "bool_value": "bool", "int32_value": "int32",
                      "int64_value": "int64", "uint32_value": "uint32", "uint64_value": "uint64",
                      "float_value": "float", "double_value": "double"}


class WrongType(HomeboundError):
    """A value sent in the oneof field of another datatype (the databroker's INVALID_TYPE)."""

    code = ErrorCode.INVALID_VALUE

    def __init__(self, thing: str, meta: SignalMetadata, sent: str | None) -> None:
        self.path = meta.path
        what = f"came as {sent}" if sent else "came with no value"
        super().__init__(f"{thing}: {meta.path}: the value {what}; {meta.path} is {meta.datatype.value}, sent as "
                         f"{FIELD_FOR[meta.datatype]}")


def _set(message: Any, field: str, value: Value) -> None:
    if field.endswith("_array"):
        getattr(message, field).values.extend(value)
    else:
        setattr(message, field, value)


def to_datapoint(meta: SignalMetadata, value: Value, ts: float) -> sdv.Datapoint:
    point = sdv.Datapoint(timestamp=timestamp(ts))
    _set(point, FIELD_FOR[meta.datatype], value)
    return point


def boolean_datapoint(value: bool, ts: float) -> sdv.Datapoint:
    return sdv.Datapoint(timestamp=timestamp(ts), bool_value=value)


def failure(reason: int) -> sdv.Datapoint:
    """A datapoint carrying a `Datapoint.Failure` (NOT_AVAILABLE, UNKNOWN_DATAPOINT, ACCESS_DENIED, ...)."""
    return sdv.Datapoint(failure_value=reason)


def from_datapoint(thing: str, meta: SignalMetadata, point: sdv.Datapoint) -> tuple[object, float | None]:
    """The value a datapoint carries for this signal and its timestamp; WrongType if it came in another field."""
    sent = point.WhichOneof("value")
    if sent != FIELD_FOR[meta.datatype]:
        raise WrongType(thing, meta, sent)
    value = getattr(point, sent)
    return (list(value.values) if sent.endswith("_array") else value), timestamp_seconds(point.timestamp)


def change_type(meta: SignalMetadata) -> int:
    return int(sdv.STATIC if meta.kind is SignalKind.ATTRIBUTE else sdv.ON_CHANGE)


def metadata(meta: SignalMetadata, signal_id: int) -> sdv.Metadata:
    message = sdv.Metadata(id=signal_id, entry_type=ENTRY_TYPE_CODE[meta.kind], name=meta.path,
                           data_type=DATA_TYPE_CODE[meta.datatype], change_type=change_type(meta),
                           description=meta.description)
    scalar = _SCALAR_FIELD[meta.datatype.element]
    restriction = _RESTRICTION_FIELD[scalar]
    cast = int if meta.datatype.is_integer else float
    if meta.min is not None and meta.datatype.is_numeric:
        setattr(message.min, restriction, cast(meta.min))
    if meta.max is not None and meta.datatype.is_numeric:
        setattr(message.max, restriction, cast(meta.max))
    allowed_field = _ALLOWED_FIELD.get(scalar.removesuffix("_value") + "_array")
    if meta.allowed and allowed_field is not None:
        getattr(message.allowed, allowed_field).values.extend(
            str(a) if meta.datatype.element is DataType.STRING else cast(a) for a in meta.allowed)
    return message
