"""Mapping files: Kuksa's CAN-provider format read unchanged, the compact YAML form read the same, errors named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homebound.adapters.can.mapping import MappingError, parse_mapping, read_mapping
from tests.can.conftest import DATA


def test_kuksa_json_mapping_is_read_with_kuksa_defaults() -> None:
    mapping = read_mapping(DATA / "body_kuksa.json")
    rules = {r.path: r for r in mapping.signals}
    assert rules["Vehicle.Speed"].interval_ms == 0
    cabin = rules["Vehicle.Cabin.HVAC.AmbientAirTemperature"]  # written with the `dbc` synonym, on_change only
    assert (cabin.signal, cabin.on_change, cabin.interval_ms) == ("CabinTemp", True, 0)
    assert rules["Vehicle.Body.Mirrors.DriverSide.Tilt"].transform.kind == "math"
    assert sorted(a.path for a in mapping.actuators) == ["Vehicle.Body.Mirrors.DriverSide.Tilt",
                                                         "Vehicle.Body.Trunk.Rear.IsOpen"]


def test_neither_interval_nor_on_change_means_every_second() -> None:
    mapping = parse_mapping({"Vehicle.Speed": {"type": "sensor", "datatype": "float",
                                               "dbc2vss": {"signal": "DI_uiSpeed"}}}, "overlay.vspec")
    assert (mapping.signals[0].interval_ms, mapping.signals[0].on_change) == (1000, False)


def test_compact_yaml_says_the_same_as_kuksa_json() -> None:
    kuksa = read_mapping(DATA / "body_kuksa.json")
    compact = read_mapping(DATA / "body_compact.yaml")
    assert compact.dbc_files == ["body.dbc"]
    for mine, theirs in ((compact.signals, kuksa.signals), (compact.actuators, kuksa.actuators)):
        assert sorted((r.path, r.signal, r.transform.kind) for r in mine) == sorted(
            (r.path, r.signal, r.transform.kind) for r in theirs)
    trunk = next(a for a in compact.actuators if a.path.endswith("IsOpen"))
    assert trunk.transform.apply(True) == "OPEN"


def test_kuksa_vspec_overlay_form_is_read(tmp_path: Path) -> None:
    overlay = tmp_path / "dbc_overlay.vspec"
    overlay.write_text("Vehicle.Powertrain.Transmission.CurrentGear:\n  type: sensor\n  datatype: int8\n"
                       "  dbc2vss:\n    signal: DI_gear\n    interval_ms: 100\n    transform:\n      mapping:\n"
                       "        - from: DI_GEAR_D\n          to: 1\n        - from: DI_GEAR_R\n          to: -1\n")
    rule = read_mapping(overlay).signals[0]
    assert (rule.path, rule.signal, rule.interval_ms, rule.transform.apply("DI_GEAR_R")) == (
        "Vehicle.Powertrain.Transmission.CurrentGear", "DI_gear", 100, -1)


@pytest.mark.parametrize(("node", "message"), [
    ({"type": "sensor", "datatype": "float", "vss2dbc": {"signal": "X"}},
     "Vehicle.Speed: vss2dbc is only for actuators"),
    ({"type": "sensor", "datatype": "float", "dbc": {"signal": "X"}, "dbc2vss": {"signal": "X"}},
     "has both `dbc` and `dbc2vss`"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"interval_ms": 10}}, "`signal` must name a DBC signal"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"signal": "X", "interval_ms": "often"}},
     "interval_ms must be a whole number"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"signal": "X", "transform": {"math": "eval(x)"}}},
     "Vehicle.Speed: math 'eval\\(x\\)': unknown name 'eval'"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"signal": "X", "transform": {"mapping": [{"from": 1}]}}},
     "mapping item 1 must have both `from` and `to`"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"signal": "X", "transform": {"math": "x", "mapping": []}}},
     "both `math` and `mapping`"),
    ({"type": "sensor", "datatype": "float", "dbc2vss": {"signal": "X", "every": 1}}, "unknown key\\(s\\) every"),
])
def test_mistakes_are_named_by_file_and_path(node: dict[str, object], message: str) -> None:
    with pytest.raises(MappingError, match=message) as caught:
        parse_mapping({"Vehicle": {"type": "branch", "children": {"Speed": node}}}, "map.json")
    assert "map.json: Vehicle.Speed" in str(caught.value)


def test_every_mistake_of_a_file_is_reported_at_once() -> None:
    bad = {"signal": "X", "interval_ms": -1}
    with pytest.raises(MappingError) as caught:
        parse_mapping({"signals": {"Vehicle.Speed": bad, "Vehicle.TraveledDistance": bad}}, "car.yaml")
    assert str(caught.value).count("interval_ms must be") == 2


def test_a_file_without_any_mapping_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "vss.json"
    plain.write_text(json.dumps({"Vehicle": {"type": "branch", "children": {
        "Speed": {"type": "sensor", "datatype": "float"}}}}))
    with pytest.raises(MappingError, match="no signal has a `dbc2vss`, `dbc` or `vss2dbc` block"):
        read_mapping(plain)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"'])
def test_broken_json_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "map.json"
    path.write_text(content)
    with pytest.raises(MappingError, match=r"map\.json: "):
        read_mapping(path)


def test_deeply_nested_yaml_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(MappingError, match=r"deep\.yaml"):
        read_mapping(path)
