"""The loader reads the official VSS exports exactly, and overlays of custom signals in JSON or YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homebound.model.errors import CatalogError
from homebound.model.signal import SignalKind
from homebound.model.vss_loader import builtin_catalog, load_catalog, load_overlay_file, load_vss_file
from tests.conftest import vss_release

# Counted independently from the standard's JSON exports (see ../shared/data/README.md for totals).
RELEASE_COUNTS = {
    "vss_release_4.0.json": {"sensor": 379, "actuator": 425, "attribute": 106, "total": 910},
    "vss_release_5.1.json": {"sensor": 495, "actuator": 706, "attribute": 120, "total": 1321},
    "vss_release_6.0.json": {"sensor": 490, "actuator": 643, "attribute": 130, "total": 1263},
}


@pytest.mark.parametrize("release", sorted(RELEASE_COUNTS))
def test_official_release_loads_with_exact_counts(release: str) -> None:
    catalog = load_vss_file(vss_release(release))
    expected = RELEASE_COUNTS[release]
    counts = catalog.counts_by_kind()
    assert counts == {k: expected[k] for k in ("sensor", "actuator", "attribute")}
    assert len(catalog) == expected["total"]


def test_release_6_datatype_counts() -> None:
    counts = load_vss_file(vss_release("vss_release_6.0.json")).counts_by_datatype()
    assert counts["boolean"] == 413
    assert counts["float"] == 279
    assert counts["uint8[]"] == 1
    assert sum(counts.values()) == 1263


def test_release_metadata_is_read_as_the_standard_says() -> None:
    catalog = load_vss_file(vss_release("vss_release_6.0.json"))
    soc = catalog.get("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current")
    assert (soc.kind, soc.datatype.value, soc.unit, soc.min, soc.max) == (SignalKind.SENSOR, "float", "percent", 0,
                                                                          100.0)
    switch = catalog.get("Vehicle.Body.Trunk.Rear.Switch")
    assert switch.allowed == ("INACTIVE", "CLOSE", "OPEN", "ONE_SHOT_CLOSE", "ONE_SHOT_OPEN")


def test_builtin_catalog_is_the_whole_of_vss_6() -> None:
    catalog = builtin_catalog()
    assert catalog.counts_by_kind() == {"sensor": 490, "actuator": 643, "attribute": 130}
    assert len(catalog) == 1263


def test_builtin_catalog_has_the_same_paths_as_the_6_0_export() -> None:
    standard = load_vss_file(vss_release("vss_release_6.0.json"))
    assert sorted(builtin_catalog().signals) == sorted(standard.signals)


def test_builtin_catalog_covers_what_homebound_uses() -> None:
    catalog = builtin_catalog()
    for path in [
        "Vehicle.Speed", "Vehicle.CurrentLocation.Latitude", "Vehicle.CurrentLocation.Heading",
        "Vehicle.Powertrain.Transmission.CurrentGear", "Vehicle.TraveledDistance",
        "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current", "Vehicle.Powertrain.Range",
        "Vehicle.Powertrain.TractionBattery.Charging.IsCharging",
        "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit",
        "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.IsChargingCableConnected",
        "Vehicle.Powertrain.TractionBattery.CurrentPower", "Vehicle.Cabin.HVAC.AmbientAirTemperature",
        "Vehicle.Exterior.AirTemperature", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature",
        "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen", "Vehicle.Cabin.Door.Row2.PassengerSide.IsLocked",
        "Vehicle.Cabin.Door.Row1.DriverSide.Window.Position", "Vehicle.Body.Trunk.Rear.IsOpen",
        "Vehicle.Body.Hood.IsOpen", "Vehicle.Body.Lights.Beam.Low.IsOn",
        "Vehicle.Chassis.Axle.Row2.Wheel.Right.Tire.Pressure", "Vehicle.LowVoltageBattery.CurrentVoltage",
        "Vehicle.VehicleIdentification.VIN", "Vehicle.VehicleIdentification.Model",
    ]:
        assert path in catalog, path
    assert all(meta.description for meta in catalog.signals.values())


def test_builtin_facts_match_the_standard() -> None:
    standard = load_vss_file(vss_release("vss_release_6.0.json"))
    for path, meta in builtin_catalog().signals.items():
        official = standard.get(path)
        assert (meta.kind, meta.datatype, meta.unit, meta.min, meta.max, meta.allowed) == (
            official.kind, official.datatype, official.unit, official.min, official.max, official.allowed), path


def test_builtin_descriptions_are_our_own_words() -> None:
    standard = load_vss_file(vss_release("vss_release_6.0.json"))
    ours = builtin_catalog().signals
    same = [p for p, meta in ours.items() if meta.description == standard.signals[p].description]
    assert same == []
    # Not even close paraphrases: no description shares a run of eight words with the standard's.
    def runs(text: str) -> set[tuple[str, ...]]:
        words = text.lower().split()
        return {tuple(words[i:i + 8]) for i in range(len(words) - 7)}
    shared = [p for p, meta in ours.items() if runs(meta.description) & runs(standard.signals[p].description)]
    assert shared == []


def test_flat_yaml_overlay_adds_a_signal_and_changes_another(tmp_path: Path) -> None:
    overlay = tmp_path / "custom.yaml"
    overlay.write_text(
        "Vehicle.Private.Homebound.PreconditionMinutes:\n"
        "  type: actuator\n  datatype: uint16\n  unit: min\n  max: 120\n  description: warm-up time\n"
        "Vehicle.Speed:\n  max: 250\n"
    )
    catalog = load_overlay_file(builtin_catalog(), overlay)
    custom = catalog.get("Vehicle.Private.Homebound.PreconditionMinutes")
    assert (custom.kind, custom.datatype.value, custom.max) == (SignalKind.ACTUATOR, "uint16", 120)
    speed = catalog.get("Vehicle.Speed")
    assert speed.max == 250 and speed.unit == "km/h"
    with pytest.raises(Exception, match="outside the allowed range"):
        catalog.validators["Vehicle.Speed"](251)


def test_nested_json_overlay(tmp_path: Path) -> None:
    overlay = tmp_path / "custom.json"
    overlay.write_text(json.dumps({"Vehicle": {"type": "branch", "children": {
        "Scooter": {"type": "branch", "children": {"IsDocked": {"type": "sensor", "datatype": "boolean"}}}}}}))
    catalog = load_catalog([], [overlay])
    assert catalog.get("Vehicle.Scooter.IsDocked").datatype.value == "boolean"
    assert "Vehicle.Speed" in catalog


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON at line 1"),
    ('{"Vehicle": {"type": "branch", "children": {"X": {"type": "sensor", "datatype": "float128"}}}}',
     r"Vehicle.X: datatype 'float128' is not a VSS datatype"),
    ('{"Vehicle": {"type": "branch", "children": {"X": {"type": "gadget", "datatype": "float"}}}}',
     r"Vehicle.X: type 'gadget'"),
    ('{"Vehicle": {"type": "branch", "children": {"X": {"type": "sensor", "datatype": "uint8", "max": "ten"}}}}',
     r"Vehicle.X: max 'ten' is not a number"),
    ('[1, 2]', "must be a mapping"),
])
def test_bad_catalog_files_name_the_file_and_node(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CatalogError, match=message) as caught:
        load_vss_file(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_vss_file(tmp_path / "nope.json")


def test_overlay_with_bad_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("Vehicle.X: [unclosed\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_overlay_file(builtin_catalog(), path)
