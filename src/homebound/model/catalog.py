"""A set of signals: the built-in VSS subset, an official VSS export, or either with overlays.

The catalog answers the questions every door asks: is this a known leaf, what are its rules, which leaves does a
branch or wildcard stand for, and which known paths are closest to a mistyped one.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping

from homebound.model.errors import UnknownPath
from homebound.model.paths import is_wildcard, wildcard_regex
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.validation import Validator, compile_validator


class Catalog:
    """Signal metadata by path, with each signal's compiled validator."""

    def __init__(self, signals: Iterable[SignalMetadata], name: str = "catalog") -> None:
        self.name = name
        self.signals: dict[str, SignalMetadata] = {}
        for meta in signals:
            self.signals[meta.path] = meta
        self.validators: dict[str, Validator] = {p: compile_validator(m) for p, m in self.signals.items()}
        self.branches: frozenset[str] = frozenset(
            ".".join(path.split(".")[:depth])
            for path in self.signals
            for depth in range(1, path.count(".") + 1)
        )
        self._sorted_paths = sorted(self.signals)

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
        """The known paths closest to `path`, best first: for 'did you mean ...?'."""
        close = difflib.get_close_matches(path, self._sorted_paths, n=limit, cutoff=0.6)
        if close:
            return close
        leaf = path.rsplit(".", 1)[-1].lower()
        same_leaf = [p for p in self._sorted_paths if p.rsplit(".", 1)[-1].lower() == leaf]
        return same_leaf[:limit]

    def expand(self, pattern: str) -> list[str]:
        """The leaves a leaf path, branch path or wildcard pattern stands for; UnknownPath if none."""
        if pattern in self.signals:
            return [pattern]
        if is_wildcard(pattern):
            regex = wildcard_regex(pattern)
            matches = [p for p in self._sorted_paths if regex.match(p)]
        elif pattern in self.branches:
            prefix = pattern + "."
            matches = [p for p in self._sorted_paths if p.startswith(prefix)]
        else:
            matches = []
        if not matches:
            raise UnknownPath(pattern, self.suggest(pattern))
        return matches

    def counts_by_kind(self) -> dict[str, int]:
        counts = Counter(meta.kind.value for meta in self.signals.values())
        return {kind.value: counts.get(kind.value, 0) for kind in SignalKind}

    def counts_by_datatype(self) -> dict[str, int]:
        return dict(sorted(Counter(meta.datatype.value for meta in self.signals.values()).items()))

    def merged(self, overlay: Mapping[str, SignalMetadata], name: str | None = None) -> Catalog:
        """A new catalog with the overlay's signals added or replacing ours."""
        combined = dict(self.signals)
        combined.update(overlay)
        return Catalog(combined.values(), name=name or self.name)
