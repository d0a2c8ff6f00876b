"""Turn a discovered Home Assistant component into typed datapoints of a device (the capability model).

Paths read `<Component>.<ObjectId>.<Property>` (`Switch.Power.State`, `Sensor.Pm25.Value`), with units, ranges
and allowed values taken from the component's config, so device values are validated by the same compiled
validators as the car's VSS signals.
"""

from __future__ import annotations

import re

from homebound.adapters.mqtt.discovery import DiscoveredComponent
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalKind, SignalMetadata

CLIMATE_MODES = ("auto", "off", "cool", "heat", "dry", "fan_only")
COVER_STATES = ("open", "opening", "closed", "closing", "stopped")
NUMERIC_SENSOR_HINTS = ("unit_of_measurement", "state_class", "suggested_display_precision")


def pascal(name: str) -> str:
    """`pm2_5` → `Pm25`, `living room` → `LivingRoom`: a VSS-style node name."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Entity"


def _number(config: dict[str, object], key: str, default: float) -> float:
    value = config.get(key, default)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _strings(value: object, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if isinstance(value, list) and value:
        return tuple(str(item) for item in value)
    return default


def capabilities(component: DiscoveredComponent) -> list[SignalMetadata]:
    """The datapoints one component contributes to its device."""
    config = component.config
    base = f"{pascal(component.component)}.{pascal(component.object_id)}"
    name = str(config.get("name") or component.object_id)

    def point(prop: str, kind: SignalKind, datatype: DataType, what: str, **facts: object) -> SignalMetadata:
        return SignalMetadata(f"{base}.{prop}", kind, datatype, description=f"{name}: {what}",
                              **facts)  # type: ignore[arg-type]

    sensor, actuator = SignalKind.SENSOR, SignalKind.ACTUATOR
    kind = component.component
    unit = config.get("unit_of_measurement")
    unit = str(unit) if unit else None
    if kind == "switch":
        return [point("State", actuator, DataType.BOOLEAN, "on or off")]
    if kind == "lock":
        return [point("IsLocked", actuator, DataType.BOOLEAN, "locked")]
    if kind == "binary_sensor":
        return [point("State", sensor, DataType.BOOLEAN, "on or off")]
    if kind == "light":
        points = [point("State", actuator, DataType.BOOLEAN, "on or off")]
        if config.get("brightness_command_topic") or config.get("brightness") is True:
            points.append(point("Brightness", actuator, DataType.UINT16, "brightness", min=0,
                                max=int(_number(config, "brightness_scale", 255))))
        return points
    if kind == "fan":
        points = [point("State", actuator, DataType.BOOLEAN, "on or off")]
        if config.get("percentage_command_topic"):
            points.append(point("Percentage", actuator, DataType.UINT8, "speed", unit="percent", min=0, max=100))
        presets = _strings(config.get("preset_modes"))
        if presets:
            points.append(point("PresetMode", actuator, DataType.STRING, "preset mode", allowed=presets))
        return points
    if kind == "climate":
        points = [point("Mode", actuator, DataType.STRING, "HVAC mode",
                        allowed=_strings(config.get("modes"), CLIMATE_MODES)),
                  point("TargetTemperature", actuator, DataType.FLOAT, "temperature set point",
                        unit=_temperature_unit(config), min=_number(config, "min_temp", 7),
                        max=_number(config, "max_temp", 35))]
        if config.get("current_temperature_topic"):
            points.append(point("CurrentTemperature", sensor, DataType.FLOAT, "measured temperature",
                                unit=_temperature_unit(config)))
        return points
    if kind == "cover":
        points = [point("State", sensor, DataType.STRING, "open, closed or moving", allowed=COVER_STATES)]
        if config.get("command_topic"):
            points.append(point("Command", actuator, DataType.STRING, "open, close or stop",
                                allowed=("OPEN", "CLOSE", "STOP")))
        if config.get("set_position_topic") or config.get("position_topic"):
            points.append(point("Position", actuator if config.get("set_position_topic") else sensor,
                                DataType.UINT8, "position, 100 is open", unit="percent", min=0, max=100))
        return points
    if kind == "sensor":
        numeric = any(key in config for key in NUMERIC_SENSOR_HINTS)
        return [point("Value", sensor, DataType.DOUBLE if numeric else DataType.STRING, "reading", unit=unit)]
    if kind == "number":
        return [point("Value", actuator, DataType.DOUBLE, "value", unit=unit, min=_number(config, "min", 1),
                      max=_number(config, "max", 100))]
    if kind == "select":
        return [point("Option", actuator, DataType.STRING, "selected option", allowed=_strings(config.get("options")))]
    if kind == "button":
        return [point("Press", actuator, DataType.STRING, "press the button", allowed=("PRESS",))]
    if kind == "event":
        return [point("LastEvent", sensor, DataType.STRING, "last event",
                      allowed=_strings(config.get("event_types")))]
    if kind == "notify":
        return [point("Message", actuator, DataType.STRING, "send a notification")]
    if kind == "device_tracker":
        return [point("Latitude", sensor, DataType.DOUBLE, "latitude", unit="degrees", min=-90, max=90),
                point("Longitude", sensor, DataType.DOUBLE, "longitude", unit="degrees", min=-180, max=180),
                point("GpsAccuracy", sensor, DataType.FLOAT, "position accuracy", unit="m", min=0),
                point("State", sensor, DataType.STRING, "zone name, home or not_home")]
    return []


def _temperature_unit(config: dict[str, object]) -> str:
    return "Fahrenheit" if str(config.get("temperature_unit", "C")).upper().startswith("F") else "Celsius"
