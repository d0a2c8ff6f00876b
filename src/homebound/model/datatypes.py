"""The VSS datatypes and what each one admits.

VSS names its datatypes (`uint8`, `float`, `string[]`, ...); Kuksa and every other VSS broker enforce the integer
widths, so a value of 300 for a `uint8` signal is an error, not a silent wrap-around.
"""

from __future__ import annotations

from enum import StrEnum


class DataType(StrEnum):
    """A VSS datatype, scalar or array (`[]` suffix)."""

    BOOLEAN = "boolean"
    STRING = "string"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT = "float"
    DOUBLE = "double"
    BOOLEAN_ARRAY = "boolean[]"
    STRING_ARRAY = "string[]"
    INT8_ARRAY = "int8[]"
    INT16_ARRAY = "int16[]"
    INT32_ARRAY = "int32[]"
    INT64_ARRAY = "int64[]"
    UINT8_ARRAY = "uint8[]"
    UINT16_ARRAY = "uint16[]"
    UINT32_ARRAY = "uint32[]"
    UINT64_ARRAY = "uint64[]"
    FLOAT_ARRAY = "float[]"
    DOUBLE_ARRAY = "double[]"

    @property
    def is_array(self) -> bool:
        return self.value.endswith("[]")

    @property
    def element(self) -> DataType:
        """The scalar type of an array's elements (the type itself for a scalar)."""
        return DataType(self.value[:-2]) if self.is_array else self

    @property
    def is_integer(self) -> bool:
        return self.element in INTEGER_RANGES

    @property
    def is_numeric(self) -> bool:
        return self.is_integer or self.element in (DataType.FLOAT, DataType.DOUBLE)


INTEGER_RANGES: dict[DataType, tuple[int, int]] = {
    DataType.INT8: (-(2**7), 2**7 - 1),
    DataType.INT16: (-(2**15), 2**15 - 1),
    DataType.INT32: (-(2**31), 2**31 - 1),
    DataType.INT64: (-(2**63), 2**63 - 1),
    DataType.UINT8: (0, 2**8 - 1),
    DataType.UINT16: (0, 2**16 - 1),
    DataType.UINT32: (0, 2**32 - 1),
    DataType.UINT64: (0, 2**64 - 1),
}

# The largest finite IEEE 754 single-precision value: a `float` signal cannot hold more.
FLOAT32_MAX = 3.4028234663852886e38

DATATYPE_NAMES: frozenset[str] = frozenset(d.value for d in DataType)
