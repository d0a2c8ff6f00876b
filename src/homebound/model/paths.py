"""Path patterns: a leaf, a branch (`Vehicle.Cabin`) or a wildcard (`Vehicle.Body.Door.*.IsOpen`).

`*` stands for exactly one node name (or part of one: `Row*`) and `**` for any number of them, as in Kuksa's
databroker. A pattern also matches the leaves below what it names, so `Vehicle.Cabin.*` covers the whole cabin.
Patterns are expanded against the catalog once, when a subscription is made, so that delivery is a plain
dictionary lookup.

Matching is a small automaton over the path's segments, not a regular expression: a pattern of many `**` or `*`
costs at most (segments in the path) x (segments in the pattern) steps per path, so no crafted pattern can make
expansion slow (a regular expression of nested `(...)*` groups backtracks exponentially). Walking a catalog, a
state that needs more node names than the tree has below a node is dropped there, so a pattern longer than the
catalog is deep is dead at once instead of carrying dozens of live states down every branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

MAX_PATTERN_CHARS = 255
_STARS = re.compile(r"\*{2,}")

PathMatcher = Callable[[str], bool]


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern


def _segment_matches(piece: str, segment: str) -> bool:
    """Glob match of one node name where `*` stands for any characters; linear with a single backtrack point."""
    if "*" not in piece:
        return piece == segment
    p = s = 0
    star = mark = -1
    while s < len(segment):
        if p < len(piece) and piece[p] != "*" and piece[p] == segment[s]:
            p += 1
            s += 1
        elif p < len(piece) and piece[p] == "*":
            star, mark = p, s
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            s = mark
        else:
            return False
    while p < len(piece) and piece[p] == "*":
        p += 1
    return p == len(piece)


class PathPattern:
    """A wildcard pattern as a small automaton over node names: `start()`, then `step()` per node name."""

    def __init__(self, pattern: str) -> None:
        pieces: list[str] = []
        for segment in pattern.split("."):
            if segment == "**" and pieces and pieces[-1] == "**":
                continue  # `**.**` is `**`
            if segment != "**" and "**" in segment:
                segment = _STARS.sub("*", segment)  # within a name, `a***b` is `a*b`
            pieces.append(segment)
        if not pieces or pieces[-1] != "**":
            pieces.append("**")  # the leaves below what the pattern names
        self.steps = tuple(pieces)
        self.final = len(self.steps)
        # The fewest node names each state still needs (`**` needs none).
        self._needs = tuple(sum(1 for piece in self.steps[index:] if piece != "**") for index in range(self.final + 1))

    def _closure(self, states: frozenset[int]) -> frozenset[int]:
        out = set(states)
        for index in states:
            while index < self.final and self.steps[index] == "**":
                index += 1
                out.add(index)
        return frozenset(out)

    def start(self) -> frozenset[int]:
        return self._closure(frozenset({0}))

    def step(self, states: frozenset[int], name: str, room: int | None = None) -> frozenset[int]:
        """The states after one more node name; empty when nothing below can match any more. `room`: the most
        names that can follow this one (None: any number); states needing more are dropped."""
        following: set[int] = set()
        for index in states:
            if index >= self.final:
                continue
            piece = self.steps[index]
            if piece == "**":
                following.add(index)
            elif _segment_matches(piece, name):
                following.add(index + 1)
        if not following:
            return frozenset()
        reached = self._closure(frozenset(following))
        if room is not None:
            reached = frozenset(index for index in reached if self._needs[index] <= room)
        return reached

    def accepts(self, states: frozenset[int]) -> bool:
        return self.final in states


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> PathMatcher:
    """A function telling whether a full path is matched by the pattern (or lies below what it matches)."""
    automaton = PathPattern(pattern)

    def matches(path: str) -> bool:
        states = automaton.start()
        for name in path.split("."):
            states = automaton.step(states, name)
            if not states:
                return False
        return automaton.accepts(states)

    return matches
