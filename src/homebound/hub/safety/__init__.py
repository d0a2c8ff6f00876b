"""Safety interlocks: commands the vehicle's state makes unsafe are refused in the hub, before they reach the car.

Unlocking or opening a door, a trunk, the hood, a window, the sunroof or the charging flap while the vehicle
moves; unlocking the charging cable while it charges; a remote start while it moves; a climate set point out of
bounds. Each rule is data (`rules.py`): a name, the paths it guards, the targets it refuses (`targets.py`) and
the state it refuses them in (`conditions.py`, which also says why unknown state is refused). A household may
make the rules stricter, never looser (`thresholds.py`, `configuration.py`). `Hub.command` asks `Interlocks`.
"""

from homebound.hub.safety.conditions import Condition
from homebound.hub.safety.configuration import SafetyConfig
from homebound.hub.safety.interlocks import Interlocks
from homebound.hub.safety.rules import BUILT_IN_NAMES, SafetyRule, built_in_rules
from homebound.hub.safety.targets import Above, Below, Equals, Opening, TargetTest
from homebound.hub.safety.thresholds import Thresholds

__all__ = ["BUILT_IN_NAMES", "Above", "Below", "Condition", "Equals", "Interlocks", "Opening", "SafetyConfig",
           "SafetyRule", "TargetTest", "Thresholds", "built_in_rules"]
