"""The gRPC server carrying the Kuksa APIs (kuksa.val v1 and v2, sdv.databroker.v1) on one port, with TLS when a
certificate and key are configured."""

from __future__ import annotations

import logging
from pathlib import Path

import grpc
from kuksa.val.v1 import val_pb2_grpc as v1_grpc
from kuksa.val.v2 import val_pb2_grpc as v2_grpc

from homebound.adapters.kuksa.auth import KuksaAuthorizer
from homebound.adapters.kuksa.common import KuksaContext
from homebound.adapters.kuksa.sdv_stubs import broker_pb2_grpc, collector_pb2_grpc
from homebound.adapters.kuksa.service_sdv_broker import SdvBrokerService
from homebound.adapters.kuksa.service_sdv_collector import SdvCollectorService
from homebound.adapters.kuksa.service_v1 import KuksaV1Service
from homebound.adapters.kuksa.service_v2 import KuksaV2Service
from homebound.hub.core import Hub
from homebound.hub.reading import ThingKind
from homebound.model.errors import HomeboundError

log = logging.getLogger(__name__)


class KuksaServerError(HomeboundError):
    pass


class KuksaServer:
    """kuksa.val v1 and v2 and sdv.databroker.v1 for the hub's vehicles; a client sees one vehicle (the default, or
    its token's)."""

    def __init__(self, hub: Hub, default_vehicle: str, host: str = "127.0.0.1", port: int = 55555,
                 tls_cert: Path | None = None, tls_key: Path | None = None, public_key: Path | None = None) -> None:
        self.hub = hub
        self.host = host
        self.port = port
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        key_text = _read(public_key, "public key") if public_key else None
        vehicles = hub.thing_ids(ThingKind.VEHICLE)
        self.shared = KuksaContext(hub, KuksaAuthorizer(key_text, default_vehicle, vehicles))
        self._server: grpc.aio.Server | None = None
        self.bound_port = 0

    async def start(self) -> None:
        server = grpc.aio.server()
        v1_grpc.add_VALServicer_to_server(KuksaV1Service(self.shared), server)
        v2_grpc.add_VALServicer_to_server(KuksaV2Service(self.shared), server)
        broker_pb2_grpc.add_BrokerServicer_to_server(SdvBrokerService(self.shared), server)
        collector_pb2_grpc.add_CollectorServicer_to_server(SdvCollectorService(self.shared), server)
        address = f"{self.host}:{self.port}"
        try:
            if self.tls_cert and self.tls_key:
                credentials = grpc.ssl_server_credentials(
                    [(_read(self.tls_key, "TLS key").encode(), _read(self.tls_cert, "TLS certificate").encode())])
                self.bound_port = server.add_secure_port(address, credentials)
            else:
                self.bound_port = server.add_insecure_port(address)
        except RuntimeError as error:
            raise KuksaServerError(f"Kuksa gRPC: cannot listen on {address}: {error}") from None
        if not self.bound_port:
            raise KuksaServerError(f"Kuksa gRPC: cannot listen on {address} (is the port in use?)")
        await server.start()
        self._server = server
        log.debug("Kuksa kuksa.val v1 and v2, sdv.databroker.v1 on %s:%d%s", self.host, self.bound_port,
                 " (TLS)" if self.tls_cert else "")

    async def stop(self, grace: float = 1.0) -> None:
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise KuksaServerError(f"Kuksa gRPC: cannot read {what} {path}: {error.strerror or error}") from None
