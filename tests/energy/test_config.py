"""The `energy:` section: every mistake is refused at start-up, naming the key and what would be valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebound.app.config import ConfigError, load_config

WALLBOX = ("{thing: wallbox, plugged: BinarySensor.Plugged.State, power: Sensor.Power.Value, "
           "current_limit: Number.CurrentLimit.Value}")


@pytest.mark.parametrize(("energy", "message"), [
    ("{timezone: Mars/Olympus}", "energy.timezone: 'Mars/Olympus' is not a known time zone"),
    ("{tariff: {kind: time_of_day}}", "energy.tariff: a time_of_day tariff needs zones"),
    ("{tariff: {kind: dynamic, mqtt_topic: 'prices/#'}}", "mqtt_topic is one topic, without wildcards"),
    ("{site: {main_fuse_a: 25}}", "a household limit needs a grid meter (site.grid)"),
    ("{site: {main_fuse_a: 25, limit_w: 17000, grid: {thing: g, power: P}}}", "give limit_w or main_fuse_a, not both"),
    (f"{{charge_points: [{{name: a, wallbox: {WALLBOX}}}, {{name: a, wallbox: {WALLBOX}}}]}}",
     "charge point name 'a' appears twice"),
    (f"{{charge_points: [{{name: a, wallbox: {WALLBOX}, plan: {{departures: {{someday: '07:30'}}}}}}]}}",
     "'someday' is not a weekday"),
    (f"{{charge_points: [{{name: a, wallbox: {WALLBOX}, plan: {{departures: {{mon: '25:00'}}}}}}]}}",
     "'25:00' is not a time of day"),
    (f"{{charge_points: [{{name: a, mode: turbo, wallbox: {WALLBOX}}}]}}", "energy.charge_points[0].mode"),
    (f"{{charge_points: [{{name: a, vehicle: car9, wallbox: {WALLBOX}}}]}}",
     "vehicle 'car9' is not one of the vehicles (car1)"),
    ("{charge_points: [{name: a, wallbox: {thing: w, plugged: P, power: P, current_limit: C, min_current_a: 10, "
     "max_current_a: 8}}]}", "max_current_a (8) is below min_current_a (10)"),
    ("{tariff: {kind: dynamic, mqtt_topic: prices}}", "energy.tariff.mqtt_topic needs MQTT"),
])
def test_a_mistake_in_the_energy_section_is_named(tmp_path: Path, energy: str, message: str) -> None:
    path = tmp_path / "homebound.yaml"
    path.write_text(f"energy: {energy}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)
