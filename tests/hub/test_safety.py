"""The safety interlock on its own: which commands the car's state makes unsafe, and what the refusal says."""

from __future__ import annotations

import pytest

from homebound.hub.safety import interlock_refusal
from homebound.model.signal import Value

DOOR = "Vehicle.Cabin.Door.Row1.DriverSide"


def state(**values: Value) -> dict[str, tuple[Value, float, str]]:
    """The hub's current values as the interlock reads them: `Speed=48.0` is `Vehicle.Speed`."""
    return {f"Vehicle.{name}": (value, 0.0, "car") for name, value in values.items()}


@pytest.mark.parametrize(("path", "target", "what"), [
    (f"{DOOR}.IsLocked", False, "unlock a door"),
    ("Vehicle.Cabin.Door.Row2.PassengerSide.IsOpen", True, "open a door"),
    ("Vehicle.Body.Trunk.Rear.IsOpen", True, "open the trunk"),
    ("Vehicle.Body.Trunk.Front.IsLocked", False, "unlock the trunk"),
    ("Vehicle.Body.Hood.IsOpen", True, "open the hood"),
])
def test_opening_or_unlocking_while_moving_is_refused_saying_what_and_how_fast(path: str, target: Value,
                                                                              what: str) -> None:
    assert interlock_refusal(path, target, state(Speed=48.0)) == (
        f"refused for safety: cannot {what} while the vehicle is moving at 48.0 km/h")


@pytest.mark.parametrize(("path", "target"), [
    (f"{DOOR}.IsLocked", True), (f"{DOOR}.IsOpen", False), ("Vehicle.Body.Trunk.Rear.IsOpen", False),
    (f"{DOOR}.Window.Position", 0), ("Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 21.5),
])
def test_locking_closing_and_other_commands_go_ahead_while_moving(path: str, target: Value) -> None:
    assert interlock_refusal(path, target, state(Speed=48.0, IsMoving=True)) is None


def test_the_moving_flag_alone_refuses_and_the_refusal_names_no_speed() -> None:
    assert interlock_refusal(f"{DOOR}.IsLocked", False, state(IsMoving=True)) == (
        "refused for safety: cannot unlock a door while the vehicle is moving")


def test_a_car_that_says_it_stopped_and_reports_no_speed_may_be_unlocked() -> None:
    assert interlock_refusal(f"{DOOR}.IsLocked", False, state(IsMoving=False)) is None
    assert interlock_refusal(f"{DOOR}.IsLocked", False, state()) is None  # nothing known: nothing to refuse on


@pytest.mark.parametrize(("speed", "refused"), [(1.0, True), (0.9, False), (-1.0, True), (-0.5, False)])
def test_moving_means_at_least_one_km_per_hour_either_way(speed: float, refused: bool) -> None:
    refusal = interlock_refusal(f"{DOOR}.IsLocked", False, state(Speed=speed, IsMoving=False))
    assert (refusal is not None) is refused
