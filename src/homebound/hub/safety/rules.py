"""The safety rules as data: a name, the paths it guards, the targets it refuses, and the state it refuses them in.

The built-in rules cover every VSS release Homebound loads (4.0 to 6.0: the patterns name both the old and the
new paths where they moved) and Homebound's own remote start overlay path. Their numbers come from `Thresholds`,
which a household may only make stricter; a household may also add paths to a built-in rule, or rules of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from homebound.hub.safety.conditions import Condition
from homebound.hub.safety.targets import Above, Below, Equals, Opening, TargetTest
from homebound.hub.safety.thresholds import Thresholds
from homebound.model import vss_paths as vss
from homebound.model.paths import PathMatcher, compile_pattern
from homebound.model.signal import Value

CHARGING = "Vehicle.Powertrain.TractionBattery.Charging"
_DOOR = "Vehicle.Cabin.Door.*.*"


def _opening_paths(branch: str) -> tuple[str, ...]:
    """The three ways VSS opens a part: `IsOpen`, `Position`, `Switch`."""
    return tuple(f"{branch}.{leaf}" for leaf in ("IsOpen", "Position", "Switch"))


@dataclass(frozen=True, slots=True)
class SafetyRule:
    """Refuse targets that `refuses` matches, on paths matching one of `paths`, while the vehicle is `when`.

    `action` is the refusal's verb phrase, with `{path}` (the command's path) or `{branch}` (its parent, the door
    rather than its `IsLocked`) to fill in."""

    name: str
    action: str
    paths: tuple[str, ...]
    refuses: TargetTest
    when: Condition
    built_in: bool = True
    _matchers: tuple[PathMatcher, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matchers", tuple(compile_pattern(p) for p in self.paths))

    def guards(self, path: str) -> bool:
        return any(matches(path) for matches in self._matchers)

    def with_paths(self, extra: Iterable[str]) -> SafetyRule:
        """The same rule guarding more paths (a household maps its car's own path to a built-in rule)."""
        added = tuple(p for p in extra if p not in self.paths)
        return replace(self, paths=self.paths + added) if added else self

    def refusal(self, path: str, target: Value, current: Value | None, clause: str) -> str:
        """The message: the rule's name, what was refused, and the value that made it unsafe."""
        action = self.action.format(path=path, branch=path.rsplit(".", 1)[0])
        detail = self.refuses.detail(target, current)
        return f"refused for safety ({self.name}): cannot {action}{detail}{' ' + clause if clause else ''}"

    def explain(self) -> str:
        """One line for listings: when, what, where."""
        return f"{self.name}: refuse {self.refuses.describe()} while {self.when.value} on {', '.join(self.paths)}"


def built_in_rules(thresholds: Thresholds) -> tuple[SafetyRule, ...]:
    """Homebound's own rules, with the household's (stricter) numbers; they cannot be removed."""
    moving, charging, always = Condition.MOVING, Condition.CHARGING, Condition.ALWAYS
    return (
        SafetyRule("no_unlock_while_moving", "unlock {branch}",
                   (f"{_DOOR}.IsLocked", "Vehicle.Body.Trunk.*.IsLocked"), Equals(False), moving),
        SafetyRule("no_door_open_while_moving", "open {branch}", _opening_paths(_DOOR), Opening(), moving),
        SafetyRule("no_trunk_open_while_moving", "open {branch}", _opening_paths("Vehicle.Body.Trunk.*"),
                   Opening(), moving),
        SafetyRule("no_hood_open_while_moving", "open {branch}", _opening_paths("Vehicle.Body.Hood"),
                   Opening(), moving),
        SafetyRule("no_window_open_while_moving", "open {branch}", _opening_paths(f"{_DOOR}.Window"),
                   Opening(), moving),
        SafetyRule("no_sunroof_open_while_moving", "open {branch}", _opening_paths("Vehicle.Cabin.Sunroof"),
                   Opening(), moving),
        SafetyRule("no_charge_flap_open_while_moving", "open the charging flap of {branch}",
                   (f"{CHARGING}.ChargingPort.*.IsFlapOpen", f"{CHARGING}.ChargePortFlap",
                    f"{CHARGING}.IsChargingPortFlapOpen"), Opening(), moving),
        SafetyRule("no_charge_cable_unlock_while_charging", "unlock the charging cable at {branch}",
                   (f"{CHARGING}.ChargingPort.*.IsChargingCableLocked", f"{CHARGING}.IsChargingCableLocked"),
                   Equals(False), charging),
        SafetyRule("no_remote_start_while_moving", "start the vehicle remotely ({path})", (vss.REMOTE_START,),
                   Equals(True), moving),
        SafetyRule("no_climate_above_max", "set {path}", ("Vehicle.Cabin.HVAC.Station.*.*.Temperature",),
                   Above(thresholds.climate_max_c, "°C", "safety.climate_max_c"), always),
        SafetyRule("no_climate_below_min", "set {path}", ("Vehicle.Cabin.HVAC.Station.*.*.Temperature",),
                   Below(thresholds.climate_min_c, "°C", "safety.climate_min_c"), always),
        SafetyRule("no_seat_heating_above_max", "set {path}",
                   ("Vehicle.Cabin.Seat.**.HeatingCooling", "Vehicle.Cabin.Seat.**.Heating"),
                   Above(thresholds.seat_heating_max_percent, "%", "safety.seat_heating_max_percent"), always),
    )


BUILT_IN_NAMES = tuple(rule.name for rule in built_in_rules(Thresholds()))
