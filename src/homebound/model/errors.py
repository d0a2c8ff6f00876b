"""Errors the user can act on: each names the thing, the path, the bad value and what would be valid."""

from __future__ import annotations


class HomeboundError(Exception):
    """Base of every error Homebound raises on purpose; `str()` is a message fit for the user."""


class InvalidValue(HomeboundError):
    """A value that does not fit a signal's metadata. `reason` says why, without naming thing or path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CatalogError(HomeboundError):
    """A catalog file that cannot be read, or a node in it that breaks the VSS rules."""


class UnknownPath(HomeboundError):
    """A path the catalog does not hold; `suggestions` are the closest known paths."""

    def __init__(self, path: str, suggestions: list[str], thing: str | None = None) -> None:
        self.path = path
        self.thing = thing
        self.suggestions = suggestions
        where = f"{thing}: " if thing else ""
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"{where}unknown signal {path!r}{hint}")
