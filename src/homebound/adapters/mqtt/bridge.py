"""Household devices over MQTT: Home Assistant discovery in, states into `Hub.ingest`, commands out.

Each discovered device becomes a hub thing whose catalog is built from its components' capabilities, plus
`Availability.IsOnline`. The bridge owns those things' actuators: `Hub.command` on a device datapoint is
published to its command topic and confirmed when the state topic shows the new value (optimistic entities,
which have no state topic, are confirmed once published). Every bad message is logged once per topic and
reason, counted (in total and per device), and never stops the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from homebound.adapters.mqtt.discovery import DiscoveryError, DiscoveryUpdate, parse_discovery
from homebound.adapters.mqtt.kinds import Entity, PayloadError, StoredImage, entity_for
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.messaging import Bus
from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.errors import HomeboundError
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.model.templates import TemplateFailed, render_value

log = logging.getLogger(__name__)

ONLINE = "Availability.IsOnline"
ONLINE_POINT = SignalMetadata(ONLINE, SignalKind.SENSOR, DataType.BOOLEAN,
                              description="Whether the device reports itself available")
OUR_ORIGIN = "Homebound"


@dataclass
class DeviceRecord:
    """What the bridge knows of one device besides its datapoints (those live in the hub)."""

    id: str
    name: str | None = None
    info: dict[str, object] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    availability: dict[str, bool] = field(default_factory=dict)
    last_availability_topic: str | None = None
    errors: int = 0
    last_error: str | None = None

    def online(self) -> bool:
        components = [e.component for e in self.entities.values() if e.component.availability]
        if not components:
            return True
        mode = components[0].availability_mode
        topics = [a.topic for c in components for a in c.availability]
        known = [self.availability[t] for t in topics if t in self.availability]
        if not known:
            return False
        if mode == "all":
            return len(known) == len(topics) and all(known)
        if mode == "any":
            return any(known)
        return self.availability.get(self.last_availability_topic or "", False)

    def info_now(self) -> DeviceInfo:
        return DeviceInfo(self.id, self.name, dict(self.info), self.online(),
                          tuple(sorted(e.component.discovery_id for e in self.entities.values())), self.errors,
                          self.last_error)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What the bridge tells others of a device: who it is, whether it is online, how many errors it sent."""

    id: str
    name: str | None
    info: dict[str, object]
    online: bool
    entities: tuple[str, ...]
    errors: int
    last_error: str | None


class HomeAssistantDevices:
    """Reads discovery, routes state topics to the hub, and carries out commands for device datapoints."""

    def __init__(self, hub: Hub, connection: Bus, prefix: str = "homeassistant") -> None:
        self.hub = hub
        self.connection = connection
        self.prefix = prefix
        self.devices: dict[str, DeviceRecord] = {}
        self.errors: Counter[str] = Counter()
        self.messages = 0
        self._routes: dict[str, list[tuple[str, Entity, int]]] = {}
        self._availability: dict[str, list[tuple[str, str | None, str, str]]] = {}
        self._owner_of_path: dict[tuple[str, str], Entity] = {}
        self._logged: set[tuple[str, str]] = set()

    def start(self) -> None:
        self.connection.subscribe(f"{self.prefix}/+/+/config", self._on_discovery_message)
        self.connection.subscribe(f"{self.prefix}/+/+/+/config", self._on_discovery_message)

    # ---- what others may know -----------------------------------------------------------------------------

    def device_ids(self) -> list[str]:
        return sorted(self.devices)

    def device(self, device_id: str) -> DeviceInfo | None:
        record = self.devices.get(device_id)
        return None if record is None else record.info_now()

    def image(self, device_id: str, path: str) -> StoredImage | None:
        """The last picture a camera or image datapoint brought (its value is only a reference to it)."""
        entity = self._owner_of_path.get((device_id, path))
        return None if entity is None else entity.images.get(path)

    # ---- incoming -----------------------------------------------------------------------------------------

    def _on_discovery_message(self, topic: str, payload: bytes, _retained: bool) -> None:
        self.messages += 1
        self._on_discovery(topic, payload)

    def _on_device_message(self, topic: str, payload: bytes, _retained: bool) -> None:
        self.messages += 1
        for device_id, entity, index in self._routes.get(topic, ()):
            self._on_state(topic, payload, device_id, entity, index)
        for device_id, template, available, _unavailable in self._availability.get(topic, ()):
            self._on_availability(topic, payload, device_id, template, available)

    def _on_discovery(self, topic: str, payload: bytes) -> None:
        try:
            update = parse_discovery(topic, payload, self.prefix)
        except DiscoveryError as error:
            self._bad("discovery", topic, str(error), None)
            return
        ours = [c for c in update.components if c.origin.get("name") == OUR_ORIGIN]
        if ours:
            return  # the car, published by Homebound itself
        try:
            self._apply(update)
        except (ValueError, TypeError, KeyError) as error:  # a config no rule foresaw
            self._bad("discovery", topic, f"unusable config: {error!r}", None)

    def _apply(self, update: DiscoveryUpdate) -> None:
        touched: set[str] = set()
        for removed in update.removed:
            for record in self.devices.values():
                gone = [d for d in record.entities if d == removed or (removed.endswith("/") and d.startswith(removed))]
                for discovery_id in gone:
                    del record.entities[discovery_id]
                    touched.add(record.id)
        for component in update.components:
            if component.device_id not in self.devices and self._taken(component.device_id):
                self._bad("discovery", component.discovery_id, f"device id {component.device_id!r} is already a "
                          "thing of the hub (a vehicle?): ignored", None)
                continue
            if component.device_id not in self.devices:
                self.devices[component.device_id] = DeviceRecord(component.device_id)
            record = self.devices[component.device_id]
            for other in self.devices.values():
                if other is not record and component.discovery_id in other.entities:
                    del other.entities[component.discovery_id]
                    touched.add(other.id)
            record.entities[component.discovery_id] = entity_for(component)
            record.name = str(component.device.get("name") or record.name or component.config.get("name") or
                              record.id)
            record.info = {k: v for k, v in component.device.items() if k not in ("identifiers", "connections")}
            touched.add(record.id)
        for device_id in touched:
            self._rebuild(device_id)
        self._reroute()

    def _taken(self, thing_id: str) -> bool:
        return self.hub.exists(thing_id)

    def _rebuild(self, device_id: str) -> None:
        record = self.devices[device_id]
        if not record.entities:
            del self.devices[device_id]
            self.hub.remove_thing(device_id)
            log.info("device %s removed", device_id)
            return
        points = {p.path: p for entity in record.entities.values() for p in entity.points}
        points[ONLINE] = ONLINE_POINT
        catalog = Catalog(points.values(), name=f"device {device_id}")
        if self.hub.exists(device_id):
            self.hub.set_catalog(device_id, catalog)
        else:
            self.hub.add_device(device_id, catalog, name=record.name)
            self.hub.register_owner(device_id, self)
            log.info("device %s (%s) joined with %d datapoints", device_id, record.name, len(catalog))
        self._set_online(record)

    def _reroute(self) -> None:
        routes: dict[str, list[tuple[str, Entity, int]]] = {}
        availability: dict[str, list[tuple[str, str | None, str, str]]] = {}
        owners: dict[tuple[str, str], Entity] = {}
        for record in self.devices.values():
            for entity in record.entities.values():
                for index, route in enumerate(entity.routes):
                    routes.setdefault(route.topic, []).append((record.id, entity, index))
                for item in entity.component.availability:
                    availability.setdefault(item.topic, []).append(
                        (record.id, item.value_template, item.payload_available, item.payload_not_available))
                for point in entity.points:
                    owners[(record.id, point.path)] = entity
        wanted = set(routes) | set(availability)
        for topic in set(self._routes) | set(self._availability):
            if topic not in wanted:
                self.connection.unsubscribe(topic, self._on_device_message)
        for topic in wanted:
            self.connection.subscribe(topic, self._on_device_message)
        self._routes, self._availability, self._owner_of_path = routes, availability, owners

    def _on_state(self, topic: str, payload: bytes, device_id: str, entity: Entity, index: int) -> None:
        try:
            values = entity.routes[index].decode(payload)
        except UnicodeDecodeError:
            self._bad("payload", topic, "payload is not UTF-8 text", device_id)
            return
        except TemplateFailed as error:
            self._bad("template", topic, str(error), device_id)
            return
        except (PayloadError, ValueError, TypeError) as error:
            self._bad("payload", topic, str(error), device_id)
            return
        except Exception as error:  # a payload no rule foresaw: counted like any bad one, never fatal
            self._bad("payload", topic, f"unexpected payload: {error!r}", device_id)
            return
        if not values:
            return
        result = self.hub.ingest(device_id, values, principal=principal(Door.MQTT, device_id))
        for refused in result.errors:
            self._bad("value", topic, str(refused), device_id)

    def _on_availability(self, topic: str, payload: bytes, device_id: str, template: str | None,
                         available: str) -> None:
        record = self.devices.get(device_id)
        if record is None:
            return
        try:
            text = render_value(template, payload.decode("utf-8", errors="replace"))
        except TemplateFailed as error:
            self._bad("template", topic, str(error), device_id)
            return
        record.availability[topic] = text == available
        record.last_availability_topic = topic
        self._set_online(record)

    def _set_online(self, record: DeviceRecord) -> None:
        online = record.online()
        current = self.hub.read(record.id, ONLINE)
        if current is None or current.value != online:
            self.hub.ingest(record.id, {ONLINE: online}, principal=principal(Door.MQTT, "availability"))

    def _bad(self, kind: str, topic: str, message: str, device_id: str | None) -> None:
        self.errors[kind] += 1
        if device_id is not None and device_id in self.devices:
            record = self.devices[device_id]
            record.errors += 1
            record.last_error = message
        key = (topic, message[:200])
        if key not in self._logged:
            if len(self._logged) < 10_000:
                self._logged.add(key)
            log.warning("MQTT %s error on %s: %s", kind, topic, message)

    # ---- outgoing: the hub asks a device for a target -----------------------------------------------------

    async def actuate(self, command: Command) -> None:
        record = self.devices.get(command.thing)
        entity = self._owner_of_path.get((command.thing, command.path))
        if record is None or entity is None:
            raise HomeboundError(f"{command.thing}: {command.path} is not an MQTT datapoint")
        if not record.online():
            raise HomeboundError(f"{command.thing} is offline")
        try:
            messages = entity.command(command.path, command.target)
        except (PayloadError, TemplateFailed, KeyError) as error:
            raise HomeboundError(f"{command.thing}: {command.path}: {error}") from None
        retain = bool(entity.config.get("retain", False))
        for topic, payload in messages:
            self.connection.publish(topic, payload, qos=1, retain=retain)
        if entity.confirmed_when_sent(command.path, command.target):
            self.hub.ingest(command.thing, {command.path: command.target}, principal=principal(Door.MQTT, "optimistic"))

    def stats(self) -> dict[str, object]:
        return {"devices": len(self.devices), "messages": self.messages, "errors": dict(self.errors),
                "online": sum(1 for r in self.devices.values() if r.online())}

