"""Wiring: build the hub, its storage and recorder from a configuration, restore state, and shut down cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import time

from homebound.adapters.can.runner import AssembledGateway, assemble
from homebound.adapters.http.activity import ActivityLog
from homebound.adapters.http.services import HttpServices
from homebound.adapters.hub_link import InProcessLink
from homebound.adapters.kuksa.server import KuksaServer
from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.adapters.mqtt.connection import MqttConnection
from homebound.adapters.mqtt.phones import PhonesOverMqtt
from homebound.adapters.mqtt.price_feed import PriceFeed
from homebound.adapters.mqtt.vehicle_publisher import VehiclePublisher
from homebound.app.config import Config, ConfigError
from homebound.app.drive_departures import DriveDepartures
from homebound.automations.engine import AutomationEngine
from homebound.automations.library import AutomationLibrary
from homebound.energy.service import EnergyService
from homebound.history.carlog import CarLog
from homebound.history.queries import HistoryQueries
from homebound.history.recorder import HistoryRecorder
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.messaging import Bus, LocalBus
from homebound.model.catalog import Catalog
from homebound.model.geometry import Zone
from homebound.model.vss_loader import load_catalog
from homebound.presence.household import Household
from homebound.presence.phone_key import PhoneKey
from homebound.simulators.household.base import SimulatedDevice
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.simulators.household.site import SimulatedSite
from homebound.storage.automation_store import AutomationStore
from homebound.storage.database import Database
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)


def _stable_client_id(config: Config) -> str:
    """The same MQTT client id at every start of this hub (a persistent session needs it), and different for two
    hubs on one machine (they have different databases)."""
    digest = hashlib.sha256(config.storage.url.encode()).hexdigest()[:8]
    return f"homebound-{socket.gethostname()[:32]}-{digest}"


class Runtime:
    """One running Homebound: hub, catalog, database and recorder, started and stopped together."""

    def __init__(self, config: Config, catalog: Catalog | None = None) -> None:
        self.config = config
        limits = config.limits.limits()
        self.catalog = (catalog or load_catalog(config.catalog.vss, config.catalog.overlays)).with_limits(limits)
        interlocks = config.safety.interlocks()
        unguarded = interlocks.unguarded(self.catalog)
        if unguarded:
            raise ConfigError("the safety section guards paths the catalog does not have:\n  " + "\n  ".join(unguarded))
        self.hub = Hub(default_command_timeout=config.commands.timeout_s, limits=limits, safety=interlocks)
        storage = config.storage
        self.database = Database(storage.url, durable=storage.durability == "durable")
        self.store = StateStore(self.database)
        zones = [Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in config.zones]
        self.carlog = CarLog(self.hub, self.database, config.history, self.catalog,
                             {vehicle.id: vehicle.vin for vehicle in config.vehicles}, zones,
                             end_after_stationary_s=config.automations.trip_end_after_s)
        self.recorder = HistoryRecorder(self.store, flush_interval=storage.flush_interval_s, mode=storage.durability,
                                        commit_timeout=storage.commit_timeout_s, history_filter=self.carlog.deadband)
        self.hub.durability = self.recorder
        self.history = HistoryQueries(self.recorder, self.store, storage.read_timeout_s)
        self.activity = ActivityLog()
        self.started_at = 0.0
        self.kuksa: KuksaServer | None = None
        self.household: HouseholdSimulator | None = None
        #: What the demo sets before `start` so the simulated household has its scenario's sun and its car.
        self.household_devices: list[SimulatedDevice] | None = None
        self.household_site: SimulatedSite | None = None
        self._household_task: asyncio.Task[None] | None = None
        self.can_gateways: list[tuple[AssembledGateway, asyncio.Task[None]]] = []
        self.automation_store = AutomationStore(self.database)
        self.automations = AutomationEngine(self.hub, [], self.automation_store,
                                            debounce_s=config.automations.zone_debounce_s)
        self.carlog.add_listener(self.automations.car_event)
        self.library = AutomationLibrary(self.automations, list(config.automations.files), list(config.zones))
        self.library.zones_changed.append(self.carlog.set_zones)
        self.warnings: list[str] = []
        #: Smart charging, when charge points are configured (docs/energy.md).
        self.energy: EnergyService | None = EnergyService(self.hub, config.energy) if config.energy.charge_points \
            else None
        self.price_feed: PriceFeed | None = None
        for vehicle in config.vehicles:
            self.hub.add_vehicle(vehicle.id, self.catalog, name=vehicle.name, vin=vehicle.vin,
                                 unowned_commands=config.commands.without_provider)
        self.mqtt: Bus | None = None
        self.devices: HomeAssistantDevices | None = None
        self.publishers: list[VehiclePublisher] = []
        settings = config.mqtt
        if settings.url:
            self.mqtt = MqttConnection(settings.url, client_id=settings.client_id or _stable_client_id(config),
                                       ca_file=str(settings.ca_file) if settings.ca_file else None,
                                       insecure_tls=settings.insecure_tls, persistent=settings.persistent_session,
                                       will=(f"{settings.base_topic}/status", "offline"),
                                       before_ack=self.hub.committed)
        elif config.simulation.household:
            self.mqtt = LocalBus()
        if self.mqtt is not None:
            self.devices = HomeAssistantDevices(self.hub, self.mqtt, settings.discovery_prefix)
        if settings.url and settings.publish_vehicles:
            assert self.mqtt is not None
            self.publishers = [VehiclePublisher(self.hub, self.mqtt, vehicle.id, settings.discovery_prefix,
                                                settings.base_topic, form=settings.discovery_form)
                               for vehicle in config.vehicles]
        self.people: Household | None = None
        self.phone_key: PhoneKey | None = None
        self.phones: PhonesOverMqtt | None = None
        self._presence_task: asyncio.Task[None] | None = None
        if config.people:
            zones = [Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in config.zones]
            self.people = Household(self.hub, list(config.people), config.presence, zones,
                                       [v.id for v in config.vehicles], config.automations.zone_debounce_s)
            if config.phone_key is not None:
                self.phone_key = PhoneKey(self.hub, self.people, config.phone_key)
            if self.mqtt is not None:
                self.phones = PhonesOverMqtt(self.people, self.mqtt, config.presence)

    @property
    def default_vehicle(self) -> str:
        return self.config.vehicles[0].id

    def http_services(self) -> HttpServices:
        """What the REST and WebSocket door is given (it never sees this Runtime)."""
        return HttpServices(hub=self.hub, catalog=self.catalog, system=self, history=self.history,
                            automations=self.library, activity=self.activity, sessions=self.carlog.queries,
                            devices=self.devices, energy=self.energy, phones=self.people)

    async def start(self) -> None:
        """Migrate the database, restore the last state and pending commands, then start recording."""
        await self.database.run(self.database.migrate)
        self.hub.add_listener(self.recorder.on_batch)
        self.hub.add_command_listener(self.recorder.on_command)
        for vehicle in self.config.vehicles:
            snapshot = await self.database.run(self.store.load_snapshot, vehicle.id)
            self.warnings += self.hub.restore(vehicle.id, snapshot.current, snapshot.targets)
        for command in await self.database.run(self.store.load_pending_commands):
            try:
                self.hub.restore_command(command)
            except Exception as error:
                self.warnings.append(f"pending command {command.id} not restored: {error}")
        for vehicle in self.config.vehicles:
            if vehicle.attributes:
                result = self.hub.ingest(vehicle.id, vehicle.attributes, principal=principal(Door.CONFIG, "file"))
                for refused in result.errors:
                    log.error("configured attribute refused: %s", refused)
        self.warnings += await self.carlog.start()
        self.recorder.start()
        if self.config.kuksa.enabled:
            kuksa = self.config.kuksa
            self.kuksa = KuksaServer(self.hub, kuksa.vehicle or self.default_vehicle, kuksa.host, kuksa.port,
                                     kuksa.tls_cert, kuksa.tls_key, kuksa.public_key)
            await self.kuksa.start()
        if self.mqtt is not None:
            await self.mqtt.connect()
        if self.devices is not None:
            self.devices.start()
        if self.people is not None:
            self.people.start()
            self._presence_task = asyncio.create_task(self._presence_clock(), name="presence-clock")
        if self.phones is not None:
            self.phones.start()
        for publisher in self.publishers:
            publisher.start()
        if self.config.simulation.household and self.mqtt is not None:
            speed = self.config.simulation.speed
            self.household = HouseholdSimulator(self.mqtt, self.household_devices, speed=speed,
                                                on_log=lambda text: self.activity.log("device", text),
                                                site=self.household_site)
            self.household.start()
            # At high speed, tick often enough that a minute of simulated time is not one step.
            self._household_task = asyncio.create_task(self.household.run(interval=min(1.0, max(0.05, 10 / speed))))
        for settings in self.config.can:
            link = InProcessLink(self.hub, settings.vehicle, principal(Door.GATEWAY, "can"))
            gateway = assemble(settings, link, self.hub.describe(settings.vehicle).catalog)
            self.can_gateways.append((gateway, asyncio.create_task(gateway.run(), name="can-gateway")))
        if self.energy is not None:
            self.energy.on_event = lambda text: self.activity.log("charging", text)
            if self.energy.predictor is None:  # a simulation may have given its car's habits instead
                departures = DriveDepartures(self.carlog.queries, [vehicle.id for vehicle in self.config.vehicles])
                await departures.load()
                self.carlog.add_listener(departures.on_car_event)
                self.energy.connect_history(departures)
            await self.energy.start()
            topic = self.config.energy.tariff.mqtt_topic
            if topic and self.mqtt is not None:
                self.price_feed = PriceFeed(self.mqtt, topic, self.energy.update_prices, self.energy.tz)
                self.price_feed.start()
        self.hub.add_command_listener(self.activity.on_command)
        self.automations.on_run.append(self.activity.on_run)
        self.automation_store.start()
        self.library.reload()
        self.warnings += [w for w in self.library.zone_warnings if w not in self.warnings]
        for warning in self.warnings:
            log.warning(warning)
        await self.automations.start()
        self.started_at = time.time()

    async def _presence_clock(self) -> None:
        """Bluetooth sightings age out and the phone key re-decides even when no message comes."""
        assert self.people is not None
        while True:
            await asyncio.sleep(1.0)
            self.people.tick()

    async def stop(self) -> None:
        """Close the doors, write what is buffered, then release the database."""
        if self._presence_task is not None:
            self._presence_task.cancel()
        if self.phones is not None:
            await self.phones.stop()
        await self.automations.stop()
        await self.automation_store.stop()
        if self.energy is not None:
            await self.energy.stop()
        if self._household_task is not None:
            self._household_task.cancel()
        for gateway, task in self.can_gateways:
            gateway.gateway.stop()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for publisher in self.publishers:
            await publisher.stop()
        if self.mqtt is not None:
            await self.mqtt.close()
        if self.kuksa is not None:
            await self.kuksa.stop()
        self.hub.close()
        await self.carlog.stop()
        await self.recorder.stop()
        self.database.dispose()

    def metrics(self) -> dict[str, object]:
        return {
            "uptime_s": round(time.time() - self.started_at, 3) if self.started_at else 0.0,
            "things": len(self.hub.thing_ids()),
            "rejected_values": self.hub.rejected_values,
            "pending_commands": len(self.hub.pending_commands()),
            **self.hub.subscription_stats(),
            "history": self.recorder.stats(),
            "sessions": self.carlog.stats(),
            "automations": {"loaded": self.library.loaded(), "runs": self.automations.traces.runs,
                            "problems": len(self.library.problems)},
            "mqtt": None if self.devices is None or self.mqtt is None else {
                **self.devices.stats(), "connected": self.mqtt.connected, "received": self.mqtt.received,
                "vehicle_commands": sum(p.commands_received for p in self.publishers),
                "vehicle_command_errors": sum(p.command_errors for p in self.publishers)},
            "energy": None if self.energy is None else {
                "charge_points": len(self.energy.controllers), "cycles": self.energy.cycles,
                "price_feed": None if self.price_feed is None else self.price_feed.stats()},
            "presence": None if self.people is None else {
                **self.people.stats(), "bad_messages": dict(self.phones.errors) if self.phones else {},
                "phone_key": None if self.phone_key is None else self.phone_key.decisions[-5:]},
        }
