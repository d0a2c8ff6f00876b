"""Charging from the solar surplus without chattering: thresholds, delays and a guard between switches.

A car cannot charge below a minimum current (6 A: 1.38 kW on one phase, 4.14 kW on three), and every start and
stop clicks the wallbox's contactor, which wears it and annoys the car. So, as evcc does it:

- **start** only when the surplus has covered the minimum power (plus `enable_threshold_w`) for
  `enable_delay_s` without a break;
- while charging, **follow** the surplus in whole steps of current between minimum and maximum;
- when the surplus falls below the minimum, **keep charging at the minimum** (taking the rest from the grid)
  and stop only once the import has stayed above `disable_threshold_w` for `disable_delay_s` (a wallbox that
  started by itself when the car was plugged in is stopped at once: the grace is for starts we made);
- never switch the contactor twice within `guard_s`, whatever the sky does;
- where the wallbox can, **switch to one phase** when three cannot be held at the minimum, and back to three
  when one phase at its maximum leaves surplus unused (each after its delay, as a switch).

`solar_min` mode never stops: it charges at least the minimum, from the grid when the sun is short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from homebound.energy.electric import VOLTAGE_V, floor_to_step, power_w


@dataclass(frozen=True)
class SurplusSettings:
    """When to start and stop on surplus; the defaults are evcc's."""

    enable_threshold_w: float = 0.0
    disable_threshold_w: float = 0.0
    enable_delay_s: float = 60.0
    disable_delay_s: float = 180.0
    guard_s: float = 300.0


@dataclass(frozen=True)
class ChargerLimits:
    """What a wallbox (and the car behind it) can do."""

    min_current_a: float = 6.0
    max_current_a: float = 16.0
    step_a: float = 1.0
    phases: int = 3
    switchable_phases: bool = False
    voltage: float = VOLTAGE_V

    def min_power_w(self, phases: int) -> float:
        return power_w(self.min_current_a, phases, self.voltage)

    def max_power_w(self, phases: int) -> float:
        return power_w(self.max_current_a, phases, self.voltage)

    def current_for(self, watts: float, phases: int) -> float:
        """The largest commandable current whose power fits `watts`."""
        return floor_to_step(watts / (phases * self.voltage), self.step_a)


@dataclass(frozen=True)
class Setpoint:
    """What the wallbox should do now, and why (in words, for the status line)."""

    enabled: bool
    current_a: float
    phases: int
    reason: str


@dataclass(frozen=True)
class SurplusReading:
    """The site as the regulator needs it. `available_w` is what the car may take without importing: its own
    present draw plus what goes to the grid (less any home battery that has priority)."""

    now: float
    available_w: float
    grid_w: float
    enabled: bool
    phases: int
    keep_minimum: bool = False


TimerKind = Literal["enable", "disable", "phases_1", "phases_3"]


class SurplusRegulator:
    """The solar modes' state machine for one charge point: call `decide` every control cycle."""

    def __init__(self, settings: SurplusSettings, limits: ChargerLimits) -> None:
        self.settings = settings
        self.limits = limits
        self._timer: tuple[TimerKind, float] | None = None
        self._phase_timer: tuple[TimerKind, float] | None = None
        self.last_switch: float | None = None

    def reset(self) -> None:
        """Forget timers and the guard: the car left, a new session starts fresh."""
        self._timer = None
        self._phase_timer = None
        self.last_switch = None

    def reset_timers(self) -> None:
        """Forget running timers but keep the guard (the mode's decision changed, not the session)."""
        self._timer = None
        self._phase_timer = None

    def note_switch(self, now: float) -> None:
        """The controller switched the contactor (start, stop or phases) at `now`: the guard starts."""
        self.last_switch = now

    def guard_remaining(self, now: float) -> float:
        if self.last_switch is None:
            return 0.0
        return max(0.0, self.settings.guard_s - (now - self.last_switch))

    def timer(self, now: float) -> tuple[str, float] | None:
        """The running timer, if any, and the seconds left on it."""
        running = self._phase_timer or self._timer
        if running is None:
            return None
        kind, started = running
        delay = self._delay(kind)
        return kind, max(0.0, delay - (now - started))

    def _delay(self, kind: TimerKind) -> float:
        return self.settings.enable_delay_s if kind in ("enable", "phases_3") else self.settings.disable_delay_s

    def _elapsed(self, slot: Literal["pv", "phase"], kind: TimerKind, now: float) -> bool:
        """Run the timer `kind` (restarting it if another was running); True once its delay has passed."""
        current = self._timer if slot == "pv" else self._phase_timer
        if current is None or current[0] != kind:
            current = (kind, now)
            if slot == "pv":
                self._timer = current
            else:
                self._phase_timer = current
        return now - current[1] >= self._delay(kind)

    def decide(self, reading: SurplusReading) -> Setpoint:
        limits, settings, now = self.limits, self.settings, reading.now
        available = reading.available_w
        phases = reading.phases if reading.phases in (1, 3) else limits.phases
        guard = self.guard_remaining(now)

        if reading.keep_minimum:
            self._timer = None
            wanted = self._phases_to_run(available, phases, reading.enabled, now, guard, keep_minimum=True)
            current = max(limits.min_current_a, min(limits.max_current_a, limits.current_for(available, wanted)))
            why = "solar and minimum: charging at least the minimum" if current <= limits.min_current_a else \
                "solar and minimum: following the surplus"
            return Setpoint(True, current, wanted, why)

        if not reading.enabled:
            self._phase_timer = None
            start_phases = phases
            if limits.switchable_phases:
                start_phases = 3 if available >= limits.min_power_w(3) + settings.enable_threshold_w else 1
            needed = limits.min_power_w(start_phases) + settings.enable_threshold_w
            if available >= needed:
                if self._elapsed("pv", "enable", now):
                    if guard > 0:
                        return Setpoint(False, limits.min_current_a, start_phases,
                                        f"surplus enough; waiting {guard:.0f} s since the last switch")
                    self._timer = None
                    current = max(limits.min_current_a,
                                  min(limits.max_current_a, limits.current_for(available, start_phases)))
                    return Setpoint(True, current, start_phases, f"starting on {available:.0f} W of surplus")
                left = self.timer(now)
                return Setpoint(False, limits.min_current_a, start_phases,
                                f"surplus {available:.0f} W; starting in {left[1] if left else 0:.0f} s")
            self._timer = None
            return Setpoint(False, limits.min_current_a, start_phases,
                            f"waiting for surplus: {available:.0f} W of {needed:.0f} W needed")

        wanted = self._phases_to_run(available, phases, True, now, guard, keep_minimum=False)
        if wanted != phases:
            self._timer = None
            current = max(limits.min_current_a, min(limits.max_current_a, limits.current_for(available, wanted)))
            return Setpoint(True, current, wanted, f"switching to {wanted} phase{'s' if wanted > 1 else ''}")
        target = limits.current_for(available, phases)
        if target >= limits.min_current_a:
            self._timer = None
            return Setpoint(True, min(target, limits.max_current_a), phases,
                            f"charging from {available:.0f} W of surplus")
        if self.last_switch is None:  # the wallbox started on its own at plug-in: no grace for a start not ours
            self._timer = None
            return Setpoint(False, limits.min_current_a, phases, "stopped: not enough surplus to charge")
        if self._phase_timer is not None:  # scaling down to one phase first; no stop timer meanwhile
            return Setpoint(True, limits.min_current_a, phases, "surplus short; switching to one phase soon")
        if reading.grid_w > settings.disable_threshold_w:
            if self._elapsed("pv", "disable", now) and guard <= 0:
                self._timer = None
                return Setpoint(False, limits.min_current_a, phases, "stopped: no surplus")
            left = self.timer(now)
            wait = max(left[1] if left else 0.0, guard)
            return Setpoint(True, limits.min_current_a, phases,
                            f"surplus short, charging at the minimum; stopping in {wait:.0f} s")
        self._timer = None
        return Setpoint(True, limits.min_current_a, phases, "charging at the minimum")

    def _phases_to_run(self, available: float, phases: int, enabled: bool, now: float, guard: float,
                       keep_minimum: bool) -> int:
        """Phase switching with its own timer; returns the phases to use now (a change is a switch)."""
        limits, settings = self.limits, self.settings
        if not limits.switchable_phases or limits.phases < 3:
            self._phase_timer = None
            return phases
        if phases == 3 and available < limits.min_power_w(3):
            if self._elapsed("phase", "phases_1", now) and guard <= 0:
                self._phase_timer = None
                return 1
            return 3
        if phases == 1 and available >= limits.min_power_w(3) + settings.enable_threshold_w \
                and available > limits.max_power_w(1):
            if self._elapsed("phase", "phases_3", now) and guard <= 0:
                self._phase_timer = None
                return 3
            return 1
        if not enabled and not keep_minimum:
            return phases
        self._phase_timer = None
        return phases
