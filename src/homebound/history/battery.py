"""The battery over time: usable capacity estimated from charging sessions, and the range a full battery gives.

Each charging session that moved the state of charge by 10 points or more gives an estimate (energy added /
change of state of charge); one session is noisy (rounding of the state of charge, losses counted or not), so
the current figure is the median of the last five. Projected range at 100 %: that capacity over the
distance-weighted efficiency of the recent drives; and, when the car reports its own range, the car's figure
scaled to 100 % at the end of the last charge.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

Row = dict[str, object]
RECENT_ESTIMATES = 5


def _number(row: Row, key: str) -> float | None:
    value = row.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def battery_report(estimates: list[tuple[float, float]], recent_drives: Iterable[Row], recent_charges: Iterable[Row],
                   configured_kwh: float | None, reported_kwh: float | None) -> dict[str, object]:
    """The capacity trend and projections, from stored sessions."""
    recent = [kwh for _, kwh in estimates[-RECENT_ESTIMATES:]]
    estimated = round(statistics.median(recent), 2) if recent else None
    capacity = reported_kwh if reported_kwh is not None else (
        configured_kwh if configured_kwh is not None else estimated)
    energy = distance = 0.0
    for drive in recent_drives:
        drive_energy, drive_distance = _number(drive, "energy_kwh"), _number(drive, "distance_m")
        if drive_energy is not None and drive_distance is not None and drive_distance > 0:
            energy += drive_energy
            distance += drive_distance
    efficiency = energy * 1000 / (distance / 1000) if distance >= 1000 and energy > 0 else None
    rated = next((value for charge in recent_charges if (value := _number(charge, "range_at_100_km")) is not None),
                 None)
    first = estimates[0][1] if estimates else None
    return {
        "capacity_kwh": capacity,
        "capacity_source": ("reported" if reported_kwh is not None else "configured" if configured_kwh is not None
                            else "estimated" if estimated is not None else None),
        "estimated_capacity_kwh": estimated,
        "estimates": len(estimates),
        "degradation_percent": (round((1 - estimated / first) * 100, 1)
                                if estimated is not None and first and len(estimates) > RECENT_ESTIMATES else None),
        "trend": [{"ts": ts, "capacity_kwh": kwh} for ts, kwh in estimates],
        "recent_efficiency_wh_km": None if efficiency is None else round(efficiency, 1),
        "projected_range_at_100_km": (round(capacity * 1000 / efficiency, 1)
                                      if capacity is not None and efficiency else None),
        "rated_range_at_100_km": rated,
    }
