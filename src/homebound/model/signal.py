"""What the standard says about one signal: its path, kind, datatype, unit, limits and allowed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from homebound.model.datatypes import DataType

# A value a signal can hold: a scalar or a list of scalars, as JSON would carry it.
Scalar = bool | int | float | str
Value = Scalar | list[bool] | list[int] | list[float] | list[str]


class SignalKind(StrEnum):
    """VSS leaf kinds. Sensors report, actuators also take a target, attributes are (mostly) fixed facts."""

    SENSOR = "sensor"
    ACTUATOR = "actuator"
    ATTRIBUTE = "attribute"


@dataclass(frozen=True, slots=True)
class SignalMetadata:
    """The metadata of one leaf signal, the rules every value written to it must keep."""

    path: str
    kind: SignalKind
    datatype: DataType
    description: str = ""
    unit: str | None = None
    min: int | float | None = None
    max: int | float | None = None
    allowed: tuple[Scalar, ...] | None = None
    default: Value | None = None
    comment: str | None = None
    deprecation: str | None = None
    uuid: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def describe_valid(self) -> str:
        """A short phrase saying what a valid value looks like, for error messages."""
        parts = [self.datatype.value]
        if self.allowed is not None:
            parts.append("one of " + ", ".join(repr(a) for a in self.allowed))
        if self.min is not None or self.max is not None:
            low = "" if self.min is None else _fmt(self.min)
            high = "" if self.max is None else _fmt(self.max)
            parts.append(f"in [{low}..{high}]")
        if self.unit:
            parts.append(f"({self.unit})")
        return " ".join(parts)

    def to_json(self) -> dict[str, object]:
        """The metadata as the VSS JSON export spells it, plus the path."""
        out: dict[str, object] = {
            "path": self.path,
            "type": self.kind.value,
            "datatype": self.datatype.value,
            "description": self.description,
        }
        for key in ("unit", "min", "max", "default", "comment", "deprecation", "uuid"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.allowed is not None:
            out["allowed"] = list(self.allowed)
        return out


def _fmt(number: int | float) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)
