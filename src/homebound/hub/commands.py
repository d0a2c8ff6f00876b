"""The command lifecycle: a target is asked for, and the command is done only when the thing confirms it.

A command is *pending* from the moment the hub accepts it until the datapoint's current value reaches the
target (*confirmed*), the owner of the datapoint reports it could not (*failed*), or its deadline passes
(*timed_out*). Commands are idempotent by id: asking again with the same id returns the same command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from homebound.model.signal import Value


class CommandState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"

    @property
    def is_final(self) -> bool:
        return self is not CommandState.PENDING


@dataclass(slots=True)
class Command:
    """One request to move an actuator to a target, with who asked and how it ended."""

    id: str
    thing: str
    path: str
    target: Value
    principal: str
    created_at: float
    deadline: float
    state: CommandState = CommandState.PENDING
    updated_at: float = 0.0
    reason: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "thing": self.thing,
            "path": self.path,
            "target": self.target,
            "principal": self.principal,
            "state": self.state.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at or self.created_at,
            "deadline": self.deadline,
            "reason": self.reason,
        }


class ActuationOwner(Protocol):
    """Whoever can move a thing's actuators: a car's gateway, an MQTT device, a simulator.

    `actuate` hands the command over and returns; the hub confirms the command when the owner's report of the
    new current value comes back through `Hub.ingest`. Raising refuses the command (it fails with the message).
    """

    async def actuate(self, command: Command) -> None: ...


def reached(current: Value, target: Value) -> bool:
    """Whether a reported value satisfies a target; floats compare with a relative tolerance."""
    if type(current) is float or type(target) is float:
        if isinstance(current, int | float) and isinstance(target, int | float):
            return math.isclose(current, target, rel_tol=1e-6, abs_tol=1e-6)
        return False
    return current == target
