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
from homebound.adapters.mqtt.vehicle_publisher import VehiclePublisher
from homebound.app.config import Config, ConfigError
from homebound.automations.engine import AutomationEngine
from homebound.automations.library import AutomationLibrary
from homebound.history.queries import HistoryQueries
from homebound.history.recorder import HistoryRecorder
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.messaging import Bus, LocalBus
from homebound.model.catalog import Catalog
from homebound.model.vss_loader import load_catalog
from homebound.simulators.household.runner import HouseholdSimulator
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
        self.recorder = HistoryRecorder(self.store, flush_interval=storage.flush_interval_s, mode=storage.durability,
                                        commit_timeout=storage.commit_timeout_s)
        self.hub.durability = self.recorder
        self.history = HistoryQueries(self.recorder, self.store, storage.read_timeout_s)
        self.activity = ActivityLog()
        self.started_at = 0.0
        self.kuksa: KuksaServer | None = None
        self.household: HouseholdSimulator | None = None
        self._household_task: asyncio.Task[None] | None = None
        self.can_gateways: list[tuple[AssembledGateway, asyncio.Task[None]]] = []
        self.automation_store = AutomationStore(self.database)
        self.automations = AutomationEngine(self.hub, [], self.automation_store,
                                            debounce_s=config.automations.zone_debounce_s,
                                            trip_end_after_s=config.automations.trip_end_after_s)
        self.library = AutomationLibrary(self.automations, list(config.automations.files), list(config.zones))
        self.warnings: list[str] = []
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
                                                settings.base_topic) for vehicle in config.vehicles]

    @property
    def default_vehicle(self) -> str:
        return self.config.vehicles[0].id

    def http_services(self) -> HttpServices:
        """What the REST and WebSocket door is given (it never sees this Runtime)."""
        return HttpServices(hub=self.hub, catalog=self.catalog, system=self, history=self.history,
                            automations=self.library, activity=self.activity, devices=self.devices)

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
        for warning in self.warnings:
            log.warning(warning)
        for vehicle in self.config.vehicles:
            if vehicle.attributes:
                result = self.hub.ingest(vehicle.id, vehicle.attributes, principal=principal(Door.CONFIG, "file"))
                for refused in result.errors:
                    log.error("configured attribute refused: %s", refused)
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
        for publisher in self.publishers:
            publisher.start()
        if self.config.simulation.household and self.mqtt is not None:
            self.household = HouseholdSimulator(self.mqtt, speed=self.config.simulation.speed,
                                                on_log=lambda text: self.activity.log("device", text))
            self.household.start()
            self._household_task = asyncio.create_task(self.household.run())
        for settings in self.config.can:
            link = InProcessLink(self.hub, settings.vehicle, principal(Door.GATEWAY, "can"))
            gateway = assemble(settings, link, self.hub.describe(settings.vehicle).catalog)
            self.can_gateways.append((gateway, asyncio.create_task(gateway.run(), name="can-gateway")))
        self.hub.add_command_listener(self.activity.on_command)
        self.automations.on_run.append(self.activity.on_run)
        self.automation_store.start()
        self.library.reload()
        await self.automations.start()
        self.started_at = time.time()

    async def stop(self) -> None:
        """Close the doors, write what is buffered, then release the database."""
        await self.automations.stop()
        await self.automation_store.stop()
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
            "automations": {"loaded": self.library.loaded(), "runs": self.automations.traces.runs,
                            "problems": len(self.library.problems)},
            "mqtt": None if self.devices is None or self.mqtt is None else {
                **self.devices.stats(), "connected": self.mqtt.connected, "received": self.mqtt.received,
                "vehicle_commands": sum(p.commands_received for p in self.publishers),
                "vehicle_command_errors": sum(p.command_errors for p in self.publishers)},
        }
