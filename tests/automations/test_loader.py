"""Automation files: errors name the file, line, automation id and what is wrong; bad ones are skipped."""

from __future__ import annotations

from pathlib import Path

from homebound.automations.loader import load_file, load_text

GOOD = """
  - id: good
    triggers:
      - trigger: state
        thing: car1
        path: Vehicle.Speed
    actions:
      - delay: "00:00:01"
"""


def test_a_bad_automation_is_reported_with_line_and_id_and_the_others_load() -> None:
    text = "automations:" + GOOD + """
  - id: bad
    mode: sometimes
    triggers:
      - trigger: numeric_state
        thing: car1
        path: Vehicle.Speed
    actions:
      - action: command
        thing: car1
        path: Vehicle.Cabin.HVAC.IsAirConditioningActive
        value: true
        timeout: soon
"""
    result = load_text(text, "home.yaml")
    assert [a.id for a in result.automations] == ["good"]
    assert "home.yaml:11: automation 'bad': mode: Input should be 'single', 'restart', 'queued' or 'parallel'" \
        in result.errors
    assert any(e.startswith("home.yaml:13: automation 'bad': triggers[0]: Value error, give above, below or both")
               for e in result.errors), result.errors
    assert any(e.startswith("home.yaml:21: automation 'bad': actions[0].timeout:") for e in result.errors)


def test_unknown_kinds_and_keys() -> None:
    result = load_text("""
- id: x
  triggers:
    - trigger: sunrise
  actions:
    - launch: rocket
""", "x.yaml")
    assert any("x.yaml:4: automation 'x': triggers[0]" in e and "'state'" in e for e in result.errors)
    assert any("x.yaml:6: automation 'x': actions[0]: an action needs one of" in e for e in result.errors)


def test_duplicate_ids_and_bad_yaml_and_zones(tmp_path: Path) -> None:
    assert "the id is used twice" in load_text("automations:" + GOOD + GOOD, "d.yaml").errors[0]
    assert load_text("- id: [", "b.yaml").errors[0].startswith("b.yaml:1: not valid YAML")
    zoned = load_text("zones:\n  - id: home\n    latitude: 95\n    longitude: 11\nautomations: []\n", "z.yaml")
    assert zoned.errors == ["z.yaml:3: zone [0].latitude: Input should be less than or equal to 90"]
    assert load_file(tmp_path / "missing.yaml").errors[0].endswith("cannot read: No such file or directory")


def test_durations_times_and_weekdays() -> None:
    result = load_text("""
- id: t
  triggers:
    - trigger: time
      at: "7:30"
      weekday: [Monday, fri]
    - trigger: state
      thing: car1
      path: Vehicle.Speed
      for: {minutes: 5}
  actions:
    - delay: 90
""", "t.yaml")
    assert not result.errors
    automation = result.automations[0]
    assert automation.triggers[0].weekday == ("mon", "fri")  # type: ignore[union-attr]
    assert automation.triggers[1].for_ == 300.0  # type: ignore[union-attr]


async def test_unknown_paths_and_zones_anywhere_in_an_automation_are_reported_and_it_is_skipped() -> None:
    from homebound.automations.engine import AutomationEngine
    from homebound.hub import Hub
    from homebound.model.vss_loader import builtin_catalog

    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    engine = AutomationEngine(hub, [])
    loaded = load_text("""
- id: typo
  triggers: [{trigger: state, thing: car1, path: Vehicle.Speed}]
  actions:
    - if: [{condition: numeric_state, thing: car1, path: Vehicle.Sped, above: 1}]
      then: [{delay: 1}]
- id: nowhere
  triggers: [{trigger: zone, thing: car1, zone: office, event: enter}]
  actions: [{delay: 1}]
- id: fine
  triggers: [{trigger: state, thing: purifier, path: Switch.Power.State}]
  actions: [{action: command, thing: car1, path: Vehicle.Cabin.HVAC.IsAirConditioningActive, value: true}]
""", "r.yaml")
    problems = engine.load(loaded.automations)
    assert problems[0].startswith("automation 'typo': actions[0].if[0]: car1: unknown signal 'Vehicle.Sped'")
    assert "automation 'nowhere': triggers[0]: unknown zone 'office'" in problems[1]
    assert list(engine.automations) == ["fine"]  # a device that has not joined yet is not an error
