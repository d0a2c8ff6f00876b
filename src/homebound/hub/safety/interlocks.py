"""The interlocks one hub enforces: the built-in rules (with the household's stricter numbers and added paths) and
the household's own rules, asked by `Hub.command` about every command, whichever door it came in by.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from homebound.hub.safety.conditions import ASSESS, CurrentState
from homebound.hub.safety.rules import SafetyRule, built_in_rules
from homebound.hub.safety.thresholds import Thresholds
from homebound.model.catalog import Catalog
from homebound.model.errors import UnknownPath
from homebound.model.signal import SignalKind, Value

_MAX_CACHED_PATHS = 65_536


class Interlocks:
    """Refuses a command the vehicle's current state makes unsafe, naming the rule and the value that tripped it.

    Built-in rules are always there: `extra_paths` adds paths to them (by rule name) and `rules` adds the
    household's own; neither can take a rule away, and `Thresholds` refuses looser numbers."""

    def __init__(self, thresholds: Thresholds | None = None, rules: Iterable[SafetyRule] = (),
                 extra_paths: Mapping[str, Iterable[str]] | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        built_in = built_in_rules(self.thresholds)
        names = [rule.name for rule in built_in]
        extra = {name: tuple(paths) for name, paths in (extra_paths or {}).items()}
        for name in extra:
            if name not in names:
                raise ValueError(f"safety.extra_paths: {name!r} is not a built-in rule (one of {', '.join(names)})")
        own = tuple(rules)
        for rule in own:
            if rule.name in names:
                raise ValueError(f"safety.rules: {rule.name!r} is already a rule; built-in rules cannot be replaced "
                                 "or disabled, give yours another name")
            names.append(rule.name)
        self.rules: tuple[SafetyRule, ...] = tuple(rule.with_paths(extra.get(rule.name, ())) for rule in built_in) + own
        self.added: tuple[tuple[str, str], ...] = (
            tuple((f"safety.extra_paths.{name}", path) for name, paths in extra.items() for path in paths)
            + tuple((f"safety.rules.{rule.name}", path) for rule in own for path in rule.paths))
        """(where it was configured, pattern) of every path the household added, checked against the catalog."""
        self._by_path: dict[str, tuple[SafetyRule, ...]] = {}

    def rules_for(self, path: str) -> tuple[SafetyRule, ...]:
        """The rules guarding a path, in order (remembered: a catalog has a bounded number of paths)."""
        found = self._by_path.get(path)
        if found is None:
            if len(self._by_path) >= _MAX_CACHED_PATHS:
                self._by_path.clear()
            found = self._by_path[path] = tuple(rule for rule in self.rules if rule.guards(path))
        return found

    def refusal(self, path: str, target: Value, state: CurrentState, now: float | None = None) -> str | None:
        """Why commanding `path` to `target` is unsafe now, or None when it may go ahead.

        `state` is the vehicle's current values in the hub; `now` the time staleness is measured against."""
        rules = self.rules_for(path)
        if not rules:
            return None
        entry = state.get(path)
        current = None if entry is None else entry[0]
        at = time.time() if now is None else now
        for rule in rules:
            if not rule.refuses.refuses(target, current):
                continue
            clause = ASSESS[rule.when](state, self.thresholds, at)
            if clause is not None:
                return rule.refusal(path, target, current, clause)
        return None

    def unguarded(self, catalog: Catalog) -> list[str]:
        """A problem for each path the household added that guards no actuator of the catalog (a typo, or a
        signal the catalog lacks: an overlay missing), so nobody believes in a rule that can never apply."""
        problems: list[str] = []
        for where, pattern in self.added:
            try:
                leaves = catalog.expand(pattern)
            except UnknownPath as error:
                hint = f" (did you mean {', '.join(error.suggestions)}?)" if error.suggestions else ""
                problems.append(f"{where}: {pattern!r} matches nothing in the catalog{hint}")
                continue
            if not any(catalog.signals[leaf].kind is SignalKind.ACTUATOR for leaf in leaves):
                problems.append(f"{where}: {pattern!r} matches no actuator of the catalog (only actuators take "
                                "commands)")
        return problems

    def explain(self) -> list[str]:
        """One line per rule, in the order they are checked."""
        return [rule.explain() for rule in self.rules]
