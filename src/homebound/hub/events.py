"""What the hub tells its listeners: batches of accepted changes, and updates for subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from homebound.model.signal import Value


class Field(StrEnum):
    """Which side of a datapoint an update concerns."""

    VALUE = "value"
    TARGET = "target"
    COMMAND = "command"


class Update(NamedTuple):
    """One datapoint update as a subscriber sees it. For `Field.COMMAND` the value is the command's JSON form."""

    thing: str
    path: str
    field: Field
    value: object
    ts: float


@dataclass(slots=True)
class ChangeBatch:
    """Accepted writes of one `ingest` call (or one target set), for the recorder and other whole-stream listeners.

    `changes` holds `(path, value)` pairs in the order they were accepted; all share `ts` and `principal`.
    """

    thing: str
    field: Field
    ts: float
    principal: str
    changes: list[tuple[str, Value]]
