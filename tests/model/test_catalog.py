"""The catalog expands branches and wildcards, and suggests the closest paths for a typo."""

from __future__ import annotations

import pytest

from homebound.model.catalog import Catalog
from homebound.model.errors import UnknownPath
from homebound.model.paths import compile_pattern


def test_branch_expands_to_its_leaves(catalog: Catalog) -> None:
    leaves = catalog.expand("Vehicle.Cabin.Door.Row1.DriverSide")
    assert "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen" in leaves
    assert "Vehicle.Cabin.Door.Row1.DriverSide.Window.Position" in leaves
    assert all(p.startswith("Vehicle.Cabin.Door.Row1.DriverSide.") for p in leaves)


def test_branch_prefix_is_not_a_string_prefix(catalog: Catalog) -> None:
    with pytest.raises(UnknownPath):
        catalog.expand("Vehicle.Spe")


def test_single_level_wildcard(catalog: Catalog) -> None:
    leaves = catalog.expand("Vehicle.Cabin.Door.*.*.IsOpen")
    assert leaves == sorted(f"Vehicle.Cabin.Door.Row{r}.{s}.IsOpen" for r in (1, 2)
                            for s in ("DriverSide", "PassengerSide"))


def test_multi_level_wildcard(catalog: Catalog) -> None:
    leaves = catalog.expand("Vehicle.**.IsOpen")
    assert "Vehicle.Body.Hood.IsOpen" in leaves
    assert "Vehicle.Cabin.Door.Row2.PassengerSide.Window.IsOpen" in leaves
    assert all(p.endswith(".IsOpen") for p in leaves)


@pytest.mark.parametrize("pattern", [
    "**", "*", "*.*", "Vehicle.*", "Vehicle.**.IsOpen", "**.Row*.**.IsOpen", "*.*.*.*.*.*.*.*", "**.*.*.*.*.*.*.*",
    "*.*.*.*.*.*.*.*.*", "**.*e*.*e*", "Vehicle.**.**.Speed", "**.*.**.*.**.*.**.*.**.*.**.*.**.*",
    "Vehicle.Cabin.**.*Side.*", "**.Window.*", "Vehicle.*.*.*.*.*.*.Position", "Vehicle.Cabin.Door.Row***.*****.Is**n",
])
def test_wildcard_expansion_finds_what_matching_each_path_finds(catalog: Catalog, pattern: str) -> None:
    """The tree walk skips branches too shallow for what the pattern still needs; that must never lose a match."""
    matches = compile_pattern(pattern)
    expected = [path for path in sorted(catalog.signals) if matches(path)]
    if expected:
        assert catalog.expand(pattern) == expected
    else:
        with pytest.raises(UnknownPath):
            catalog.expand(pattern)


def test_unknown_path_names_the_closest(catalog: Catalog) -> None:
    with pytest.raises(UnknownPath) as caught:
        catalog.get("Vehicle.Sped")
    assert caught.value.suggestions[0] == "Vehicle.Speed"
    assert "did you mean Vehicle.Speed" in str(caught.value)


def test_unknown_leaf_name_in_a_wrong_branch_is_suggested(catalog: Catalog) -> None:
    assert "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit" in catalog.suggest(
        "Vehicle.Charging.ChargeLimit")
