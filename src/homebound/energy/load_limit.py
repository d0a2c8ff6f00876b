"""The household's power limit (the main fuse): charging gets what the rest of the house leaves.

The grid meter measures everything; the wallboxes measure themselves. What the rest of the house draws is the
difference, and the cars may take the limit less that (less a margin). A car does not react at once to a lower
current (IEC 61851 gives it up to 5 s), so a reduction is sent as soon as a reading shows the need, and an
increase only once the last change has had its `response_s` to show in the readings: the controller never raises
on numbers that do not yet include its previous step.
"""

from __future__ import annotations

from dataclasses import dataclass

from homebound.energy.electric import VOLTAGE_V


@dataclass(frozen=True)
class HouseholdLimit:
    """The most the house may import, in watts, and a margin kept free for loads that switch on suddenly."""

    limit_w: float | None
    margin_w: float = 0.0

    @classmethod
    def from_fuse(cls, fuse_a: float, phases: int = 3, voltage: float = VOLTAGE_V,
                  margin_w: float = 0.0) -> HouseholdLimit:
        return cls(fuse_a * phases * voltage, margin_w)

    def other_loads_w(self, grid_w: float, chargers_w: float) -> float:
        """What the house imports apart from its chargers (negative when the sun covers it and more)."""
        return grid_w - chargers_w

    def allowed_chargers_w(self, grid_w: float | None, chargers_w: float) -> float | None:
        """The most all chargers together may draw now; None when there is no limit. With a limit but no grid
        reading, nothing is known of the other loads: the caller must fall back to its minimum."""
        if self.limit_w is None:
            return None
        if grid_w is None:
            return 0.0
        return max(0.0, self.limit_w - self.margin_w - self.other_loads_w(grid_w, chargers_w))

    def over_by_w(self, grid_w: float) -> float:
        """How far an import reading is above the limit (0 when within)."""
        if self.limit_w is None:
            return 0.0
        return max(0.0, grid_w - self.limit_w)
