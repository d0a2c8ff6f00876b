"""Raw history keeps what changed: the deadband filter the recorder calls, alone and in a running hub."""

from __future__ import annotations

import pytest

from homebound.app.config import Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.app.runtime import Runtime
from homebound.history.config import DeadbandRule, HistoryConfig, RecordingConfig
from homebound.history.deadband import DeadbandError, DeadbandFilter
from homebound.hub.events import ChangeBatch, Field
from homebound.model.geometry import destination
from homebound.model.vss_loader import apply_overlay, builtin_catalog
from tests.history.conftest import LAT, LON, SOC, SPEED, T0

TRUNK = "Vehicle.Body.Trunk.Rear.IsOpen"


def batch(ts: float, **values: object) -> ChangeBatch:
    paths = {"speed": SPEED, "lat": LAT, "lon": LON, "trunk": TRUNK, "soc": SOC}
    return ChangeBatch("car1", Field.VALUE, T0 + ts, "gateway", [(paths[k], v) for k, v in values.items()])  # type: ignore[misc]


def kept(band: DeadbandFilter, *batches: ChangeBatch) -> list[tuple[float, str, object]]:
    out = []
    for one in batches:
        admitted = band.admit(one)
        if admitted is not None:
            out += [(admitted.ts - T0, path, value) for path, value in admitted.changes]
    return out


def test_speed_is_recorded_when_it_moved_a_kilometre_an_hour() -> None:
    band = DeadbandFilter(RecordingConfig(), builtin_catalog())
    assert kept(band, batch(0, speed=50.0), batch(1, speed=50.4), batch(2, speed=50.9), batch(3, speed=51.1)) == [
        (0, SPEED, 50.0), (3, SPEED, 51.1)]


def test_the_position_is_recorded_as_a_pair_when_it_moved_ten_metres() -> None:
    band = DeadbandFilter(RecordingConfig(), builtin_catalog())
    here = destination(48.0, 11.0, 90, 4.0)
    there = destination(48.0, 11.0, 90, 12.0)
    assert kept(band, batch(0, lat=48.0, lon=11.0), batch(1, lat=here[0], lon=here[1]),
                batch(2, lat=there[0], lon=there[1])) == [
        (0, LAT, 48.0), (0, LON, 11.0), (2, LAT, there[0]), (2, LON, there[1])]


def test_anything_else_is_recorded_when_it_changes_and_at_least_every_five_minutes() -> None:
    band = DeadbandFilter(RecordingConfig(), builtin_catalog())
    assert kept(band, batch(0, trunk=False), batch(1, trunk=False), batch(2, trunk=True),
                batch(299, trunk=True), batch(302, trunk=True)) == [
        (0, TRUNK, False), (2, TRUNK, True), (302, TRUNK, True)]


def test_a_value_held_back_is_written_once_it_has_settled() -> None:
    band = DeadbandFilter(RecordingConfig(settle_s=0.0), builtin_catalog())
    kept(band, batch(0, speed=0.0), batch(1, speed=0.4))
    settled = band.settled()
    assert [(b.ts - T0, b.changes) for b in settled] == [(1, [(SPEED, 0.4)])]
    assert band.settled() == []           # written once


def test_rules_from_configuration_and_catalog_override_the_defaults() -> None:
    catalog = apply_overlay(builtin_catalog(), {SOC: {"deadband": 1.0}}, "overlay")
    band = DeadbandFilter(RecordingConfig(signals={"Vehicle.Speed": DeadbandRule(delta=5.0)}), catalog)
    assert kept(band, batch(0, speed=50.0, soc=50.0), batch(1, speed=54.0, soc=50.5),
                batch(2, speed=55.0, soc=51.0)) == [(0, SPEED, 50.0), (0, SOC, 50.0), (2, SPEED, 55.0),
                                                     (2, SOC, 51.0)]


def test_an_unknown_path_or_a_distance_on_a_number_is_a_clear_error() -> None:
    with pytest.raises(DeadbandError, match=r"Vehicle\.Sped"):
        DeadbandFilter(RecordingConfig(signals={"Vehicle.Sped": DeadbandRule(delta=1.0)}), builtin_catalog())
    with pytest.raises(DeadbandError, match="distance_m applies to the position"):
        DeadbandFilter(RecordingConfig(signals={"Vehicle.Speed": DeadbandRule(distance_m=1.0)}), builtin_catalog())


def test_switched_off_everything_is_recorded() -> None:
    band = DeadbandFilter(RecordingConfig(deadband=False), builtin_catalog())
    assert len(kept(band, batch(0, speed=1.0), batch(1, speed=1.0))) == 2


async def test_in_a_running_hub_history_is_small_and_the_last_values_are_exact(database_url: str) -> None:
    config = Config(storage=StorageConfig(url=database_url, flush_interval_s=0.05), kuksa=KuksaConfig(enabled=False),
                    vehicles=[VehicleConfig(id="car1")], history=HistoryConfig(timezone="UTC"))
    runtime = Runtime(config)
    await runtime.start()
    try:
        for second in range(600):     # ten minutes parked, the gateway repeating itself every second
            runtime.hub.ingest("car1", {SPEED: 0.0 if second < 599 else 0.3, TRUNK: False, SOC: 80.0},
                               ts=T0 + second)
    finally:
        await runtime.stop()
    again = Runtime(config)
    await again.start()
    try:
        rows = again.store.count_history("car1")
        # Each signal once, then once more after five minutes; and the last speed (0.3, within the deadband) on
        # stop, so the value a restart restores is the one the car sent last.
        assert rows == 3 * 2 + 1
        assert again.hub.read("car1", SPEED) == (0.3, T0 + 599, "unknown")
    finally:
        await again.stop()


def test_a_distance_on_the_location_branch_is_the_positions_rule() -> None:
    band = DeadbandFilter(RecordingConfig(signals={"Vehicle.CurrentLocation": DeadbandRule(distance_m=50.0)}),
                          builtin_catalog())
    assert band.rule(LAT).threshold == band.rule(LON).threshold == 50.0
    assert band.rule("Vehicle.CurrentLocation.Altitude").threshold == 5.0   # the built-in rule, untouched


def test_the_example_in_docs_history_is_a_valid_configuration() -> None:
    import re
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[2] / "docs" / "history.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(history:.*?)```", text, re.S)
    assert example is not None
    config = Config.model_validate(yaml.safe_load(example.group(1)))
    DeadbandFilter(config.history.recording, builtin_catalog())
    assert config.history.tariffs[0].time_of_day[0].price_per_kwh == 0.22
