"""Path patterns: a leaf, a branch (`Vehicle.Cabin`) or a wildcard (`Vehicle.Body.Door.*.IsOpen`).

`*` stands for exactly one node name (or part of one: `Row*`) and `**` for any number of them, as in Kuksa's
databroker. A pattern also matches the leaves below what it names, so `Vehicle.Cabin.*` covers the whole cabin.
Patterns are expanded against the catalog once, when a subscription is made, so that delivery is a plain
dictionary lookup.
"""

from __future__ import annotations

import re
from functools import lru_cache


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern


@lru_cache(maxsize=1024)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Compile a dotted wildcard pattern into a regular expression over full paths."""
    regex = ""
    need_separator = False
    for segment in pattern.split("."):
        if segment == "**":
            regex += r"(?:\.[^.]+)*" if need_separator else r"(?:[^.]+\.)*"
            continue
        piece = "[^.]*".join(re.escape(part) for part in segment.split("*"))
        regex += (r"\." if need_separator else "") + piece
        need_separator = True
    return re.compile(rf"^{regex}(?:\.[^.]+)*$")
