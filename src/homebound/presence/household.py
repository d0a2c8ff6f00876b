"""The household's members as things of the hub: their presence from phones and Bluetooth, notifications to
their phones, and destinations they send to the car.

Each member is a hub thing (its id) with `Location.*` (the automations' zone, proximity and arrival triggers
work on it as on any tracker), `Presence.*` (state, zone, room, near which vehicle), `Phone.<Device>.*`
(battery, connected) and `Notify.Phone.Message`; the thing `household` has `Notify.Family.Message`, which goes
to every member's phones. Every value goes through `Hub.ingest`, every destination through `Hub.command` with
the member as principal (`phone:<member>`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.model import vss_paths as vss
from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.errors import HomeboundError
from homebound.model.geometry import Zone
from homebound.model.signal import SignalKind, SignalMetadata
from homebound.presence import owntracks
from homebound.presence.ble import BleDistances
from homebound.presence.config import MemberConfig, PhoneConfig, PresenceConfig
from homebound.presence.espresense import Sighting
from homebound.presence.tracking import MemberTracker, PresenceView

log = logging.getLogger(__name__)

HOUSEHOLD = "household"
FAMILY_NOTIFY = "Notify.Family.Message"
PHONE_NOTIFY = "Notify.Phone.Message"
LATITUDE, LONGITUDE, ACCURACY, VELOCITY = ("Location.Latitude", "Location.Longitude", "Location.GpsAccuracy",
                                           "Location.Velocity")
STATE, ZONE, ROOM, NEAR_VEHICLE = "Presence.State", "Presence.Zone", "Presence.Room", "Presence.NearVehicle"
HOME_DISTANCE, DIRECTION, VEHICLE_DISTANCE = ("Presence.HomeDistance", "Presence.Direction",
                                              "Presence.VehicleDistance")
OUTBOX_SIZE = 20
Transport = Literal["mqtt", "http"]


class PhoneLink(Protocol):
    """A way to reach phones (the MQTT adapter publishes to `owntracks/<user>/<device>/cmd`)."""

    def send(self, user: str, device: str, message: dict[str, object]) -> None: ...


def _node(name: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)[:64] or "Phone"


def member_catalog(member: MemberConfig) -> Catalog:
    sensor, actuator = SignalKind.SENSOR, SignalKind.ACTUATOR

    def point(path: str, kind: SignalKind, datatype: DataType, what: str, **facts: object) -> SignalMetadata:
        return SignalMetadata(path, kind, datatype, description=f"{member.name or member.id}: {what}",
                              **facts)  # type: ignore[arg-type]

    points = [
        point(LATITUDE, sensor, DataType.DOUBLE, "latitude", unit="degrees", min=-90, max=90),
        point(LONGITUDE, sensor, DataType.DOUBLE, "longitude", unit="degrees", min=-180, max=180),
        point(ACCURACY, sensor, DataType.FLOAT, "position accuracy", unit="m", min=0),
        point(VELOCITY, sensor, DataType.FLOAT, "speed the phone reports", unit="km/h", min=0),
        point(STATE, sensor, DataType.STRING, "home, away, approaching, or the zone the member is in"),
        point(ZONE, sensor, DataType.STRING, "the zone the member is in (empty: none)"),
        point(ROOM, sensor, DataType.STRING, "the room a Bluetooth station hears the member in (empty: none)"),
        point(NEAR_VEHICLE, sensor, DataType.STRING, "the vehicle the member is beside (empty: none)"),
        point(HOME_DISTANCE, sensor, DataType.FLOAT, "distance to the edge of home", unit="m", min=0),
        point(DIRECTION, sensor, DataType.STRING, "moving towards or away from home",
              allowed=("towards", "away", "stationary", "unknown")),
        point(VEHICLE_DISTANCE, sensor, DataType.FLOAT, "smoothed Bluetooth distance to the nearest vehicle station",
              unit="m", min=0),
        point(PHONE_NOTIFY, actuator, DataType.STRING, "send a notification to the member's phones"),
    ]
    for phone in member.phones:
        node = f"Phone.{_node(phone.device)}"
        points += [point(f"{node}.Battery", sensor, DataType.UINT8, f"{phone.device} battery", unit="percent", min=0,
                         max=100),
                   point(f"{node}.IsConnected", sensor, DataType.BOOLEAN, f"{phone.device} connected")]
    return Catalog(points, name=f"member {member.id}")


@dataclass
class PhoneState:
    config: PhoneConfig
    member: str
    transport: Transport | None = None
    last: owntracks.Location | None = None
    outbox: deque[dict[str, object]] = field(default_factory=lambda: deque(maxlen=OUTBOX_SIZE))


class Household:
    """The members, their phones and tags, and the presence that follows; the owner of their notifications."""

    def __init__(self, hub: Hub, members: list[MemberConfig], settings: PresenceConfig, zones: list[Zone],
                 vehicles: list[str], debounce_s: float = 30.0) -> None:
        self.hub = hub
        self.settings = settings
        self.members = {member.id: member for member in members}
        self.vehicles = vehicles
        self.zones = {zone.id: zone for zone in zones}
        self.phones = {(p.user, p.device): PhoneState(p, m.id) for m in members for p in m.phones}
        self.tags = {tag: m.id for m in members for tag in m.tags}
        self.stations = {station.id: station for station in settings.stations}
        self.trackers = {m.id: MemberTracker(self.zones, settings.home_zone, debounce_s,
                                             settings.approaching_within_m) for m in members}
        self.ble = BleDistances(settings.ble_smoothing, settings.ble_timeout_s)
        self.links: list[PhoneLink] = []
        self.on_bluetooth: list[Callable[[str, float], None]] = []
        self.errors: Counter[str] = Counter()
        self.messages = 0
        self.destinations: list[Command] = []
        self._shown: dict[str, PresenceView] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.joined: list[str] = []

    # ---- the things -----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Make each member (and the household) a thing of the hub."""
        for member in self.members.values():
            if self.hub.exists(member.id):
                log.error("member %s not added: the hub already has a thing with that id", member.id)
                continue
            self.hub.add_device(member.id, member_catalog(member), name=member.name or member.id)
            self.hub.register_owner(member.id, self)
            self.joined.append(member.id)
        if self.members and not self.hub.exists(HOUSEHOLD):
            family = SignalMetadata(FAMILY_NOTIFY, SignalKind.ACTUATOR, DataType.STRING,
                                    description="send a notification to every member's phones")
            self.hub.add_device(HOUSEHOLD, Catalog([family], name="household"), name="Household")
            self.hub.register_owner(HOUSEHOLD, self)

    def only_phone_of(self, user: str) -> str | None:
        devices = [device for (owner, device) in self.phones if owner == user]
        return devices[0] if len(devices) == 1 else None

    def people(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for member_id in self.joined:
            member, view = self.members[member_id], self.view(member_id)
            out.append({"id": member_id, "name": member.name or member_id, "state": view.state, "zone": view.zone,
                        "room": view.room, "near_vehicle": view.near_vehicle,
                        "home_distance_m": view.home_distance_m, "direction": view.direction,
                        "phones": [f"{p.user}/{p.device}" for p in member.phones], "tags": len(member.tags)})
        return out

    def member_of_phone(self, user: str, device: str) -> str | None:
        phone = self.phones.get((user, device))
        return None if phone is None else phone.member

    # ---- the phone's messages -------------------------------------------------------------------------------

    def on_owntracks(self, user: str, device: str, payload: bytes, via: Transport,
                     now: float | None = None) -> list[dict[str, object]]:
        """One message from a phone; returns what its protocol answers (HTTP mode: friends, cards, commands).
        OwnTracksError for a message that cannot be used, HomeboundError for a phone no member has."""
        now = time.time() if now is None else now
        self.messages += 1
        phone = self.phones.get((user, device))
        if phone is None:
            self.errors["unknown_phone"] += 1
            raise HomeboundError(f"phone {user[:40]}/{device[:40]} belongs to no member (people[].phones)")
        try:
            message = owntracks.parse(payload)
        except owntracks.OwnTracksError:
            self.errors["owntracks"] += 1
            raise
        phone.transport = via
        member = phone.member
        node = f"Phone.{_node(phone.config.device)}"
        if isinstance(message, owntracks.Location):
            phone.last = message
            ts = message.tst if now - 7 * 86400 < message.tst <= now + 60 else now
            values: dict[str, object] = {LATITUDE: message.lat, LONGITUDE: message.lon,
                                         ACCURACY: message.acc or 0.0, f"{node}.IsConnected": True}
            if message.vel is not None:
                values[VELOCITY] = message.vel
            if message.batt is not None:
                values[f"{node}.Battery"] = message.batt
            self._ingest(member, values, ts)
            self.trackers[member].fix(message.lat, message.lon, message.acc or 0.0, ts)
            self._show(member, ts)
        elif isinstance(message, owntracks.Transition):
            zone = self._zone_named(message.desc)
            if zone is not None:
                self.trackers[member].transition(zone, message.event == "enter")
                self._show(member, now)
        elif isinstance(message, owntracks.Waypoint):
            self._maybe_destination(member, message)
        elif isinstance(message, owntracks.Waypoints):
            for waypoint in message.waypoints:
                self._maybe_destination(member, waypoint)
        elif isinstance(message, owntracks.LastWill):
            self._ingest(member, {f"{node}.IsConnected": False}, now)
        if via == "http":
            return self.friends_for(member) + self._drain(phone)
        return []

    def _zone_named(self, name: str) -> str | None:
        wanted = name.strip().lower()
        return next((z.id for z in self.zones.values() if wanted in (z.id.lower(), z.name.lower())), None)

    # ---- Bluetooth --------------------------------------------------------------------------------------------

    def on_sighting(self, sighting: Sighting, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.messages += 1
        member = self.tags.get(sighting.tag)
        if member is None:
            self.errors["unknown_tag"] += 1  # a neighbour's phone: not ours to track
            return
        self.ble.add(sighting.tag, sighting.station, sighting.distance_m, now)
        self._bluetooth(member, now)

    def vehicle_distance(self, member: str, now: float, stations: set[str] | None = None) -> float | None:
        """The member's smoothed distance to the nearest vehicle station (or to the given stations)."""
        chosen = stations or {s for s, c in self.stations.items() if c.vehicle}
        nearest = self.ble.nearest(self.members[member].tags, now, chosen)
        return None if nearest is None else nearest[1]

    def _bluetooth(self, member: str, now: float) -> None:
        tags = self.members[member].tags
        nearest = self.ble.nearest(tags, now)
        room, home, near = "", False, ""
        if nearest is not None:
            station = self.stations.get(nearest[0])
            room = (station.room or station.id) if station else nearest[0]
            home = station.home if station else True
        vehicle_stations = {s: c.vehicle for s, c in self.stations.items() if c.vehicle}
        closest = self.ble.nearest(tags, now, set(vehicle_stations))
        if closest is not None and closest[1] <= self.settings.near_vehicle_m:
            near = vehicle_stations[closest[0]] or ""
        self.trackers[member].bluetooth(room, home, near)
        if closest is not None:
            self._ingest(member, {VEHICLE_DISTANCE: round(closest[1], 2)}, now)
        self._show(member, now)
        for listener in self.on_bluetooth:
            listener(member, now)

    def tick(self, now: float | None = None) -> None:
        """Let time pass: tags not heard within the timeout leave their stations."""
        now = time.time() if now is None else now
        for member, config in self.members.items():
            if config.tags and member in self.joined:
                self._bluetooth(member, now)
        self.ble.forget_stale(now)

    # ---- what the hub shows -----------------------------------------------------------------------------------

    def _show(self, member: str, ts: float) -> None:
        view = self.trackers[member].view()
        if self._shown.get(member) == view:
            return
        self._shown[member] = view
        values: dict[str, object] = {STATE: view.state, ZONE: view.zone, ROOM: view.room,
                                     NEAR_VEHICLE: view.near_vehicle, DIRECTION: view.direction}
        if view.home_distance_m is not None:
            values[HOME_DISTANCE] = view.home_distance_m
        self._ingest(member, values, ts)

    def view(self, member: str) -> PresenceView:
        return self.trackers[member].view()

    def _ingest(self, member: str, values: dict[str, object], ts: float) -> None:
        if member not in self.joined:
            return
        result = self.hub.ingest(member, values, ts, principal(Door.PRESENCE, member))
        for error in result.errors:
            self.errors["value"] += 1
            log.warning("presence of %s: %s", member, str(error)[:200])

    # ---- what the phones are told -----------------------------------------------------------------------------

    def friends_for(self, member: str | None) -> list[dict[str, object]]:
        """Every other member's last location and the vehicles', with their cards, in OwnTracks' shapes."""
        out: list[dict[str, object]] = []
        for phone in self.phones.values():
            if phone.member == member or phone.last is None:
                continue
            config = self.members[phone.member]
            last = phone.last
            tid = config.tid or owntracks.tid_for(config.name or config.id)
            out.append(owntracks.card_message(config.name or config.id))
            out.append(owntracks.location_message(last.lat, last.lon, last.tst, tid, last.acc, last.batt, last.vel))
        if self.settings.share_vehicles:
            for vehicle, message in self.vehicle_locations().items():
                out.append(owntracks.card_message(self.hub.describe(vehicle).name or vehicle))
                out.append(message)
        return out

    def vehicle_locations(self) -> dict[str, dict[str, object]]:
        out: dict[str, dict[str, object]] = {}
        for vehicle in self.vehicles:
            readings = self.hub.read_many(vehicle, vss.LATITUDE), self.hub.read_many(vehicle, vss.LONGITUDE)
            lat, lon = readings[0].get(vss.LATITUDE), readings[1].get(vss.LONGITUDE)
            if lat is None or lon is None or not isinstance(lat.value, float) or not isinstance(lon.value, float):
                continue
            accuracy = self.hub.values(vehicle, [vss.ACCURACY]).get(vss.ACCURACY)
            speed = self.hub.values(vehicle, [vss.SPEED]).get(vss.SPEED)
            out[vehicle] = owntracks.location_message(
                lat.value, lon.value, max(lat.ts, lon.ts), owntracks.tid_for(vehicle[:1] + vehicle[-1:]),
                float(accuracy) if isinstance(accuracy, int | float) else None, None,
                abs(float(speed)) if isinstance(speed, int | float) else None)
        return out

    def http_members_locations(self) -> list[tuple[PhoneConfig, dict[str, object]]]:
        """The last location of phones in HTTP mode (the MQTT adapter shows them to the phones on MQTT)."""
        out = []
        for phone in self.phones.values():
            if phone.transport == "http" and phone.last is not None:
                config = self.members[phone.member]
                last = phone.last
                out.append((phone.config, owntracks.location_message(
                    last.lat, last.lon, last.tst, config.tid or owntracks.tid_for(config.name or config.id),
                    last.acc, last.batt, last.vel)))
        return out

    def _drain(self, phone: PhoneState) -> list[dict[str, object]]:
        messages = list(phone.outbox)
        phone.outbox.clear()
        return messages

    # ---- notifications: the hub asks a member's phones to show a message --------------------------------------

    async def actuate(self, command: Command) -> None:
        text = str(command.target)
        members = list(self.joined) if command.thing == HOUSEHOLD else [command.thing]
        reached = 0
        for member in members:
            reached += self._notify(member, text)
        if not reached:
            raise HomeboundError(f"{command.thing}: no phone can be reached (none has reported yet)")
        self.hub.ingest(command.thing, {command.path: text}, principal=principal(Door.PRESENCE, "notified"))

    def _notify(self, member: str, text: str) -> int:
        message = owntracks.notification_message(text)
        reached = 0
        for phone in self.phones.values():
            if phone.member != member:
                continue
            if phone.transport == "http":
                phone.outbox.append(message)  # handed over in the answer to its next post
                reached += 1
            elif self.links:
                for link in self.links:
                    link.send(phone.config.user, phone.config.device, message)
                reached += 1
        return reached

    # ---- a destination from a phone to the car's navigation ---------------------------------------------------

    def _maybe_destination(self, member: str, waypoint: owntracks.Waypoint) -> None:
        prefix = self.settings.destination_prefix.lower()
        if not waypoint.desc.lower().startswith(prefix):
            return
        vehicle = self.settings.destination_vehicle or (self.vehicles[0] if self.vehicles else None)
        if vehicle is None or not self.hub.exists(vehicle, vss.DESTINATION_LATITUDE):
            self.errors["destination"] += 1
            log.warning("destination %r from %s not sent: vehicle %s has no %s (VSS 6.0 has it; load its export "
                        "or the navigation overlay)", waypoint.desc[:60], member, vehicle, vss.DESTINATION_LATITUDE)
            return
        task = asyncio.get_running_loop().create_task(self._send_destination(member, vehicle, waypoint))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_destination(self, member: str, vehicle: str, waypoint: owntracks.Waypoint) -> None:
        who = principal(Door.PHONE, member)
        for path, value in ((vss.DESTINATION_LATITUDE, waypoint.lat), (vss.DESTINATION_LONGITUDE, waypoint.lon)):
            try:
                self.destinations.append(await self.hub.command(who, vehicle, path, value))
            except HomeboundError as error:
                self.errors["destination"] += 1
                log.warning("destination from %s refused: %s", member, str(error)[:200])
                return
        log.info("destination %r sent to %s by %s", waypoint.desc[:60], vehicle, member)

    def stats(self) -> dict[str, object]:
        return {"members": len(self.joined), "messages": self.messages, "errors": dict(self.errors),
                "states": {m: self.trackers[m].view().state for m in self.joined}}
