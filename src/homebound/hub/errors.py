"""Errors of the hub's two doors, each naming the thing, the path and the value involved."""

from __future__ import annotations

from homebound.model.errors import HomeboundError


class UnknownThing(HomeboundError):
    def __init__(self, thing: str, known: list[str]) -> None:
        self.thing = thing
        shown = ", ".join(known[:10]) or "none"
        super().__init__(f"unknown thing {thing!r}; known: {shown}")


class RejectedValue(HomeboundError):
    """A value refused by a signal's rules."""

    def __init__(self, thing: str, path: str, value: object, reason: str, valid: str) -> None:
        self.thing = thing
        self.path = path
        self.value = value
        self.reason = reason
        self.valid = valid
        super().__init__(f"{thing}: {path}: {reason} (valid: {valid})")

    def to_json(self) -> dict[str, object]:
        return {"thing": self.thing, "path": self.path, "value": _jsonable(self.value), "error": str(self),
                "valid": self.valid}


class CommandRejected(HomeboundError):
    """A command the hub will not start: not an actuator, unsafe now, or no one to carry it out."""

    def __init__(self, thing: str, path: str, message: str, code: str = "rejected") -> None:
        self.thing = thing
        self.path = path
        self.code = code
        super().__init__(f"{thing}: {path}: {message}")


class CommandConflict(HomeboundError):
    """A command id reused for a different request."""


class UnknownCommand(HomeboundError):
    pass


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return repr(value)
