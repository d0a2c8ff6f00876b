"""`homebound safety rules`: the household sees every rule the hub enforces, and a path it mistyped."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from homebound.app.cli import app
from homebound.hub.safety import BUILT_IN_NAMES

runner = CliRunner()


def test_the_rules_are_listed_with_the_households_numbers_and_its_own_rules(tmp_path: Path) -> None:
    config = tmp_path / "homebound.yaml"
    config.write_text("safety:\n  moving_speed_kmh: 0.5\n  climate_max_c: 26\n  rules:\n"
                      "    - {name: no_mirror_fold_while_moving, paths: [Vehicle.Body.Mirrors.*.IsFolded],\n"
                      "       refuse: {equals: true}, when: moving, action: fold}\n")
    result = runner.invoke(app, ["safety", "rules", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in BUILT_IN_NAMES:
        assert name in result.output
    assert "no_mirror_fold_while_moving (yours)" in result.output
    assert "above 26 °C" in result.output and "moving from 0.5 km/h" in result.output


def test_a_path_the_catalog_lacks_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "homebound.yaml"
    config.write_text("safety:\n  extra_paths:\n    no_remote_start_while_moving: [Vehicle.Private.Acme.Start]\n")
    result = runner.invoke(app, ["safety", "rules", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'Vehicle.Private.Acme.Start' matches nothing in the catalog" in result.output


def test_a_loosening_configuration_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "homebound.yaml"
    config.write_text("safety:\n  moving_speed_kmh: 8\n")
    result = runner.invoke(app, ["safety", "rules", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "would loosen the safety interlocks" in result.output
