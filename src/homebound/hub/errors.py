"""Errors of the hub's doors, each naming the thing, the path and the value involved, with its `ErrorCode`."""

from __future__ import annotations

from homebound.model.errors import ErrorCode, HomeboundError, shown


class UnknownThing(HomeboundError):
    code = ErrorCode.UNKNOWN_THING

    def __init__(self, thing: str, known: list[str]) -> None:
        self.thing = thing
        known_ids = ", ".join(known[:10]) or "none"
        super().__init__(f"unknown thing {shown(thing)}; known: {known_ids}")


class RejectedValue(HomeboundError):
    """A value refused by a signal's rules."""

    code = ErrorCode.INVALID_VALUE

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

    def __init__(self, thing: str, path: str, message: str, code: ErrorCode) -> None:
        self.thing = thing
        self.path = path
        self.code = code
        super().__init__(f"{thing}: {path}: {message}")


class CommandConflict(HomeboundError):
    """A command id reused for a different request."""

    code = ErrorCode.COMMAND_CONFLICT


class UnknownCommand(HomeboundError):
    code = ErrorCode.UNKNOWN_COMMAND


class Refused(HomeboundError):
    """A refusal that came back from another hub (the one keeping the thing), with that hub's code and words."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        self.code = code
        super().__init__(message)


class AlreadyProvided(HomeboundError):
    """A second provider asked to own an actuator that another provider owns (Kuksa's rule: first one wins)."""

    code = ErrorCode.ALREADY_PROVIDED

    def __init__(self, thing: str, path: str) -> None:
        self.thing = thing
        self.path = path
        super().__init__(f"{thing}: {path} is already provided by another connection")


SHOWN_CHARS = 200
SHOWN_ITEMS = 20


def _jsonable(value: object, depth: int = 0) -> object:
    """The value as an error may show it: JSON types kept, long strings and lists cut, anything else repr'd."""
    if isinstance(value, str):
        return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list) and depth < 3:
        return [_jsonable(v, depth + 1) for v in value[:SHOWN_ITEMS]]
    return shown(value)
