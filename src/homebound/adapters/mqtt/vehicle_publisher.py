"""The car joins Home Assistant: one retained device-based discovery message, its states, and its commands.

The discovery message is published at start and again whenever Home Assistant announces `online` on
`<prefix>/status`: in the device-based form (`<prefix>/device/homebound_<id>/config`, read by Home Assistant
2024.11 and later), the per-component form (`<prefix>/<component>/homebound_<id>/<key>/config`, read by every
version), or both. The car is available to Home Assistant only while both the hub (`<base>/status`: online at
start, `offline` as the connection's last will and at a clean stop) and the car's own publisher
(`<base>/<id>/availability`) say so, so a stopped or crashed hub's car is never shown as live. States go out as
one retained JSON document per vehicle (`<base>/<id>/state`), coalesced to at most a few per second; commands
from Home Assistant arrive on `<base>/<id>/set/<entity>` and go through `Hub.command` like any other. A command
the hub refuses is answered at once: the real state is published again (so Home Assistant's control springs
back) and the car's `command_refused` event entity fires with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from homebound import __version__
from homebound.hub.commands import CommandState
from homebound.hub.core import Hub
from homebound.hub.events import Field
from homebound.hub.principals import Door, principal
from homebound.messaging import Bus
from homebound.model import vss_paths as vss
from homebound.model.errors import HomeboundError

log = logging.getLogger(__name__)

HOME_ASSISTANT = principal(Door.HOME_ASSISTANT, "mqtt")


@dataclass(frozen=True)
class Exposed:
    """One value of the state document: its key, the VSS path, and a conversion for Home Assistant."""

    key: str
    path: str
    convert: Callable[[object], object] = lambda v: v


def _km(value: object) -> object:
    return round(value / 1000, 1) if isinstance(value, int | float) else value


def _on_off(value: object) -> object:
    return None if value is None else ("ON" if value else "OFF")


STATE: list[Exposed] = [
    Exposed("speed", vss.SPEED), Exposed("state_of_charge", vss.SOC),
    Exposed("range", vss.RANGE, _km), Exposed("odometer", vss.TRAVELED_DISTANCE, _km),
    Exposed("battery_power", vss.BATTERY_POWER),
    Exposed("cabin_temperature", vss.CABIN_TEMPERATURE),
    Exposed("outside_temperature", vss.OUTSIDE_TEMPERATURE),
    Exposed("charging", vss.IS_CHARGING, _on_off),
    Exposed("plugged_in", vss.PLUGGED, _on_off), Exposed("charge_limit", vss.CHARGE_LIMIT),
    Exposed("trunk", vss.TRUNK_OPEN, _on_off),
    Exposed("climate_mode", vss.AIR_CONDITIONING, lambda v: None if v is None else ("auto" if v else "off")),
    Exposed("climate_target", vss.DRIVER_TEMPERATURE),
    *[Exposed(f"door_{d.split('.')[-2].lower()}_{d.split('.')[-1].lower()}", f"{d}.IsOpen", _on_off)
      for d in vss.DOORS],
    *[Exposed(f"window_{d.split('.')[-2].lower()}_{d.split('.')[-1].lower()}", f"{d}.Window.IsOpen", _on_off)
      for d in vss.DOORS],
]
DOOR_LOCKS = tuple(f"{door}.IsLocked" for door in vss.DOORS)
STATE_PATHS = tuple(item.path for item in STATE) + DOOR_LOCKS
DiscoveryForm = Literal["device", "component", "both"]


def lock_state(values: dict[str, object]) -> str | None:
    """The car's lock as Home Assistant shows it: locked only when every door is."""
    locks = [values.get(path) for path in DOOR_LOCKS]
    if any(lock is False for lock in locks):
        return "UNLOCKED"
    if locks and all(lock is True for lock in locks):
        return "LOCKED"
    return None


class VehiclePublisher:
    """Publishes one vehicle to Home Assistant and relays Home Assistant's commands to the hub."""

    def __init__(self, hub: Hub, connection: Bus, vehicle_id: str, prefix: str = "homeassistant",
                 base_topic: str = "homebound", min_interval: float = 0.2, form: DiscoveryForm = "device") -> None:
        self.hub = hub
        self.form = form
        self.connection = connection
        self.vehicle = hub.describe(vehicle_id)
        self.prefix = prefix
        self.base = f"{base_topic}/{self.vehicle.id}"
        self.hub_status = f"{base_topic}/status"
        self.min_interval = min_interval
        self.discovery_topic = f"{prefix}/device/homebound_{self.vehicle.id}/config"
        self._task: asyncio.Task[None] | None = None
        self.commands_received = 0
        self.command_errors = 0
        self.refusals: list[dict[str, object]] = []

    def start(self) -> None:
        self.connection.subscribe(f"{self.prefix}/status", self._on_status)
        self.connection.subscribe(f"{self.base}/set/+", self._on_set)
        self.connection.on_reconnect.append(self.publish_discovery)
        self.publish_discovery()
        self._task = asyncio.create_task(self._publish_states(), name=f"ha-state-{self.vehicle.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.connection.publish(f"{self.base}/availability", "offline", qos=1, retain=True)
        self.connection.publish(self.hub_status, "offline", qos=1, retain=True)

    # ---- discovery ----------------------------------------------------------------------------------------

    def discovery(self) -> dict[str, object]:
        state = f"{self.base}/state"
        components: dict[str, dict[str, object]] = {}

        def sensor(key: str, name: str, unit: str | None, device_class: str | None) -> None:
            components[key] = {"p": "sensor", "name": name, "unique_id": f"homebound_{self.vehicle.id}_{key}",
                               "state_topic": state, "value_template": f"{{{{ value_json.{key} }}}}",
                               "unit_of_measurement": unit, "device_class": device_class,
                               "state_class": "measurement"}

        def binary(key: str, name: str, device_class: str) -> None:
            components[key] = {"p": "binary_sensor", "name": name, "unique_id": f"homebound_{self.vehicle.id}_{key}",
                               "state_topic": state, "value_template": f"{{{{ value_json.{key} }}}}",
                               "device_class": device_class}

        sensor("speed", "Speed", "km/h", "speed")
        sensor("state_of_charge", "State of charge", "%", "battery")
        sensor("range", "Range", "km", "distance")
        sensor("odometer", "Odometer", "km", "distance")
        sensor("battery_power", "Battery power", "W", "power")
        sensor("cabin_temperature", "Cabin temperature", "°C", "temperature")
        sensor("outside_temperature", "Outside temperature", "°C", "temperature")
        binary("charging", "Charging", "battery_charging")
        binary("plugged_in", "Plugged in", "plug")
        binary("trunk", "Trunk", "opening")
        for item in STATE:
            if item.key.startswith(("door_", "window_")):
                binary(item.key, item.key.replace("_", " ").capitalize(),
                       "door" if item.key.startswith("door_") else "window")
        components["location"] = {"p": "device_tracker", "name": "Location",
                                  "unique_id": f"homebound_{self.vehicle.id}_location",
                                  "json_attributes_topic": f"{self.base}/location", "source_type": "gps"}
        components["lock"] = {"p": "lock", "name": "Doors", "unique_id": f"homebound_{self.vehicle.id}_lock",
                              "state_topic": state, "value_template": "{{ value_json.locked }}",
                              "command_topic": f"{self.base}/set/lock"}
        components["climate"] = {
            "p": "climate", "name": "Climate", "unique_id": f"homebound_{self.vehicle.id}_climate",
            "modes": ["off", "auto"], "mode_state_topic": state, "mode_state_template": "{{ value_json.climate_mode }}",
            "mode_command_topic": f"{self.base}/set/climate_mode", "temperature_state_topic": state,
            "temperature_state_template": "{{ value_json.climate_target }}",
            "temperature_command_topic": f"{self.base}/set/climate_target", "current_temperature_topic": state,
            "current_temperature_template": "{{ value_json.cabin_temperature }}", "min_temp": 15, "max_temp": 28,
            "temperature_unit": "C"}
        components["command_refused"] = {"p": "event", "name": "Command refused",
                                         "unique_id": f"homebound_{self.vehicle.id}_command_refused",
                                         "state_topic": f"{self.base}/event/command_refused",
                                         "event_types": ["command_refused"]}
        components["charge_limit"] = {"p": "number", "name": "Charge limit", "min": 50, "max": 100, "step": 1,
                                      "unit_of_measurement": "%", "state_topic": state,
                                      "unique_id": f"homebound_{self.vehicle.id}_charge_limit",
                                      "value_template": "{{ value_json.charge_limit }}",
                                      "command_topic": f"{self.base}/set/charge_limit"}
        vin = self.vehicle.vin
        return {
            "dev": {"ids": [f"homebound_{self.vehicle.id}"] + ([vin] if vin else []),
                    "name": self.vehicle.name or self.vehicle.id, "mf": "Homebound", "mdl": "Electric vehicle"},
            "o": {"name": "Homebound", "sw": __version__},
            "availability": [{"topic": self.hub_status}, {"topic": f"{self.base}/availability"}],
            "availability_mode": "all",
            "cmps": components,
        }

    def component_messages(self) -> list[tuple[str, dict[str, object]]]:
        """The same entities in the per-component form: one retained config each, device and origin repeated."""
        document = self.discovery()
        components = document["cmps"]
        assert isinstance(components, dict)
        shared = {"dev": document["dev"], "o": document["o"], "availability": document["availability"],
                  "availability_mode": document["availability_mode"]}
        out = []
        for key, component in components.items():
            config = {k: v for k, v in component.items() if k != "p"}
            out.append((f"{self.prefix}/{component['p']}/homebound_{self.vehicle.id}/{key}/config",
                        {**config, **shared}))
        return out

    def publish_discovery(self) -> None:
        if self.form in ("device", "both"):
            self.connection.publish(self.discovery_topic, json.dumps(self.discovery()), qos=1, retain=True)
        if self.form in ("component", "both"):
            for topic, config in self.component_messages():
                self.connection.publish(topic, json.dumps(config), qos=1, retain=True)
        self.connection.publish(self.hub_status, "online", qos=1, retain=True)
        self.connection.publish(f"{self.base}/availability", "online", qos=1, retain=True)

    # ---- states -------------------------------------------------------------------------------------------

    def state_document(self) -> dict[str, object]:
        current = self.hub.values(self.vehicle.id, STATE_PATHS)
        document = {item.key: item.convert(current[item.path]) if item.path in current else None for item in STATE}
        document["locked"] = lock_state(dict(current))
        return document

    async def _publish_states(self) -> None:
        paths = sorted(set(STATE_PATHS) | set(vss.LOCATION))
        subscription = self.hub.subscribe(self.vehicle.id, paths, [Field.VALUE], max_batches=10)
        with contextlib.closing(subscription):
            self._publish_now(location=True)
            while True:
                batch = await subscription.next_batch()
                while (more := subscription.get_nowait()) is not None:
                    batch += more
                self._publish_now(location=any(u.path in vss.LOCATION for u in batch))
                await asyncio.sleep(self.min_interval)

    def _publish_now(self, location: bool) -> None:
        self.connection.publish(f"{self.base}/state", json.dumps(self.state_document()), qos=1, retain=True)
        if not location:
            return
        fix = self.hub.values(self.vehicle.id, vss.LOCATION)
        if vss.LATITUDE in fix and vss.LONGITUDE in fix:
            self.connection.publish(f"{self.base}/location", json.dumps({
                "latitude": fix[vss.LATITUDE], "longitude": fix[vss.LONGITUDE],
                "gps_accuracy": fix.get(vss.ACCURACY, 0)}), qos=1, retain=True)

    # ---- commands from Home Assistant ---------------------------------------------------------------------

    def _on_status(self, _topic: str, payload: bytes, _retained: bool) -> None:
        if payload.decode(errors="replace").strip() == "online":
            self.publish_discovery()

    def _on_set(self, topic: str, payload: bytes, _retained: bool) -> None:
        self.commands_received += 1
        asyncio.get_running_loop().create_task(self._command(topic.rsplit("/", 1)[-1],
                                                             payload.decode(errors="replace").strip()))

    async def _command(self, entity: str, text: str) -> None:
        try:
            for path, target in self._targets(entity, text):
                command = await self.hub.command(HOME_ASSISTANT, self.vehicle.id, path, target)
                if command.state is CommandState.FAILED:
                    raise HomeboundError(command.reason or "failed")
        except (HomeboundError, ValueError) as error:
            self.refused(entity, text, str(error))

    def refused(self, entity: str, text: str, reason: str) -> None:
        """Tell Home Assistant at once: the real state again, and the `command_refused` event with the reason."""
        self.command_errors += 1
        log.warning("Home Assistant command %s=%r for %s refused: %s", entity[:40], text[:40], self.vehicle.id,
                    reason[:200])
        self._publish_now(location=False)
        event: dict[str, object] = {"event_type": "command_refused", "entity": entity[:40], "payload": text[:100],
                 "reason": reason[:300]}
        self.refusals.append(event)
        del self.refusals[:-20]
        self.connection.publish(f"{self.base}/event/command_refused", json.dumps(event), qos=1)

    def _targets(self, entity: str, text: str) -> list[tuple[str, object]]:
        if entity == "lock":
            if text not in ("LOCK", "UNLOCK"):
                raise ValueError(f"lock payload must be LOCK or UNLOCK, not {text!r}")
            return [(f"{door}.IsLocked", text == "LOCK") for door in vss.DOORS]
        if entity == "climate_mode":
            return [(vss.AIR_CONDITIONING, text != "off")]
        if entity == "climate_target":
            return [(vss.DRIVER_TEMPERATURE, float(text))]
        if entity == "charge_limit":
            return [(vss.CHARGE_LIMIT, round(float(text)))]
        raise ValueError(f"unknown entity {entity!r}")
