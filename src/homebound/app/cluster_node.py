"""One node of a cluster: the doors (REST, WebSocket, Kuksa gRPC) on a hub that relays every car, and a worker.

`homebound serve --cluster` runs both; `homebound worker` runs the worker alone. The two roles have a hub each,
even in one process: the doors' hub keeps nothing (every write goes through the cluster's input log, so its order
and durability are the same whichever door it came in by), the worker's hub keeps the cars of its partitions.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid

from homebound.adapters.http.activity import ActivityLog
from homebound.adapters.http.services import HttpServices
from homebound.adapters.kuksa.server import KuksaServer
from homebound.app.config import Config
from homebound.automations.traces import Trace
from homebound.cluster.automations import WorkerAutomations
from homebound.cluster.connection import ClusterLink, open_cluster
from homebound.cluster.layout import ClusterError, ClusterLayout
from homebound.cluster.relay import ClusterRelay
from homebound.cluster.worker import Worker
from homebound.history.queries import HistoryQueries
from homebound.history.recorder import HistoryRecorder
from homebound.hub.reading import ThingKind
from homebound.hub.relay import RelayingHub
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError
from homebound.model.geometry import Zone
from homebound.model.vss_loader import load_catalog
from homebound.storage.automation_store import AutomationStore
from homebound.storage.database import Database
from homebound.storage.partition_store import PartitionStore
from homebound.storage.state_store import StateStore

log = logging.getLogger(__name__)


def node_name(role: str) -> str:
    return f"{role}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class ClusterNode:
    """Doors and/or a worker of one cluster, started and stopped together."""

    def __init__(self, config: Config, *, doors: bool, worker: bool, catalog: Catalog | None = None) -> None:
        if config.cluster.url is None:
            raise ClusterError("no cluster given: --cluster nats://HOST:4222")
        self.config = config
        self.layout = ClusterLayout(config.cluster.name)
        self.catalog = catalog or load_catalog(config.catalog.vss, config.catalog.overlays)
        self.database = Database(config.storage.url)
        if self.database.dialect != "postgresql":
            raise ClusterError("a cluster keeps its state in PostgreSQL: give --storage postgresql://...")
        self.store = StateStore(self.database)
        self.recorder = HistoryRecorder(self.store)
        self.history = HistoryQueries(self.recorder, self.store)
        self.activity = ActivityLog()
        self.door_hub = self._hub() if doors else None
        self.worker_hub = self._hub() if worker else None
        self.door_id = node_name("door")
        self.worker_id = config.cluster.worker_id or node_name("worker")
        self.door_link: ClusterLink | None = None
        self.worker_link: ClusterLink | None = None
        self.relay: ClusterRelay | None = None
        self.worker: Worker | None = None
        self.automations: WorkerAutomations | None = None
        self.kuksa: KuksaServer | None = None
        self.started_at = 0.0

    def _hub(self) -> RelayingHub:
        hub = RelayingHub(default_command_timeout=self.config.commands.timeout_s, limits=self.config.limits.limits(),
                          safety=self.config.safety.interlocks())
        for vehicle in self.config.vehicles:
            hub.add_vehicle(vehicle.id, self.catalog, name=vehicle.name, vin=vehicle.vin,
                            unowned_commands=self.config.commands.without_provider)
        return hub

    @property
    def default_vehicle(self) -> str:
        return self.config.vehicles[0].id

    async def _open(self, role: str) -> ClusterLink:
        cluster = self.config.cluster
        assert cluster.url is not None
        return await open_cluster(cluster.url, self.layout, client_name=f"homebound-{role}",
                                  partitions=cluster.partitions, lease_ttl_s=cluster.lease_ttl_s)

    async def start(self) -> None:
        await asyncio.to_thread(self.database.migrate)
        if self.worker_hub is not None:
            self.worker_link = await self._open("worker")
            store = PartitionStore(self.database, self.worker_link.facts.id)
            self.worker = Worker(self.worker_link, self.worker_hub, store, self.worker_id)
            settings = self.config.automations
            self.automations = WorkerAutomations(
                self.worker_hub, AutomationStore(self.database), list(settings.files), list(self.config.zones),
                self.worker_link.facts.partitions, debounce_s=settings.zone_debounce_s)
            self.worker.on_ownership.append(self.automations.kept_changed)
            self.automations.start()
            await self.worker.start()
        if self.door_hub is not None:
            self.door_link = await self._open("door")
            self.relay = ClusterRelay(self.door_link, self.door_hub, self.door_id)
            self.door_hub.attach(self.relay)
            for thing in self.door_hub.thing_ids(ThingKind.VEHICLE):
                self.door_hub.relay_thing(thing)
            await self.relay.start()
            self.door_hub.add_command_listener(self.activity.on_command)
            if self.config.kuksa.enabled:
                kuksa = self.config.kuksa
                self.kuksa = KuksaServer(self.door_hub, kuksa.vehicle or self.default_vehicle, kuksa.host,
                                         kuksa.port, kuksa.tls_cert, kuksa.tls_key, kuksa.public_key)
                await self.kuksa.start()
        self.started_at = time.time()

    async def stop(self) -> None:
        """Close the doors, hand the worker's partitions over, then let go of NATS and the database."""
        if self.kuksa is not None:
            await self.kuksa.stop()
        if self.relay is not None:
            await self.relay.stop()
        if self.automations is not None:
            await self.automations.stop()
        if self.worker is not None:
            await self.worker.stop()
        for link in (self.door_link, self.worker_link):
            if link is not None:
                await link.close()
        for hub in (self.door_hub, self.worker_hub):
            if hub is not None:
                hub.close()
        self.database.dispose()

    # ---- what the HTTP door is given ----------------------------------------------------------------------

    def http_services(self) -> HttpServices:
        if self.door_hub is None:
            raise HomeboundError("this node runs no doors")
        return HttpServices(hub=self.door_hub, catalog=self.catalog, system=self, history=self.history,
                            automations=_AutomationsAtWorkers(self.config), activity=self.activity, sessions=None)

    def metrics(self) -> dict[str, object]:
        return {
            "uptime_s": round(time.time() - self.started_at, 3) if self.started_at else 0.0,
            "things": len(self.config.vehicles),
            "cluster": {
                "name": self.layout.name,
                "partitions": None if self.door_link is None and self.worker_link is None else (
                    (self.door_link or self.worker_link).facts.partitions),  # type: ignore[union-attr]
                "door": None if self.relay is None or self.door_hub is None else {
                    "id": self.door_id, **self.relay.stats(), "rejected_values": self.door_hub.rejected_values,
                    **self.door_hub.subscription_stats()},
                "worker": None if self.worker is None else self.worker.status() | {"latency_histogram": None},
                "automations": None if self.automations is None else self.automations.stats(),
            },
        }


class _AutomationsAtWorkers:
    """What the doors say about automations: they run on the workers, next to the cars they watch."""

    def __init__(self, config: Config) -> None:
        self._zones = [Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in config.zones]

    @property
    def problems(self) -> list[str]:
        return []

    def summary(self) -> list[dict[str, object]]:
        return []

    def zones(self) -> list[Zone]:
        return list(self._zones)

    def traces(self, automation_id: str) -> list[Trace]:
        raise HomeboundError(f"automation {automation_id!r}: in a cluster automations run on the workers, and their "
                             "traces are kept there (homebound cluster status shows the workers)")

    def reload(self) -> list[str]:
        return ["in a cluster, restart the workers to reload automations"]

    def loaded(self) -> int:
        return 0
