"""Errors the user can act on: each names the thing, the path, the bad value and what would be valid.

Every error carries an `ErrorCode`; each door maps the codes once to its own protocol's (an HTTP status, a gRPC
status, a Kuksa v1 error), so a refusal means the same whichever way it was asked.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why a request was refused, independent of the door it came through."""

    BAD_REQUEST = "bad_request"
    UNKNOWN_THING = "unknown_thing"
    UNKNOWN_PATH = "unknown_path"
    UNKNOWN_COMMAND = "unknown_command"
    INVALID_VALUE = "invalid_value"
    NOT_ACTUATOR = "not_actuator"
    UNSAFE = "unsafe"
    UNAVAILABLE = "unavailable"
    COMMAND_CONFLICT = "command_conflict"
    ALREADY_PROVIDED = "already_provided"
    TOO_LARGE = "too_large"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    NOT_FOUND = "not_found"
    UNKNOWN_SESSION = "unknown_session"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


SHOWN_CHARS = 80


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as it may appear in an error or a log line: repr, cut to `limit` characters."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value)} chars)"
    if isinstance(value, list | tuple | dict) and len(value) > 10:
        head = list(value)[:10] if not isinstance(value, dict) else dict(list(value.items())[:10])
        text = repr(head)
        return (text if len(text) <= limit else text[:limit]) + f"… ({len(value)} items)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


class HomeboundError(Exception):
    """Base of every error Homebound raises on purpose; `str()` is a message fit for the user."""

    code: ErrorCode = ErrorCode.BAD_REQUEST


class InvalidValue(HomeboundError):
    """A value that does not fit a signal's metadata. `reason` says why, without naming thing or path."""

    code = ErrorCode.INVALID_VALUE

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CatalogError(HomeboundError):
    """A catalog file that cannot be read, or a node in it that breaks the VSS rules."""


class UnknownPath(HomeboundError):
    """A path the catalog does not hold; `suggestions` are the closest known paths."""

    code = ErrorCode.UNKNOWN_PATH

    def __init__(self, path: str, suggestions: list[str], thing: str | None = None) -> None:
        self.path = path
        self.thing = thing
        self.suggestions = suggestions
        where = f"{thing}: " if thing else ""
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"{where}unknown signal {shown(path, 120)}{hint}")
