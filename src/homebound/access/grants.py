"""Grants: one right (read, command, provide, manage) on some things and paths, possibly only at some times.

Scopes are written in Kuksa's grammar (`read:Vehicle.*`, `actuate:Vehicle.Cabin.HVAC`, `provide:Vehicle`), so a
token the hub issues reads the same as one Kuksa's tooling makes; `actuate` is our `command`. A path pattern
names a leaf or a branch (covering everything below it), `*` one node name, `**` any number of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from homebound.model.paths import PathMatcher, compile_pattern
from homebound.model.time_of_day import WEEKDAYS


class Action(StrEnum):
    READ = "read"
    COMMAND = "command"
    PROVIDE = "provide"
    MANAGE = "manage"


SCOPE_ACTIONS = {"read": Action.READ, "actuate": Action.COMMAND, "command": Action.COMMAND,
                 "provide": Action.PROVIDE, "manage": Action.MANAGE}
SCOPE_WORDS = {Action.READ: "read", Action.COMMAND: "actuate", Action.PROVIDE: "provide", Action.MANAGE: "manage"}


@dataclass(frozen=True, slots=True)
class Window:
    """When a grant holds: between two instants, and (optionally) only on some weekdays between two times of day
    in the household's time zone ("Saturday 9-18")."""

    valid_from: float | None = None
    valid_until: float | None = None
    weekdays: tuple[str, ...] | None = None
    day_from: dt.time | None = None
    day_until: dt.time | None = None
    timezone: str = "UTC"

    def holds(self, now: float) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        if self.valid_until is not None and now >= self.valid_until:
            return False
        if self.weekdays is None and self.day_from is None and self.day_until is None:
            return True
        local = dt.datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        if self.weekdays is not None and WEEKDAYS[local.weekday()] not in self.weekdays:
            return False
        moment = local.time()
        after_start = self.day_from is None or moment >= self.day_from
        return after_start and (self.day_until is None or moment < self.day_until)

    def describe(self) -> str:
        parts = []
        if self.valid_from is not None:
            parts.append(f"from {dt.datetime.fromtimestamp(self.valid_from, dt.UTC):%Y-%m-%d %H:%M:%S}Z")
        if self.valid_until is not None:
            parts.append(f"until {dt.datetime.fromtimestamp(self.valid_until, dt.UTC):%Y-%m-%d %H:%M:%S}Z")
        if self.weekdays is not None:
            parts.append("on " + ",".join(self.weekdays))
        if self.day_from is not None or self.day_until is not None:
            parts.append(f"{self.day_from or dt.time(0)}-{self.day_until or dt.time(23, 59, 59)} {self.timezone}")
        return " ".join(parts) or "always"


ALWAYS = Window()


@dataclass(frozen=True, slots=True)
class Grant:
    """One right on some things (None: every thing) and paths (None: every path), within a window."""

    action: Action
    things: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    window: Window = ALWAYS
    kinds: frozenset[str] | None = None  # only things of these kinds ("vehicle", "device"); None: any
    _matchers: tuple[PathMatcher, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.paths is not None:
            object.__setattr__(self, "_matchers", tuple(compile_pattern(p) for p in self.paths))

    def covers(self, action: Action, thing: str, kind: str, path: str | None, now: float) -> bool:
        """Whether this grant allows `action` on `thing`'s `path` (None: the thing as a whole) at `now`."""
        if action is not self.action and not (action is Action.READ and self.action in (Action.COMMAND,
                                                                                          Action.PROVIDE)):
            return False
        if self.things is not None and thing not in self.things:
            return False
        if self.kinds is not None and kind not in self.kinds:
            return False
        if path is not None and self._matchers and not any(match(path) for match in self._matchers):
            return False
        return self.window.holds(now)

    def scope(self) -> str:
        """The grant in Kuksa's scope grammar (without its things and window)."""
        word = SCOPE_WORDS[self.action]
        return " ".join(f"{word}:{p}" for p in self.paths) if self.paths else word


def parse_scopes(text: str, things: Iterable[str] | None = None, window: Window = ALWAYS) -> tuple[Grant, ...]:
    """Grants from a Kuksa-style scope string: `read:Vehicle actuate:Vehicle.Cabin.HVAC provide`. Words of other
    services (`create`...) are ignored, as Kuksa does."""
    owned = None if things is None else frozenset(things)
    by_action: dict[Action, list[str] | None] = {}
    for item in text.split():
        word, _, path = item.partition(":")
        action = SCOPE_ACTIONS.get(word)
        if action is None:
            continue
        if not path or path in ("*", "**"):
            by_action[action] = None
        elif by_action.get(action, []) is not None:
            by_action.setdefault(action, []).append(path)  # type: ignore[union-attr]
    return tuple(Grant(action, owned, None if paths is None else tuple(paths), window)
                 for action, paths in by_action.items())
