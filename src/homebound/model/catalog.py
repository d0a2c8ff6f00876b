"""A set of signals: the built-in VSS subset, an official VSS export, or either with overlays.

The catalog answers the questions every door asks: is this a known leaf, what are its rules, which leaves does a
branch or wildcard stand for, and which known paths are closest to a mistyped one.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from homebound.model.errors import UnknownPath
from homebound.model.limits import DEFAULT_LIMITS, Limits
from homebound.model.paths import MAX_PATTERN_CHARS, PathPattern, is_wildcard
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.validation import Validator, compile_validator

SUGGEST_MAX_CHARS = 255


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    leaf: str | None = None
    room: int = 0  # the most node names below this one on any path (0: nothing below)
SUGGEST_CANDIDATES = 300


class Catalog:
    """Signal metadata by path, with each signal's compiled validator."""

    def __init__(self, signals: Iterable[SignalMetadata], name: str = "catalog",
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.name = name
        self.limits = limits
        self.signals: dict[str, SignalMetadata] = {}
        for meta in signals:
            self.signals[meta.path] = meta
        self.validators: dict[str, Validator] = {p: compile_validator(m, limits) for p, m in self.signals.items()}
        self.branches: frozenset[str] = frozenset(
            ".".join(path.split(".")[:depth])
            for path in self.signals
            for depth in range(1, path.count(".") + 1)
        )
        self._sorted_paths = sorted(self.signals)
        self._by_leaf: dict[str, list[str]] = {}
        self._below: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = {}
        self._tree: dict[str, _Node] = {}
        for path in self._sorted_paths:
            level = self._tree
            names = path.split(".")
            for index, name in enumerate(names):
                node = level.setdefault(name, _Node())
                node.room = max(node.room, len(names) - 1 - index)
                level = node.children
            node.leaf = path
            self._children.setdefault(path.rsplit(".", 1)[0], []).append(path)
            self._by_leaf.setdefault(path.rsplit(".", 1)[-1].lower(), []).append(path)
            parts = path.split(".")
            for depth in range(1, len(parts)):
                self._below.setdefault(".".join(parts[:depth]), []).append(path)

    def __len__(self) -> int:
        return len(self.signals)

    def __contains__(self, path: object) -> bool:
        return path in self.signals

    def get(self, path: str) -> SignalMetadata:
        """The metadata of a leaf; UnknownPath names the closest known paths."""
        try:
            return self.signals[path]
        except KeyError:
            raise UnknownPath(path, self.suggest(path)) from None

    def suggest(self, path: str, limit: int = 3) -> list[str]:
        """The known paths closest to `path`, best first: for 'did you mean ...?'.

        Bounded work whatever the input: only the paths under the deepest branch `path` shares with the catalog
        (at most a few hundred) and those with the same leaf name are compared, and over-long paths get none.
        """
        if len(path) > SUGGEST_MAX_CHARS:
            return []
        leaf = path.rsplit(".", 1)[-1].lower()
        same_leaf = self._by_leaf.get(leaf, [])
        parts = path.split(".")
        nearby: list[str] = []
        for depth in range(len(parts) - 1, 0, -1):
            branch = ".".join(parts[:depth])
            below = self._below.get(branch)
            if below is not None:
                nearby = below if len(below) <= SUGGEST_CANDIDATES else self._children.get(branch, [])
                break
        candidates = list(dict.fromkeys([*nearby, *same_leaf[:SUGGEST_CANDIDATES]]))
        close = difflib.get_close_matches(path, candidates, n=limit, cutoff=0.6)
        return close or same_leaf[:limit]

    def expand(self, pattern: str, suggest: bool = True) -> list[str]:
        """The leaves a leaf path, branch path or wildcard pattern stands for; UnknownPath if none (with the
        closest known paths unless `suggest` is False)."""
        if pattern in self.signals:
            return [pattern]
        if len(pattern) > MAX_PATTERN_CHARS:
            matches = []
        elif is_wildcard(pattern):
            matches = self._walk(PathPattern(pattern))
        elif pattern in self.branches:
            matches = list(self._below.get(pattern, ()))
        else:
            matches = []
        if not matches:
            raise UnknownPath(pattern, self.suggest(pattern) if suggest else [])
        return matches

    def _walk(self, pattern: PathPattern) -> list[str]:
        """Every leaf the pattern matches, walking the catalog's tree once and pruning branches no path below
        can match: each node is visited at most once per pattern, and each step is worked out once per (states,
        name, depth below), since the same names recur under many branches (`Row1.DriverSide.IsOpen`)."""
        found: list[str] = []
        pending: list[tuple[dict[str, _Node], frozenset[int]]] = [(self._tree, pattern.start())]
        steps: dict[tuple[frozenset[int], str, int], frozenset[int]] = {}
        while pending:
            level, states = pending.pop()
            for name, node in level.items():
                key = (states, name, node.room)
                following = steps.get(key)
                if following is None:
                    following = steps[key] = pattern.step(states, name, node.room)
                if not following:
                    continue
                if node.leaf is not None and pattern.accepts(following):
                    found.append(node.leaf)
                if node.children:
                    pending.append((node.children, following))
        return sorted(found)

    def counts_by_kind(self) -> dict[str, int]:
        counts = Counter(meta.kind.value for meta in self.signals.values())
        return {kind.value: counts.get(kind.value, 0) for kind in SignalKind}

    def counts_by_datatype(self) -> dict[str, int]:
        return dict(sorted(Counter(meta.datatype.value for meta in self.signals.values()).items()))

    def with_limits(self, limits: Limits) -> Catalog:
        """The same signals, validated under other limits (the configuration's `limits:`)."""
        return self if limits == self.limits else Catalog(self.signals.values(), name=self.name, limits=limits)

    def merged(self, overlay: Mapping[str, SignalMetadata], name: str | None = None) -> Catalog:
        """A new catalog with the overlay's signals added or replacing ours."""
        combined = dict(self.signals)
        combined.update(overlay)
        return Catalog(combined.values(), name=name or self.name, limits=self.limits)
