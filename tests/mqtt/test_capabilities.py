"""Discovered components become typed, validated datapoints of a device in the hub."""

from __future__ import annotations

import json

import pytest

from homebound.adapters.mqtt.discovery import parse_discovery
from homebound.adapters.mqtt.kinds import entity_for, pascal
from homebound.hub import Hub
from homebound.hub.errors import RejectedValue
from homebound.model.catalog import Catalog
from homebound.model.signal import SignalKind


def component(kind: str, object_id: str, config: dict[str, object]) -> list:  # type: ignore[type-arg]
    update = parse_discovery(f"homeassistant/{kind}/{object_id}/config", json.dumps(config).encode())
    return entity_for(update.components[0]).points


def test_names_become_vss_style_nodes() -> None:
    assert pascal("pm2_5") == "Pm25" and pascal("living room") == "LivingRoom"


def test_switch_climate_and_select() -> None:
    [switch] = component("switch", "power", {"cmd_t": "p/set"})
    assert (switch.path, switch.kind, switch.datatype.value) == ("Switch.Power.State", SignalKind.ACTUATOR, "boolean")
    climate = component("climate", "ac", {"mode_cmd_t": "ac/mode", "modes": ["off", "cool"], "min_temp": 16,
                                          "max_temp": 30, "curr_temp_t": "ac/temp"})
    by_path = {c.path: c for c in climate}
    assert by_path["Climate.Ac.Mode"].allowed == ("off", "cool")
    assert (by_path["Climate.Ac.TargetTemperature"].min, by_path["Climate.Ac.TargetTemperature"].max) == (16, 30)
    assert by_path["Climate.Ac.CurrentTemperature"].kind is SignalKind.SENSOR
    [select] = component("select", "program", {"cmd_t": "rc/program", "options": ["white rice", "porridge"]})
    assert select.allowed == ("white rice", "porridge")


def test_sensor_is_numeric_when_it_has_a_unit() -> None:
    [pm] = component("sensor", "pm25", {"stat_t": "p/state", "unit_of_meas": "µg/m³"})
    assert pm.datatype.value == "double" and pm.unit == "µg/m³"
    [status] = component("sensor", "status", {"stat_t": "rc/status"})
    assert status.datatype.value == "string"


def test_device_values_are_validated_by_the_hub() -> None:
    points = component("number", "keep_warm", {"cmd_t": "rc/kw", "min": 0, "max": 12, "unit_of_meas": "h"})
    points += component("event", "cooker", {"stat_t": "rc/event", "evt_typ": ["cooking_finished", "error"]})
    hub = Hub()
    hub.add_device("rice_cooker", Catalog(points), name="Rice cooker")
    assert hub.ingest("rice_cooker", {"Number.KeepWarm.Value": 6, "Event.Cooker.LastEvent": "cooking_finished"}).ok
    result = hub.ingest("rice_cooker", {"Number.KeepWarm.Value": 24, "Event.Cooker.LastEvent": "exploded"})
    assert result.accepted == 0
    assert all(isinstance(e, RejectedValue) for e in result.errors)
    assert "rice_cooker: Number.KeepWarm.Value: value 24" in str(result.errors[0])


def test_capabilities_can_grow_and_shrink() -> None:
    hub = Hub()
    lights = component("light", "hall", {"cmd_t": "l/set", "bri_cmd_t": "l/bri", "bri_scl": 100})
    hub.add_device("hall_light", Catalog(lights))
    hub.ingest("hall_light", {"Light.Hall.State": True, "Light.Hall.Brightness": 80})
    hub.set_catalog("hall_light", Catalog(lights[:1]))
    assert hub.read("hall_light", "Light.Hall.State")[0] is True  # type: ignore[index]
    with pytest.raises(Exception, match="unknown signal"):
        hub.read("hall_light", "Light.Hall.Brightness")


async def test_a_device_cannot_take_over_a_vehicle() -> None:
    from homebound.adapters.mqtt.bridge import HomeAssistantDevices
    from homebound.messaging import LocalBus
    from homebound.model.vss_loader import builtin_catalog

    hub = Hub()
    hub.add_vehicle("car1", builtin_catalog())
    bus = LocalBus()
    bridge = HomeAssistantDevices(hub, bus)
    bridge.start()
    bus.publish("homeassistant/switch/evil/config", json.dumps({"cmd_t": "x", "dev": {"ids": ["car1"]}}))
    import asyncio

    await asyncio.sleep(0.01)
    assert "Vehicle.Speed" in hub.describe("car1").catalog
    assert bridge.errors["discovery"] == 1 and "car1" not in bridge.device_ids()
