"""Conversions between hub values and Kuksa's protobuf values and metadata, for both API versions."""

from __future__ import annotations

import math
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from kuksa.val.v1 import types_pb2 as v1
from kuksa.val.v2 import types_pb2 as v2

from homebound.model.datatypes import DataType
from homebound.model.signal import SignalKind, SignalMetadata, Value

# The protobuf field that carries each VSS datatype (narrow integers travel in the 32-bit fields).
FIELD_FOR: dict[DataType, str] = {
    DataType.STRING: "string", DataType.BOOLEAN: "bool",
    DataType.INT8: "int32", DataType.INT16: "int32", DataType.INT32: "int32", DataType.INT64: "int64",
    DataType.UINT8: "uint32", DataType.UINT16: "uint32", DataType.UINT32: "uint32", DataType.UINT64: "uint64",
    DataType.FLOAT: "float", DataType.DOUBLE: "double",
}
for _scalar, _field in list(FIELD_FOR.items()):
    FIELD_FOR[DataType(_scalar.value + "[]")] = _field + "_array"

DATA_TYPE_CODE: dict[DataType, int] = {
    DataType.STRING: 1, DataType.BOOLEAN: 2, DataType.INT8: 3, DataType.INT16: 4, DataType.INT32: 5,
    DataType.INT64: 6, DataType.UINT8: 7, DataType.UINT16: 8, DataType.UINT32: 9, DataType.UINT64: 10,
    DataType.FLOAT: 11, DataType.DOUBLE: 12,
    DataType.STRING_ARRAY: 20, DataType.BOOLEAN_ARRAY: 21, DataType.INT8_ARRAY: 22, DataType.INT16_ARRAY: 23,
    DataType.INT32_ARRAY: 24, DataType.INT64_ARRAY: 25, DataType.UINT8_ARRAY: 26, DataType.UINT16_ARRAY: 27,
    DataType.UINT32_ARRAY: 28, DataType.UINT64_ARRAY: 29, DataType.FLOAT_ARRAY: 30, DataType.DOUBLE_ARRAY: 31,
}
ENTRY_TYPE_CODE = {SignalKind.ATTRIBUTE: 1, SignalKind.SENSOR: 2, SignalKind.ACTUATOR: 3}


def timestamp(ts: float) -> Timestamp:
    seconds = math.floor(ts)
    return Timestamp(seconds=seconds, nanos=round((ts - seconds) * 1e9) % 1_000_000_000)


def timestamp_seconds(message: Timestamp) -> float | None:
    if message.seconds == 0 and message.nanos == 0:
        return None
    return float(message.seconds + message.nanos / 1e9)


def _set(message: Any, field: str, value: Value) -> None:
    if field.endswith("_array"):
        getattr(message, field).values.extend(value)
    else:
        setattr(message, field, value)


def to_v2_value(meta: SignalMetadata, value: Value) -> v2.Value:
    message = v2.Value()
    _set(message, FIELD_FOR[meta.datatype], value)
    return message


def to_v2_datapoint(meta: SignalMetadata, value: Value | None, ts: float = 0.0) -> v2.Datapoint:
    """A v2 datapoint; an empty one when the signal has no value yet."""
    if value is None:
        return v2.Datapoint()
    return v2.Datapoint(timestamp=timestamp(ts), value=to_v2_value(meta, value))


def to_v1_datapoint(meta: SignalMetadata, value: Value, ts: float) -> v1.Datapoint:
    message = v1.Datapoint(timestamp=timestamp(ts))
    _set(message, FIELD_FOR[meta.datatype], value)
    return message


def from_proto_value(message: Any, oneof: str) -> object:
    """The Python value a v1 Datapoint or v2 Value carries, or None when it carries none."""
    field = message.WhichOneof(oneof)
    if field is None:
        return None
    value = getattr(message, field)
    if field.endswith("_array"):
        return list(value.values)
    return value


def v1_metadata(meta: SignalMetadata) -> v1.Metadata:
    message = v1.Metadata(data_type=DATA_TYPE_CODE[meta.datatype], entry_type=ENTRY_TYPE_CODE[meta.kind],
                          description=meta.description)
    if meta.unit:
        message.unit = meta.unit
    if meta.comment:
        message.comment = meta.comment
    if meta.deprecation:
        message.deprecation = meta.deprecation
    getattr(message, meta.kind.value).SetInParent()
    restriction = _v1_restriction(meta)
    if restriction is not None:
        message.value_restriction.CopyFrom(restriction)
    return message


def _v1_restriction(meta: SignalMetadata) -> v1.ValueRestriction | None:
    if meta.min is None and meta.max is None and meta.allowed is None:
        return None
    element = meta.datatype.element
    restriction = v1.ValueRestriction()
    if element is DataType.STRING:
        restriction.string.allowed_values.extend(str(a) for a in meta.allowed or ())
        return restriction
    if element is DataType.BOOLEAN:
        return None
    if element.value.startswith("uint"):
        target: Any = restriction.unsigned
        cast: Any = int
    elif element.value.startswith("int"):
        target, cast = restriction.signed, int
    else:
        target, cast = restriction.floating_point, float
    if meta.min is not None:
        target.min = cast(meta.min)
    if meta.max is not None:
        target.max = cast(meta.max)
    if meta.allowed:
        target.allowed_values.extend(cast(a) for a in meta.allowed)
    return restriction


def v2_metadata(meta: SignalMetadata, signal_id: int) -> v2.Metadata:
    message = v2.Metadata(path=meta.path, id=signal_id, data_type=DATA_TYPE_CODE[meta.datatype],
                          entry_type=ENTRY_TYPE_CODE[meta.kind], description=meta.description,
                          comment=meta.comment or "", deprecation=meta.deprecation or "", unit=meta.unit or "")
    scalar = SignalMetadata(meta.path, meta.kind, meta.datatype.element)
    if meta.min is not None:
        message.min.CopyFrom(to_v2_value(scalar, _cast(meta, meta.min)))
    if meta.max is not None:
        message.max.CopyFrom(to_v2_value(scalar, _cast(meta, meta.max)))
    if meta.allowed:
        message.allowed_values.CopyFrom(to_v2_value(
            SignalMetadata(meta.path, meta.kind, DataType(meta.datatype.element.value + "[]")), list(meta.allowed)))  # type: ignore[arg-type]
    return message


def _cast(meta: SignalMetadata, limit: float) -> Value:
    return int(limit) if meta.datatype.is_integer else float(limit)
