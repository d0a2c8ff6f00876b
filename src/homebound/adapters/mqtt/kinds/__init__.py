"""Every Home Assistant MQTT component the hub understands, one module per kind, in one registry.

A new kind is one module with an `Entity` subclass (its `kind`, `required` options, `datapoints` and `build`)
and one line here.
"""

from __future__ import annotations

from homebound.adapters.mqtt.component import DiscoveredComponent
from homebound.adapters.mqtt.kinds.alarm_control_panel import AlarmControlPanel
from homebound.adapters.mqtt.kinds.base import Entity, PayloadError, StateRoute, StoredImage, pascal
from homebound.adapters.mqtt.kinds.binary_sensor import BinarySensor
from homebound.adapters.mqtt.kinds.button import Button
from homebound.adapters.mqtt.kinds.camera import Camera
from homebound.adapters.mqtt.kinds.climate import Climate
from homebound.adapters.mqtt.kinds.cover import Cover
from homebound.adapters.mqtt.kinds.device_automation import DeviceAutomation
from homebound.adapters.mqtt.kinds.device_tracker import DeviceTracker
from homebound.adapters.mqtt.kinds.event import Event
from homebound.adapters.mqtt.kinds.fan import Fan
from homebound.adapters.mqtt.kinds.humidifier import Humidifier
from homebound.adapters.mqtt.kinds.image import Image
from homebound.adapters.mqtt.kinds.lawn_mower import LawnMower
from homebound.adapters.mqtt.kinds.light import Light
from homebound.adapters.mqtt.kinds.lock import Lock
from homebound.adapters.mqtt.kinds.notify import Notify
from homebound.adapters.mqtt.kinds.number import Number
from homebound.adapters.mqtt.kinds.scene import Scene
from homebound.adapters.mqtt.kinds.select import Select
from homebound.adapters.mqtt.kinds.sensor import Sensor
from homebound.adapters.mqtt.kinds.siren import Siren
from homebound.adapters.mqtt.kinds.switch import Switch
from homebound.adapters.mqtt.kinds.tag import Tag
from homebound.adapters.mqtt.kinds.text import Text
from homebound.adapters.mqtt.kinds.update import Update
from homebound.adapters.mqtt.kinds.vacuum import Vacuum
from homebound.adapters.mqtt.kinds.valve import Valve
from homebound.adapters.mqtt.kinds.water_heater import WaterHeater

KINDS: dict[str, type[Entity]] = {kind.kind: kind for kind in (
    AlarmControlPanel, BinarySensor, Button, Camera, Climate, Cover, DeviceAutomation, DeviceTracker, Event, Fan,
    Humidifier, Image, LawnMower, Light, Lock, Notify, Number, Scene, Select, Sensor, Siren, Switch, Tag, Text,
    Update, Vacuum, Valve, WaterHeater,
)}
SUPPORTED = tuple(sorted(KINDS))


def entity_for(component: DiscoveredComponent) -> Entity:
    """The entity of a discovered component (discovery has already refused kinds not in `KINDS`)."""
    return KINDS[component.component](component)


__all__ = ["KINDS", "SUPPORTED", "Entity", "PayloadError", "StateRoute", "StoredImage", "entity_for", "pascal"]
