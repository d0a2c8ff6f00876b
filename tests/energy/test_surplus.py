"""The surplus regulator on its own: thresholds, delays, the guard, phases, and solar with a minimum."""

from __future__ import annotations

from homebound.energy.surplus import ChargerLimits, SurplusReading, SurplusRegulator, SurplusSettings

THREE_PHASES = ChargerLimits(min_current_a=6, max_current_a=16, phases=3)
SWITCHABLE = ChargerLimits(min_current_a=6, max_current_a=16, phases=3, switchable_phases=True)
SETTINGS = SurplusSettings(enable_delay_s=60, disable_delay_s=180, guard_s=300)


def run(regulator: SurplusRegulator, seconds: range, available: float, grid: float, enabled: bool,
        phases: int = 3, keep_minimum: bool = False) -> list[bool]:
    return [regulator.decide(SurplusReading(t, available, grid, enabled, phases, keep_minimum)).enabled
            for t in seconds]


def test_it_starts_only_after_the_surplus_held_for_the_enable_delay() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    decisions = run(regulator, range(0, 70, 10), available=5_000, grid=-5_000, enabled=False)
    assert decisions == [False, False, False, False, False, False, True]  # at 60 s, not before


def test_a_dip_below_the_minimum_restarts_the_enable_delay() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    run(regulator, range(0, 50, 10), 5_000, -5_000, False)
    assert regulator.decide(SurplusReading(50, 3_000, -3_000, False, 3)).enabled is False  # a cloud
    assert run(regulator, range(60, 130, 10), 5_000, -5_000, False)[-1] is True  # 60 s after the cloud
    assert regulator.decide(SurplusReading(100, 5_000, -5_000, False, 3)).reason.startswith("surplus")


def test_the_current_follows_the_surplus_in_whole_amps_floored() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    setpoint = regulator.decide(SurplusReading(0, 7_000, -2_000, True, 3))
    assert setpoint.current_a == 10  # 7000 W / 690 W per amp = 10.1 A
    assert regulator.decide(SurplusReading(10, 20_000, -9_000, True, 3)).current_a == 16


def test_a_short_cloud_keeps_charging_at_the_minimum() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    regulator.note_switch(-1_000)  # we started it
    setpoints = [regulator.decide(SurplusReading(t, 2_000, 2_140, True, 3)) for t in range(0, 170, 10)]
    assert all(s.enabled and s.current_a == 6 for s in setpoints)
    assert "stopping in" in setpoints[-1].reason


def test_it_stops_once_the_import_held_for_the_disable_delay() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    regulator.note_switch(-1_000)
    decisions = run(regulator, range(0, 190, 10), available=2_000, grid=2_140, enabled=True)
    assert decisions[:18] == [True] * 18 and decisions[18] is False  # at 180 s


def test_no_start_within_the_guard_time_after_a_switch() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    regulator.note_switch(0)  # stopped at 0
    decisions = run(regulator, range(10, 320, 10), 6_000, -6_000, False)
    assert decisions.index(True) == 29  # at 300 s: the guard, though the enable delay ended at 70 s


def test_solar_with_a_minimum_never_stops() -> None:
    regulator = SurplusRegulator(SETTINGS, THREE_PHASES)
    setpoints = [regulator.decide(SurplusReading(t, 0, 4_000, True, 3, keep_minimum=True)) for t in range(0, 900, 10)]
    assert all(s.enabled and s.current_a == 6 for s in setpoints)
    start = regulator.decide(SurplusReading(0, 0, 500, False, 3, keep_minimum=True))
    assert start.enabled  # starts at once, from the grid


def test_three_phases_drop_to_one_when_the_minimum_cannot_be_held() -> None:
    regulator = SurplusRegulator(SETTINGS, SWITCHABLE)
    regulator.note_switch(-1_000)
    phases = [regulator.decide(SurplusReading(t, 3_000, 1_140, True, 3)).phases for t in range(0, 190, 10)]
    assert phases[:18] == [3] * 18 and phases[18] == 1  # after the disable delay, not before


def test_one_phase_goes_to_three_when_one_is_maxed_out() -> None:
    regulator = SurplusRegulator(SETTINGS, SWITCHABLE)
    regulator.note_switch(-1_000)
    phases = [regulator.decide(SurplusReading(t, 6_000, -2_300, True, 1)).phases for t in range(0, 70, 10)]
    assert phases == [1, 1, 1, 1, 1, 1, 3]  # 6 kW is more than 16 A on one phase: three after the enable delay


def test_a_stopped_charger_starts_on_one_phase_when_three_would_not_hold() -> None:
    regulator = SurplusRegulator(SETTINGS, SWITCHABLE)
    setpoint = [regulator.decide(SurplusReading(t, 2_000, -2_000, False, 3)) for t in range(0, 70, 10)][-1]
    assert (setpoint.enabled, setpoint.phases, setpoint.current_a) == (True, 1, 8)  # 2000 W / 230 V = 8.7 A
