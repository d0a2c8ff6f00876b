"""The safety interlocks: each rule refuses its commands in the unsafe state and lets them through in the safe one,
names itself and the value that tripped it; unknown motion is refused; a household may only make them stricter.

Every command here goes through `Hub.command`, as it does from every door. A refusal comes before the provider is
asked, so a safe command shows as pending with the stand-in provider below.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from homebound.app.config import ConfigError, load_config
from homebound.app.runtime import Runtime
from homebound.hub import Command, CommandState, Hub
from homebound.hub.errors import CommandRejected
from homebound.hub.safety import (
    BUILT_IN_NAMES,
    Condition,
    Equals,
    Interlocks,
    SafetyConfig,
    SafetyRule,
    Thresholds,
)
from homebound.model import vss_paths as vss
from homebound.model.catalog import Catalog
from homebound.model.errors import ErrorCode
from homebound.model.vss_loader import apply_overlay, load_overlay_file, load_vss_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REMOTE_START_OVERLAY = EXAMPLES / "overlays" / "remote_start.yaml"

DOOR = "Vehicle.Cabin.Door.Row1.DriverSide"
WINDOW = f"{DOOR}.Window"
PORT = "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition"
DRIVER_SET_POINT = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
SEAT_HEATING = "Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling"

PARKED = {vss.SPEED: 0.0, vss.IS_MOVING: False, vss.PARK_LOCK: True, vss.SELECTED_GEAR: vss.GEAR_PARK,
          vss.IS_CHARGING: False}
DRIVING = {vss.SPEED: 42.0, vss.IS_MOVING: True, vss.PARK_LOCK: False, vss.SELECTED_GEAR: vss.GEAR_DRIVE,
           vss.IS_CHARGING: False}


class AcceptingProvider:
    """Test stand-in for the car's gateway: accepts every command it is given (and never confirms it)."""

    async def actuate(self, command: Command) -> None:
        return None


def car(catalog: Catalog, state: dict[str, object] | None = None, safety: Interlocks | None = None) -> Hub:
    hub = Hub(default_command_timeout=5.0, safety=safety)
    hub.add_vehicle("car1", catalog)
    hub.register_owner("car1", AcceptingProvider())
    if state:
        assert hub.ingest("car1", state).ok
    return hub


async def refusal(hub: Hub, path: str, target: object) -> str:
    before = hub.read_target("car1", path)
    with pytest.raises(CommandRejected) as refused:
        await hub.command("user:ana", "car1", path, target)
    assert refused.value.code is ErrorCode.UNSAFE
    assert hub.read_target("car1", path) == before, "a refused command must not set a target"
    message = str(refused.value)
    assert message.startswith(f"car1: {path}: ")
    return message.removeprefix(f"car1: {path}: ")


async def allowed(hub: Hub, path: str, target: object) -> None:
    command = await hub.command("user:ana", "car1", path, target)
    assert command.state in (CommandState.PENDING, CommandState.CONFIRMED)


@pytest.fixture(scope="module")
def with_remote_start(catalog: Catalog) -> Catalog:
    return load_overlay_file(catalog, REMOTE_START_OVERLAY)


# ---- each built-in rule, on its own ---------------------------------------------------------------------------

async def test_unlocking_a_door_while_moving_names_the_rule_the_door_and_the_speed(catalog: Catalog) -> None:
    hub = car(catalog, {vss.SPEED: 42.0})
    assert await refusal(hub, f"{DOOR}.IsLocked", False) == (
        "refused for safety (no_unlock_while_moving): cannot unlock Vehicle.Cabin.Door.Row1.DriverSide while the "
        "vehicle moves at 42.0 km/h")


async def test_unlocking_either_trunk_while_moving_is_refused(catalog: Catalog) -> None:
    hub = car(catalog, DRIVING)
    for trunk in ("Front", "Rear"):
        assert "(no_unlock_while_moving): cannot unlock Vehicle.Body.Trunk." + trunk in await refusal(
            hub, f"Vehicle.Body.Trunk.{trunk}.IsLocked", False)


async def test_unlocking_when_parked_and_locking_while_moving_are_allowed(catalog: Catalog) -> None:
    await allowed(car(catalog, PARKED), f"{DOOR}.IsLocked", False)
    await allowed(car(catalog, DRIVING), f"{DOOR}.IsLocked", True)


@pytest.mark.parametrize(("rule", "branch"), [
    ("no_door_open_while_moving", "Vehicle.Cabin.Door.Row2.PassengerSide"),
    ("no_trunk_open_while_moving", "Vehicle.Body.Trunk.Front"),
    ("no_trunk_open_while_moving", "Vehicle.Body.Trunk.Rear"),
    ("no_hood_open_while_moving", "Vehicle.Body.Hood"),
])
async def test_opening_a_door_trunk_or_hood_while_moving_is_refused_every_way(catalog: Catalog, rule: str,
                                                                             branch: str) -> None:
    hub = car(catalog, DRIVING)
    assert await refusal(hub, f"{branch}.IsOpen", True) == (
        f"refused for safety ({rule}): cannot open {branch} while the vehicle moves at 42.0 km/h")
    assert f"({rule}): cannot open {branch} to 30 (now unknown)" in await refusal(hub, f"{branch}.Position", 30)
    assert f"({rule}): cannot open {branch} (ONE_SHOT_OPEN)" in await refusal(hub, f"{branch}.Switch", "ONE_SHOT_OPEN")
    await allowed(hub, f"{branch}.IsOpen", False)
    await allowed(hub, f"{branch}.Switch", "CLOSE")


@pytest.mark.parametrize("branch", ["Vehicle.Cabin.Door.Row2.PassengerSide", "Vehicle.Body.Trunk.Front",
                                    "Vehicle.Body.Hood"])
async def test_opening_a_door_trunk_or_hood_when_parked_is_allowed(catalog: Catalog, branch: str) -> None:
    hub = car(catalog, PARKED)
    await allowed(hub, f"{branch}.IsOpen", True)
    await allowed(hub, f"{branch}.Switch", "OPEN")


async def test_lowering_a_window_while_moving_is_refused_and_raising_it_is_allowed(catalog: Catalog) -> None:
    hub = car(catalog, {**DRIVING, f"{WINDOW}.Position": 10})
    assert await refusal(hub, f"{WINDOW}.Position", 40) == (
        "refused for safety (no_window_open_while_moving): cannot open Vehicle.Cabin.Door.Row1.DriverSide.Window "
        "to 40 (now 10) while the vehicle moves at 42.0 km/h")
    assert "(no_window_open_while_moving)" in await refusal(hub, f"{WINDOW}.IsOpen", True)
    assert "(no_window_open_while_moving)" in await refusal(hub, f"{WINDOW}.Switch", "OPEN")
    await allowed(hub, f"{WINDOW}.Position", 10)
    await allowed(hub, f"{WINDOW}.Position", 0)
    await allowed(hub, f"{WINDOW}.Switch", "ONE_SHOT_CLOSE")


async def test_lowering_a_window_when_parked_is_allowed(catalog: Catalog) -> None:
    await allowed(car(catalog, PARKED), f"{WINDOW}.Position", 100)


async def test_opening_or_tilting_the_sunroof_while_moving_is_refused(catalog: Catalog) -> None:
    hub = car(catalog, DRIVING)
    for opening in ("OPEN", "ONE_SHOT_OPEN", "TILT_UP"):
        assert await refusal(hub, "Vehicle.Cabin.Sunroof.Switch", opening) == (
            f"refused for safety (no_sunroof_open_while_moving): cannot open Vehicle.Cabin.Sunroof ({opening}) "
            "while the vehicle moves at 42.0 km/h")
    await allowed(hub, "Vehicle.Cabin.Sunroof.Switch", "CLOSE")
    await allowed(car(catalog, PARKED), "Vehicle.Cabin.Sunroof.Switch", "TILT_UP")


async def test_opening_the_charging_flap_while_moving_is_refused(catalog: Catalog) -> None:
    assert await refusal(car(catalog, DRIVING), f"{PORT}.IsFlapOpen", True) == (
        f"refused for safety (no_charge_flap_open_while_moving): cannot open the charging flap of {PORT} while the "
        "vehicle moves at 42.0 km/h")
    await allowed(car(catalog, PARKED), f"{PORT}.IsFlapOpen", True)


async def test_unlocking_the_charging_cable_while_charging_is_refused(catalog: Catalog) -> None:
    hub = car(catalog, {**PARKED, vss.IS_CHARGING: True})
    assert await refusal(hub, f"{PORT}.IsChargingCableLocked", False) == (
        f"refused for safety (no_charge_cable_unlock_while_charging): cannot unlock the charging cable at {PORT} "
        f"while the vehicle is charging ({vss.IS_CHARGING} = true)")
    await allowed(hub, f"{PORT}.IsChargingCableLocked", True)


async def test_unlocking_the_charging_cable_when_not_charging_is_allowed(catalog: Catalog) -> None:
    await allowed(car(catalog, PARKED), f"{PORT}.IsChargingCableLocked", False)


async def test_remote_start_on_the_overlay_path_is_refused_while_moving(with_remote_start: Catalog) -> None:
    hub = car(with_remote_start, {vss.SPEED: 3.5})
    assert await refusal(hub, vss.REMOTE_START, True) == (
        "refused for safety (no_remote_start_while_moving): cannot start the vehicle remotely "
        f"({vss.REMOTE_START}) while the vehicle moves at 3.5 km/h")
    await allowed(hub, vss.REMOTE_START, False)


async def test_remote_start_when_parked_is_allowed(with_remote_start: Catalog) -> None:
    await allowed(car(with_remote_start, PARKED), vss.REMOTE_START, True)


async def test_a_climate_set_point_over_the_maximum_is_refused_whatever_the_state(catalog: Catalog) -> None:
    hub = car(catalog, PARKED)
    assert await refusal(hub, DRIVER_SET_POINT, 30.5) == (
        f"refused for safety (no_climate_above_max): cannot set {DRIVER_SET_POINT} to 30.5 °C: over the maximum "
        "of 30 °C (safety.climate_max_c)")
    await allowed(hub, DRIVER_SET_POINT, 30.0)


async def test_a_climate_set_point_under_the_minimum_is_refused_whatever_the_state(catalog: Catalog) -> None:
    hub = car(catalog, DRIVING)
    assert await refusal(hub, "Vehicle.Cabin.HVAC.Station.Row2.Passenger.Temperature", 14.0) == (
        "refused for safety (no_climate_below_min): cannot set Vehicle.Cabin.HVAC.Station.Row2.Passenger."
        "Temperature to 14.0 °C: under the minimum of 15 °C (safety.climate_min_c)")
    await allowed(hub, DRIVER_SET_POINT, 15.0)


async def test_climate_limits_apply_with_the_motion_unknown_and_other_set_points_go_through(catalog: Catalog) -> None:
    hub = car(catalog)
    await allowed(hub, DRIVER_SET_POINT, 21.5)
    assert "(no_climate_above_max)" in await refusal(hub, DRIVER_SET_POINT, 45.0)


async def test_seat_heating_over_the_households_maximum_is_refused(catalog: Catalog) -> None:
    hub = car(catalog, PARKED, SafetyConfig(seat_heating_max_percent=60).interlocks())
    assert await refusal(hub, SEAT_HEATING, 61) == (
        f"refused for safety (no_seat_heating_above_max): cannot set {SEAT_HEATING} to 61 %: over the maximum of "
        "60 % (safety.seat_heating_max_percent)")
    await allowed(hub, SEAT_HEATING, 60)
    await allowed(hub, SEAT_HEATING, -100)  # cooling


async def test_full_seat_heating_is_allowed_by_default(catalog: Catalog) -> None:
    await allowed(car(catalog, PARKED), SEAT_HEATING, 100)


# ---- what counts as moving ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "clause"), [
    ({vss.SPEED: 1.0}, "while the vehicle moves at 1.0 km/h"),
    ({vss.SPEED: -6.0}, "while the vehicle moves at -6.0 km/h"),
    ({vss.SPEED: 0.0, vss.IS_MOVING: True}, f"while the vehicle is moving ({vss.IS_MOVING} = true)"),
    ({vss.SPEED: 0.0, vss.PARK_LOCK: False}, f"while the vehicle is out of park ({vss.PARK_LOCK} = false)"),
    ({vss.SPEED: 0.0, vss.SELECTED_GEAR: 127}, f"while the vehicle is out of park ({vss.SELECTED_GEAR} = 127, drive)"),
    ({vss.SPEED: 0.0, vss.SELECTED_GEAR: 0}, f"({vss.SELECTED_GEAR} = 0, neutral)"),
    ({vss.SPEED: 0.0, vss.SELECTED_GEAR: -1}, f"({vss.SELECTED_GEAR} = -1, reverse gear 1)"),
])
async def test_any_signal_of_motion_refuses_and_is_named(catalog: Catalog, state: dict[str, object],
                                                         clause: str) -> None:
    message = await refusal(car(catalog, state), f"{DOOR}.IsLocked", False)
    assert message.endswith(clause)


@pytest.mark.parametrize("state", [
    {vss.SPEED: 0.9},
    {vss.IS_MOVING: False},
    {vss.PARK_LOCK: True},
    {vss.SELECTED_GEAR: vss.GEAR_PARK},
])
async def test_one_signal_saying_stopped_is_enough_when_no_other_says_moving(catalog: Catalog,
                                                                            state: dict[str, object]) -> None:
    await allowed(car(catalog, state), f"{DOOR}.IsLocked", False)


async def test_unknown_motion_is_refused_naming_the_signals_without_a_value(catalog: Catalog) -> None:
    hub = car(catalog, {vss.SOC: 80.0})
    assert await refusal(hub, f"{DOOR}.IsLocked", False) == (
        "refused for safety (no_unlock_while_moving): cannot unlock Vehicle.Cabin.Door.Row1.DriverSide while the "
        "vehicle's motion is unknown: no value yet for Vehicle.Speed, Vehicle.IsMoving, "
        "Vehicle.Powertrain.Transmission.IsParkLockEngaged or Vehicle.Powertrain.Transmission.SelectedGear")
    hub.ingest("car1", {vss.SPEED: 0.0})
    await allowed(hub, f"{DOOR}.IsLocked", False)


async def test_unknown_charging_is_refused_for_the_charging_cable(catalog: Catalog) -> None:
    hub = car(catalog, {vss.SPEED: 0.0})
    assert (await refusal(hub, f"{PORT}.IsChargingCableLocked", False)).endswith(
        f"while whether the vehicle charges is unknown: no value yet for {vss.IS_CHARGING}")


async def test_an_old_stopped_reading_stands_by_default(catalog: Catalog) -> None:
    hub = car(catalog)
    hub.ingest("car1", {vss.SPEED: 0.0}, ts=time.time() - 86_400)
    await allowed(hub, f"{DOOR}.IsLocked", False)


async def test_with_a_maximum_age_an_old_stopped_reading_counts_as_unknown(catalog: Catalog) -> None:
    hub = car(catalog, safety=SafetyConfig(state_max_age_s=300).interlocks())
    hub.ingest("car1", {vss.SPEED: 0.0}, ts=time.time() - 1000)
    message = await refusal(hub, f"{DOOR}.IsLocked", False)
    assert re.search(r"while the vehicle's motion is unknown: Vehicle\.Speed = 0\.0 is 100\d s old, older than "
                     r"safety\.state_max_age_s \(300 s\)$", message), message
    hub.ingest("car1", {vss.SPEED: 0.0})
    await allowed(hub, f"{DOOR}.IsLocked", False)


async def test_an_old_moving_reading_still_refuses(catalog: Catalog) -> None:
    hub = car(catalog, safety=SafetyConfig(state_max_age_s=300).interlocks())
    hub.ingest("car1", {vss.SPEED: 0.0})
    hub.ingest("car1", {vss.IS_MOVING: True}, ts=time.time() - 1000)
    assert (await refusal(hub, f"{DOOR}.IsLocked", False)).endswith(f"({vss.IS_MOVING} = true)")


async def test_commands_no_rule_guards_go_through_with_the_motion_unknown(catalog: Catalog) -> None:
    hub = car(catalog)
    await allowed(hub, vss.CHARGE_LIMIT, 80)
    await allowed(hub, f"{DOOR}.IsLocked", True)


# ---- stricter, never looser -----------------------------------------------------------------------------------

def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homebound.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("moving_speed_kmh: 5", "safety.moving_speed_kmh: 5 km/h would loosen the safety interlocks; it may only be "
                            "made stricter (lower): at most 1 km/h"),
    ("climate_max_c: 35", "safety.climate_max_c: 35 °C would loosen the safety interlocks"),
    ("climate_min_c: 10", "safety.climate_min_c: 10 °C would loosen the safety interlocks; it may only be made "
                          "stricter (higher): at least 15 °C"),
    ("seat_heating_max_percent: 120", "safety.seat_heating_max_percent: 120 % would loosen"),
    ("disabled_rules: [no_unlock_while_moving]", "safety: disabled_rules: built-in rules cannot be disabled"),
    ("enabled: false", "safety: enabled: built-in rules cannot be disabled"),
    ("rules:\n    - {name: no_unlock_while_moving, paths: [Vehicle.Speed], refuse: {equals: true}, when: always}",
     "'no_unlock_while_moving' is a built-in rule: built-in rules cannot be replaced or disabled"),
    ("extra_paths:\n    no_unlocking: [Vehicle.Body.Mirrors.*.IsLocked]", "'no_unlocking' is not a built-in rule"),
    ("moving_speed_kmh: 0", "safety.moving_speed_kmh: 0 km/h must be above 0"),
    ("climate_min_c: 24\n  climate_max_c: 22", "safety.climate_min_c: 24 °C must be below safety.climate_max_c"),
    ("moving_speed_kmh: .nan", "safety.moving_speed_kmh: nan is not a number"),
    ("moving_speed_kmh: fast", "safety.moving_speed_kmh: Input should be a valid number"),
    ("extra_paths:\n    no_unlock_while_moving: ['Vehicle..X']", "'Vehicle..X' is not a vehicle path"),
    ("rules:\n    - {name: x, paths: [Vehicle.Horn], refuse: {above: 1, below: 0}, when: always}",
     "give exactly one of equals, opening, above, below (given: above, below)"),
])
def test_a_configuration_that_loosens_or_is_wrong_is_refused_naming_the_key(tmp_path: Path, text: str,
                                                                          message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write_config(tmp_path, f"safety:\n  {text}\n"))
    assert "safety" in str(error.value) and message in str(error.value)


def test_looser_thresholds_and_replaced_rules_are_refused_in_code_too() -> None:
    with pytest.raises(ValueError, match=r"safety\.moving_speed_kmh: 2 km/h would loosen"):
        Thresholds(moving_speed_kmh=2.0)
    impostor = SafetyRule("no_unlock_while_moving", "unlock {path}", ("Vehicle.Body.Horn.IsActive",), Equals(True),
                          Condition.ALWAYS, built_in=False)
    with pytest.raises(ValueError, match="'no_unlock_while_moving' is already a rule"):
        Interlocks(rules=[impostor])


async def test_a_lower_moving_speed_refuses_sooner(catalog: Catalog) -> None:
    hub = car(catalog, {vss.SPEED: 0.6}, SafetyConfig(moving_speed_kmh=0.5).interlocks())
    assert (await refusal(hub, f"{DOOR}.IsLocked", False)).endswith("while the vehicle moves at 0.6 km/h")
    await allowed(car(catalog, {vss.SPEED: 0.6}), f"{DOOR}.IsLocked", False)


async def test_a_lower_climate_maximum_refuses_sooner(catalog: Catalog) -> None:
    hub = car(catalog, PARKED, SafetyConfig(climate_max_c=26, climate_min_c=18).interlocks())
    assert "over the maximum of 26 °C (safety.climate_max_c)" in await refusal(hub, DRIVER_SET_POINT, 26.5)
    assert "under the minimum of 18 °C (safety.climate_min_c)" in await refusal(hub, DRIVER_SET_POINT, 17.5)


async def test_a_household_maps_its_cars_own_remote_start_to_the_built_in_rule(catalog: Catalog) -> None:
    own = "Vehicle.Private.Acme.Ignition.RemoteStart"
    acme = apply_overlay(catalog, {own: {"type": "actuator", "datatype": "boolean"}}, "acme overlay")
    config = SafetyConfig.model_validate({"extra_paths": {"no_remote_start_while_moving": [own]}})
    hub = car(acme, {vss.SPEED: 12.0}, config.interlocks())
    assert (await refusal(hub, own, True)).startswith(
        f"refused for safety (no_remote_start_while_moving): cannot start the vehicle remotely ({own})")


async def test_a_household_adds_a_rule_of_its_own(catalog: Catalog) -> None:
    config = SafetyConfig.model_validate({"rules": [
        {"name": "no_mirror_fold_while_moving", "paths": ["Vehicle.Body.Mirrors.*.IsFolded"], "when": "moving",
         "refuse": {"equals": True}, "action": "fold"},
        {"name": "no_hot_steering_wheel", "paths": ["Vehicle.Chassis.SteeringWheel.HeatingCooling"],
         "when": "always", "refuse": {"above": 50}, "action": "heat"}]})
    hub = car(catalog, DRIVING, config.interlocks())
    assert await refusal(hub, "Vehicle.Body.Mirrors.PassengerSide.IsFolded", True) == (
        "refused for safety (no_mirror_fold_while_moving): cannot fold Vehicle.Body.Mirrors.PassengerSide.IsFolded "
        "while the vehicle moves at 42.0 km/h")
    assert await refusal(hub, "Vehicle.Chassis.SteeringWheel.HeatingCooling", 60) == (
        "refused for safety (no_hot_steering_wheel): cannot heat Vehicle.Chassis.SteeringWheel.HeatingCooling to 60: "
        "over the maximum of 50 (safety.rules.no_hot_steering_wheel.refuse.above)")
    assert "(no_unlock_while_moving)" in await refusal(hub, f"{DOOR}.IsLocked", False), "built-in rules stay"


def test_the_runtime_enforces_the_configured_rules(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, f"storage:\n  url: sqlite:///{tmp_path / 'h.db'}\n"
                                                "safety:\n  moving_speed_kmh: 0.5\n  climate_max_c: 25\n"))
    runtime = Runtime(config)
    try:
        assert runtime.hub.safety.thresholds == Thresholds(moving_speed_kmh=0.5, climate_max_c=25)
    finally:
        runtime.database.dispose()


def test_a_configured_path_the_catalog_lacks_is_a_configuration_error(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "safety:\n  extra_paths:\n    no_remote_start_while_moving: "
                                                "[Vehicle.Private.Acme.RemoteStart]\n  rules:\n"
                                                "    - {name: no_speed, paths: [Vehicle.Speed], refuse: {above: 1}, "
                                                "when: always}\n"))
    with pytest.raises(ConfigError) as error:
        Runtime(config)
    assert ("safety.extra_paths.no_remote_start_while_moving: 'Vehicle.Private.Acme.RemoteStart' matches nothing "
            "in the catalog") in str(error.value)
    assert "safety.rules.no_speed: 'Vehicle.Speed' matches no actuator of the catalog" in str(error.value)


# ---- coverage ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("release", ["4.0", "5.1", "6.0"])
def test_every_built_in_rule_guards_actuators_of_every_vss_release(vss_dir: Path, release: str) -> None:
    releases = load_vss_file(vss_dir / f"vss_release_{release}.json")
    actuators = [path for path, meta in releases.signals.items() if meta.kind.value == "actuator"]
    guarded = {rule.name for rule in Interlocks().rules if any(rule.guards(path) for path in actuators)}
    missing = set(BUILT_IN_NAMES) - guarded - {"no_remote_start_while_moving"}  # an overlay path, not VSS
    assert not missing, f"VSS {release}: rules guarding nothing: {sorted(missing)}"


def test_the_remote_start_overlay_defines_the_guarded_actuator(with_remote_start: Catalog) -> None:
    meta = with_remote_start.signals[vss.REMOTE_START]
    assert meta.kind.value == "actuator" and meta.datatype.value == "boolean"
    assert [rule.name for rule in Interlocks().rules if rule.guards(vss.REMOTE_START)] == [
        "no_remote_start_while_moving"]


def test_the_documented_example_is_valid_and_guards_the_cars_own_path(catalog: Catalog) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    block = next(b for b in docs.split("```yaml")[1:] if "no_mirror_fold_while_moving" in b).split("```")[0]
    document = yaml.safe_load(block)
    acme = apply_overlay(catalog, {"Vehicle.Private.Acme.RemoteStart": {"type": "actuator", "datatype": "boolean"}},
                         "acme.yaml")
    interlocks = SafetyConfig.model_validate(document["safety"]).interlocks()
    assert interlocks.unguarded(acme) == []
    assert [rule.name for rule in interlocks.rules if rule.guards("Vehicle.Private.Acme.RemoteStart")] == [
        "no_remote_start_while_moving"]
