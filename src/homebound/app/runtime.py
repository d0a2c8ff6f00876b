"""Wiring: build the hub, its storage and recorder from a configuration, restore state, and shut down cleanly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from homebound.adapters.kuksa.server import KuksaServer
from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.adapters.mqtt.connection import MqttConnection
from homebound.adapters.mqtt.local_bus import LocalBus
from homebound.adapters.mqtt.price_feed import PriceFeed
from homebound.adapters.mqtt.vehicle_publisher import VehiclePublisher
from homebound.app.config import Config
from homebound.automations.engine import AutomationEngine
from homebound.automations.loader import load_paths
from homebound.automations.traces import Trace
from homebound.energy.service import EnergyService
from homebound.history.recorder import HistoryRecorder
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.model.catalog import Catalog
from homebound.model.geometry import Zone
from homebound.model.vss_loader import load_catalog
from homebound.simulators.household.base import SimulatedDevice
from homebound.simulators.household.runner import HouseholdSimulator
from homebound.simulators.household.site import SimulatedSite
from homebound.storage.automation_store import AutomationStore
from homebound.storage.database import Database
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)


class Runtime:
    """One running Homebound: hub, catalog, database and recorder, started and stopped together."""

    def __init__(self, config: Config, catalog: Catalog | None = None) -> None:
        self.config = config
        self.catalog = catalog or load_catalog(config.catalog.vss, config.catalog.overlays)
        self.hub = Hub(default_command_timeout=config.commands.timeout_s)
        self.database = Database(config.storage.url)
        self.store = StateStore(self.database)
        self.recorder = HistoryRecorder(self.store, flush_interval=config.storage.flush_interval_s)
        self.started_at = 0.0
        self.kuksa: KuksaServer | None = None
        self.mqtt: MqttConnection | LocalBus | None = None
        self.household: HouseholdSimulator | None = None
        #: What the demo sets before `start` so the simulated household has its scenario's sun and its car.
        self.household_devices: list[SimulatedDevice] | None = None
        self.household_site: SimulatedSite | None = None
        self._household_task: asyncio.Task[None] | None = None
        self.activity: deque[dict[str, object]] = deque(maxlen=200)
        self.map_routes: dict[str, list[tuple[float, float]]] = {}
        self.commands_ended: dict[str, int] = {}
        self.devices: HomeAssistantDevices | None = None
        self.publishers: list[VehiclePublisher] = []
        self.automation_store = AutomationStore(self.database)
        self.automations = AutomationEngine(self.hub, [], self.automation_store,
                                            debounce_s=config.automations.zone_debounce_s,
                                            trip_end_after_s=config.automations.trip_end_after_s)
        self.warnings: list[str] = []
        #: Smart charging, when charge points are configured (docs/energy.md).
        self.energy: EnergyService | None = EnergyService(self.hub, config.energy) if config.energy.charge_points \
            else None
        self.price_feed: PriceFeed | None = None
        for vehicle in config.vehicles:
            self.hub.add_vehicle(vehicle.id, self.catalog, name=vehicle.name, vin=vehicle.vin,
                                 unowned_commands=config.commands.without_provider)

    @property
    def default_vehicle(self) -> str:
        return self.config.vehicles[0].id

    async def start(self) -> None:
        """Migrate the database, restore the last state and pending commands, then start recording."""
        await asyncio.to_thread(self.database.migrate)
        self.hub.add_listener(self.recorder.on_batch)
        self.hub.add_command_listener(self.recorder.on_command)
        for vehicle in self.config.vehicles:
            snapshot = await asyncio.to_thread(self.store.load_snapshot, vehicle.id)
            self.warnings += self.hub.restore(vehicle.id, snapshot.current, snapshot.targets)
        for command in await asyncio.to_thread(self.store.load_pending_commands):
            try:
                self.hub.restore_command(command)
            except Exception as error:
                self.warnings.append(f"pending command {command.id} not restored: {error}")
        for warning in self.warnings:
            log.warning(warning)
        for vehicle in self.config.vehicles:
            if vehicle.attributes:
                result = self.hub.ingest(vehicle.id, vehicle.attributes, principal="config")
                for refused in result.errors:
                    log.error("configured attribute refused: %s", refused)
        self.recorder.start()
        if self.config.kuksa.enabled:
            kuksa = self.config.kuksa
            self.kuksa = KuksaServer(self.hub, kuksa.vehicle or self.default_vehicle, kuksa.host, kuksa.port,
                                     kuksa.tls_cert, kuksa.tls_key, kuksa.public_key)
            await self.kuksa.start()
        if self.config.mqtt.url:
            await self._start_mqtt()
        elif self.config.simulation.household:
            self.mqtt = LocalBus()
            self.devices = HomeAssistantDevices(self.hub, self.mqtt)
            self.devices.start()
        if self.config.simulation.household and self.mqtt is not None:
            speed = self.config.simulation.speed
            self.household = HouseholdSimulator(self.mqtt, self.household_devices, speed=speed,
                                                on_log=lambda text: self.log("device", text),
                                                site=self.household_site)
            self.household.start()
            # At high speed, tick often enough that a minute of simulated time is not one step.
            self._household_task = asyncio.create_task(self.household.run(interval=min(1.0, max(0.05, 10 / speed))))
        if self.energy is not None:
            self.energy.on_event = lambda text: self.log("charging", text)
            await self.energy.start()
            topic = self.config.energy.tariff.mqtt_topic
            if topic and self.mqtt is not None:
                self.price_feed = PriceFeed(self.mqtt, topic, self.energy.update_prices, self.energy.tz)
                self.price_feed.start()
        self.hub.add_command_listener(self._on_command)
        self.automations.on_run.append(self._on_run)
        self.automation_store.start()
        self.reload_automations()
        await self.automations.start()
        self.started_at = time.time()

    def reload_automations(self) -> list[str]:
        """(Re)read the configured automation files; returns every problem found (bad ones are skipped)."""
        loaded = load_paths(list(self.config.automations.files))
        zones = [*self.config.zones, *loaded.zones]
        self.automations.zones = {z.id: Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in zones}
        problems = loaded.errors + self.automations.load(loaded.automations)
        self.automations.load_errors = problems
        for problem in loaded.errors:
            log.error("automation file: %s", problem)
        return problems

    async def _start_mqtt(self) -> None:
        settings = self.config.mqtt
        assert settings.url is not None
        self.mqtt = MqttConnection(settings.url, client_id=settings.client_id,
                                   ca_file=str(settings.ca_file) if settings.ca_file else None,
                                   insecure_tls=settings.insecure_tls)
        await self.mqtt.connect()
        self.devices = HomeAssistantDevices(self.hub, self.mqtt, settings.discovery_prefix)
        self.devices.start()
        if settings.publish_vehicles:
            for vehicle in self.config.vehicles:
                publisher = VehiclePublisher(self.hub, self.mqtt, vehicle.id, settings.discovery_prefix,
                                             settings.base_topic)
                publisher.start()
                self.publishers.append(publisher)

    async def stop(self) -> None:
        """Close the doors, write what is buffered, then release the database."""
        await self.automations.stop()
        await self.automation_store.stop()
        if self.energy is not None:
            await self.energy.stop()
        if self._household_task is not None:
            self._household_task.cancel()
        for publisher in self.publishers:
            await publisher.stop()
        if self.mqtt is not None:
            await self.mqtt.close()
        if self.kuksa is not None:
            await self.kuksa.stop()
        self.hub.close()
        await self.recorder.stop()
        self.database.dispose()

    def log(self, kind: str, text: str, ts: float | None = None) -> None:
        """The activity log the demo and the web page show: automations firing, commands ending, device news."""
        self.activity.append({"ts": ts or time.time(), "kind": kind, "text": text})

    def _on_command(self, command: Command) -> None:
        if command.state.is_final:
            self.commands_ended[command.state.value] = self.commands_ended.get(command.state.value, 0) + 1
            mark = "confirmed" if command.state.value == "confirmed" else f"{command.state.value}: {command.reason}"
            self.log("command", f"{command.thing} {command.path} = {command.target!r} {mark} ({command.principal})")

    def _on_run(self, trace: Trace) -> None:
        if trace.result == "running":
            kind = trace.trigger.get("kind", "trigger")
            self.log("automation", f"{trace.automation} fired ({kind})")

    def metrics(self) -> dict[str, object]:
        return {
            "uptime_s": round(time.time() - self.started_at, 3) if self.started_at else 0.0,
            "things": len(self.hub.things()),
            "rejected_values": self.hub.rejected_values,
            "pending_commands": len(self.hub.pending_commands()),
            **self.hub.subscription_stats(),
            "history": self.recorder.stats(),
            "automations": {"loaded": len(self.automations.automations), "runs": self.automations.traces.runs,
                            "problems": len(self.automations.load_errors)},
            "mqtt": None if self.devices is None else {
                **self.devices.stats(), "connected": self.mqtt.connected if self.mqtt else False,
                "received": self.mqtt.received if self.mqtt else 0,
                "vehicle_commands": sum(p.commands_received for p in self.publishers),
                "vehicle_command_errors": sum(p.command_errors for p in self.publishers)},
            "energy": None if self.energy is None else {
                "charge_points": len(self.energy.controllers), "cycles": self.energy.cycles,
                "price_feed": None if self.price_feed is None else self.price_feed.stats()},
        }
