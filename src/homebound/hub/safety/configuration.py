"""The `safety:` section of the configuration: a household makes the interlocks stricter, never looser.

Numbers may only move towards strict (a lower moving speed, a lower climate maximum...), paths may be added to a
built-in rule (the household's car names its remote start differently), and rules of the household's own may be
added. Nothing disables or replaces a built-in rule: a key that tries is refused with its name.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from homebound.hub.safety.conditions import Condition
from homebound.hub.safety.interlocks import Interlocks
from homebound.hub.safety.rules import BUILT_IN_NAMES, SafetyRule
from homebound.hub.safety.targets import Above, Below, Equals, Opening, TargetTest
from homebound.hub.safety.thresholds import (
    CLIMATE_MAX_C,
    CLIMATE_MIN_C,
    MOVING_SPEED_KMH,
    SEAT_HEATING_MAX_PERCENT,
    Thresholds,
    check_stricter,
)
from homebound.model.paths import MAX_PATTERN_CHARS

MAX_RULES = 100
MAX_PATHS_PER_RULE = 100
_PATTERN = re.compile(r"Vehicle(\.[A-Za-z0-9_*]+)+")
_LOOSENING_KEYS = frozenset({"enabled", "disable", "disabled", "disabled_rules", "disable_rules", "allow",
                             "exceptions", "off", "skip", "remove", "remove_paths", "except"})


def _check_pattern(pattern: str) -> str:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"a path of {len(pattern)} characters is over the limit of {MAX_PATTERN_CHARS}")
    if _PATTERN.fullmatch(pattern) is None:
        raise ValueError(f"{pattern[:MAX_PATTERN_CHARS]!r} is not a vehicle path: Vehicle.<Node>.<Node>..., "
                         "node names of letters, digits and _, with * for one node and ** for any number")
    return pattern


GuardedPath = Annotated[str, AfterValidator(_check_pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RefuseConfig(_Strict):
    """Which targets a household rule refuses: exactly one of the keys."""

    equals: bool | int | float | Annotated[str, Field(max_length=256)] | None = Field(
        None, description="this one value (true, false, a number, a word)")
    opening: Literal[True] | None = Field(None, description="true, a position further open than now, OPEN...")
    above: float | None = Field(None, description="numbers over this")
    below: float | None = Field(None, description="numbers under this")

    @model_validator(mode="after")
    def _exactly_one(self) -> RefuseConfig:
        given = [key for key in ("equals", "opening", "above", "below") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of equals, opening, above, below (given: {', '.join(given) or 'none'})")
        return self

    def test(self, rule: str) -> TargetTest:
        key = f"safety.rules.{rule}.refuse"
        if self.above is not None:
            return Above(self.above, "", f"{key}.above")
        if self.below is not None:
            return Below(self.below, "", f"{key}.below")
        if self.opening:
            return Opening()
        assert self.equals is not None
        return Equals(self.equals)


class RuleConfig(_Strict):
    """A household's own rule: refuse these targets on these paths in this state."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="shown in every refusal")
    paths: list[GuardedPath] = Field(min_length=1, max_length=MAX_PATHS_PER_RULE)
    refuse: RefuseConfig
    when: Condition = Field(description="moving, charging or always")
    action: str = Field("command", pattern=r"^[A-Za-z][A-Za-z0-9 ,'-]{0,63}$",
                        description="the verb of the refusal: 'cannot <action> <path> while ...'")

    @field_validator("name")
    @classmethod
    def _not_built_in(cls, name: str) -> str:
        if name in BUILT_IN_NAMES:
            raise ValueError(f"{name!r} is a built-in rule: built-in rules cannot be replaced or disabled; to guard "
                             f"more paths with it, list them under safety.extra_paths.{name}")
        return name

    def rule(self) -> SafetyRule:
        return SafetyRule(self.name, f"{self.action} {{path}}", tuple(self.paths), self.refuse.test(self.name),
                          self.when, built_in=False)


class SafetyConfig(_Strict):
    """The household's safety settings: each one may only make the built-in interlocks stricter."""

    moving_speed_kmh: float = Field(MOVING_SPEED_KMH, description="at or above: moving; may only be lowered")
    climate_max_c: float = Field(CLIMATE_MAX_C, description="highest cabin set point; may only be lowered")
    climate_min_c: float = Field(CLIMATE_MIN_C, description="lowest cabin set point; may only be raised")
    seat_heating_max_percent: float = Field(SEAT_HEATING_MAX_PERCENT, description="may only be lowered")
    state_max_age_s: float | None = Field(None, description="a 'stopped' or 'not charging' reading older than this "
                                                            "counts as unknown (refused); null: the last one stands")
    extra_paths: dict[str, list[GuardedPath]] = Field(
        default_factory=dict, description="built-in rule name -> more paths it guards (your car's own signals)")
    rules: list[RuleConfig] = Field(default_factory=list, max_length=MAX_RULES, description="rules of your own")

    @model_validator(mode="before")
    @classmethod
    def _no_loosening_keys(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in data:
                if str(key) in _LOOSENING_KEYS:
                    raise ValueError(f"{str(key)[:40]}: built-in rules cannot be disabled or relaxed; the "
                                     "safety section can only make them stricter (see docs/configuration.md)")
        return data

    @field_validator("moving_speed_kmh", "climate_max_c", "climate_min_c", "seat_heating_max_percent")
    @classmethod
    def _stricter(cls, value: float, info: ValidationInfo) -> float:
        return check_stricter(str(info.field_name), value)

    @field_validator("extra_paths")
    @classmethod
    def _known_rules(cls, extra: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, paths in extra.items():
            if name not in BUILT_IN_NAMES:
                raise ValueError(f"{name[:64]!r} is not a built-in rule (one of {', '.join(BUILT_IN_NAMES)}); "
                                 "a rule of your own goes under safety.rules")
            if len(paths) > MAX_PATHS_PER_RULE:
                raise ValueError(f"{name}: {len(paths)} paths is over the limit of {MAX_PATHS_PER_RULE}")
        return extra

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, rules: list[RuleConfig]) -> list[RuleConfig]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} appears twice")
            seen.add(rule.name)
        return rules

    @model_validator(mode="after")
    def _consistent(self) -> SafetyConfig:
        self.thresholds()  # min below max, speed above 0, ... (ValueError naming the key)
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(self.moving_speed_kmh, self.climate_max_c, self.climate_min_c,
                          self.seat_heating_max_percent, self.state_max_age_s)

    def interlocks(self) -> Interlocks:
        """The interlocks a hub enforces with these settings (`Hub(safety=...)`)."""
        return Interlocks(self.thresholds(), [rule.rule() for rule in self.rules], self.extra_paths)
