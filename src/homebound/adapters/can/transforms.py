"""Turn a decoded DBC value into a VSS value, and a VSS target back into a DBC value.

A mapping's `transform` is either `math` (an expression over `x`) or `mapping` (a table of from/to pairs, where
DBC values are usually the names of a DBC value table such as `DI_GEAR_P`); with neither, the value passes as it
is. Kuksa's rules are kept: a value the table does not list is ignored, a failed `math` is ignored (both counted
by the gateway). The result is then shaped to the VSS datatype (a whole number for integer types, true/false for
booleans, a value table's name for strings) so the hub's validation judges the value, not its Python type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cantools.database.namedsignalvalue import NamedSignalValue

from homebound.adapters.can.expression import Expression, ExpressionError
from homebound.model.datatypes import DataType
from homebound.model.errors import HomeboundError

DbcValue = int | float | str
MAX_TABLE_ENTRIES = 10_000

_INTEGER_TYPES = {DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16,
                  DataType.UINT32, DataType.UINT64}


class TransformError(HomeboundError):
    """A transform that cannot be built from a mapping file, or a value it cannot turn into the other side."""


class Skip(Exception):
    """A value this transform has no answer for (not in the table, or math failed): ignored and counted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Transform:
    """One direction of a mapping's `transform`: identity, `math`, or a from/to table."""

    __slots__ = ("expression", "table")

    def __init__(self, expression: Expression | None = None,
                 table: dict[object, object] | None = None) -> None:
        self.expression = expression
        self.table = table

    @classmethod
    def parse(cls, node: object, where: str) -> Transform:
        """Build from a mapping file's `transform` node (None: identity). TransformError names `where`."""
        if node is None:
            return cls()
        if not isinstance(node, Mapping):
            raise TransformError(f"{where}: transform must be a mapping with `math` or `mapping`, "
                                 f"not {type(node).__name__}")
        unknown = set(node) - {"math", "mapping"}
        if unknown:
            raise TransformError(f"{where}: transform has unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                                 "use `math` or `mapping`")
        if "math" in node and "mapping" in node:
            raise TransformError(f"{where}: transform has both `math` and `mapping`; give one")
        if "math" in node:
            try:
                return cls(expression=Expression(node["math"]))
            except ExpressionError as error:
                raise TransformError(f"{where}: {error}") from None
        if "mapping" in node:
            return cls(table=_table(node["mapping"], where))
        raise TransformError(f"{where}: transform needs `math` or `mapping`")

    @property
    def kind(self) -> str:
        return "math" if self.expression is not None else "mapping" if self.table is not None else "identity"

    def apply(self, value: object) -> object:
        """The other side's value; Skip when the table has no entry or math fails."""
        if self.table is not None:
            key = value.name if isinstance(value, NamedSignalValue) else value
            if key in self.table:
                return self.table[key]
            if isinstance(value, NamedSignalValue) and value.value in self.table:
                return self.table[value.value]
            raise Skip(f"{key!r} is not in the mapping table")
        if self.expression is not None:
            number = value.value if isinstance(value, NamedSignalValue) else value
            if isinstance(number, bool):
                number = int(number)
            if not isinstance(number, int | float):
                raise Skip(f"math needs a number, not {number!r}")
            try:
                return self.expression(number)
            except ExpressionError as error:
                raise Skip(str(error)) from None
        return value


def _table(node: object, where: str) -> dict[object, object]:
    """Kuksa's list of {from, to} pairs, or the compact {from: to} mapping."""
    pairs: list[tuple[object, object]] = []
    if isinstance(node, Mapping):
        pairs = list(node.items())
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for index, item in enumerate(node):
            if not isinstance(item, Mapping) or "from" not in item or "to" not in item:
                raise TransformError(f"{where}: mapping item {index + 1} must have both `from` and `to`, "
                                     f"not {str(item)[:80]!r}")
            pairs.append((item["from"], item["to"]))
    else:
        raise TransformError(f"{where}: mapping must be a list of from/to pairs or a from: to table")
    if not pairs:
        raise TransformError(f"{where}: mapping is empty")
    if len(pairs) > MAX_TABLE_ENTRIES:
        raise TransformError(f"{where}: mapping has {len(pairs)} entries, more than {MAX_TABLE_ENTRIES}")
    table: dict[object, object] = {}
    for source, target in pairs:
        if isinstance(source, list | dict) or isinstance(target, dict):
            raise TransformError(f"{where}: mapping entries must be plain values, not {str(source)[:40]!r}")
        table.setdefault(source, target)  # Kuksa: with repeated `from`, one of them wins; we keep the first
    return table


def to_vss(value: object, datatype: DataType) -> object:
    """Shape a decoded (and transformed) value for a VSS datatype; Skip if it cannot stand for one."""
    if isinstance(value, NamedSignalValue):
        value = value.name if datatype is DataType.STRING else value.value
    if datatype in _INTEGER_TYPES:
        if isinstance(value, float):
            return round(value)
        return value
    if datatype is DataType.BOOLEAN:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value in (0, 1):
                return bool(value)
            raise Skip(f"{value!r} is not 0 or 1, so not a boolean")
        return value
    if datatype in (DataType.FLOAT, DataType.DOUBLE) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_dbc(value: object) -> DbcValue:
    """Shape a transformed VSS value for cantools' encoder (booleans as 0/1, names as they are)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    raise Skip(f"{value!r} ({type(value).__name__}) cannot be written into a CAN signal")
