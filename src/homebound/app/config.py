"""The configuration file: one YAML document, validated with pydantic, every mistake named with where it is.

With no file at all, Homebound serves one vehicle, `car1`, on the built-in catalog, storing in SQLite in the
working directory. `docs/configuration.md` documents every key with an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from homebound.automations.schema import ZoneConfig
from homebound.model.errors import HomeboundError

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"


class ConfigError(HomeboundError):
    pass


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8321, ge=1, le=65535)


class StorageConfig(Strict):
    url: str = "sqlite:///homebound.db"
    flush_interval_s: float = Field(0.25, gt=0, le=60)


class CatalogConfig(Strict):
    vss: list[Path] = Field(default_factory=list, description="official VSS JSON exports; empty: built-in")
    overlays: list[Path] = Field(default_factory=list, description="custom or changed signals (JSON or YAML)")


class CommandsConfig(Strict):
    timeout_s: float = Field(30.0, gt=0, le=86_400)
    without_provider: Literal["fail", "wait"] = Field(
        "fail", description="fail: refuse a command no provider can carry out; wait: keep it pending")


class KuksaConfig(Strict):
    """The Kuksa kuksa.val v1 and v2 gRPC door."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(55555, ge=0, le=65535, description="0: any free port (logged at start)")
    tls_cert: Path | None = None
    tls_key: Path | None = None
    public_key: Path | None = Field(None, description="PEM key that verifies JWTs; none: no authorization")
    vehicle: str | None = Field(None, description="the vehicle clients see without a token naming one")

    @model_validator(mode="after")
    def _tls_pair(self) -> KuksaConfig:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")
        return self


class MqttConfig(Strict):
    """The MQTT door: household devices by Home Assistant discovery, and the car published to Home Assistant."""

    url: str | None = Field(None, description="mqtt://[user:password@]host[:port] or mqtts://...; none: no MQTT")
    discovery_prefix: str = "homeassistant"
    base_topic: str = Field("homebound", description="where the car's states and commands live")
    client_id: str | None = None
    ca_file: Path | None = Field(None, description="CA certificate for mqtts:// (default: the system's)")
    insecure_tls: bool = False
    publish_vehicles: bool = True

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("mqtt://", "mqtts://")):
            raise ValueError("must start with mqtt:// or mqtts://")
        return url


class AutomationsConfig(Strict):
    files: list[Path] = Field(default_factory=list, description="YAML files or folders of automations")
    zone_debounce_s: float = Field(30.0, ge=0, description="how long a zone change must hold before it counts")
    trip_end_after_s: float = Field(180.0, gt=0, description="standing still this long ends a trip")


class SimulationConfig(Strict):
    """Stand-ins for hardware, for demos and trials: the household's devices in-process (without a broker)."""

    household: bool = Field(False, description="simulate the household's devices (on MQTT if configured, "
                                               "else in-process)")
    speed: float = Field(1.0, gt=0, le=1000, description="simulated seconds per real second")


class ClusterConfig(Strict):
    """A fleet: doors and workers sharing the cars over NATS JetStream and PostgreSQL (docs/cluster.md)."""

    url: str | None = Field(None, description="nats://host:4222 of the cluster; none: one box, no NATS")
    name: str = Field("homebound", pattern=r"^[A-Za-z0-9_-]{1,32}$",
                      description="several clusters can share one NATS under different names")
    partitions: int | None = Field(None, ge=1, le=1024,
                                   description="fixed when the cluster is created (default 16); checked after")
    lease_ttl_s: float | None = Field(None, ge=1, le=300,
                                      description="how long a dead worker's partitions wait (default 5 s)")
    worker_id: str | None = Field(None, pattern=_ID_PATTERN, description="default: host, process and a random tag")

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("nats://", "tls://")):
            raise ValueError("must start with nats:// or tls://")
        return url


class VehicleConfig(Strict):
    id: str = Field(pattern=_ID_PATTERN)
    name: str | None = None
    vin: str | None = Field(None, min_length=17, max_length=17)
    attributes: dict[str, bool | int | float | str | list[str]] = Field(default_factory=dict)


class Config(Strict):
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    catalog: CatalogConfig = CatalogConfig()
    commands: CommandsConfig = CommandsConfig()
    kuksa: KuksaConfig = KuksaConfig()
    mqtt: MqttConfig = MqttConfig()
    automations: AutomationsConfig = AutomationsConfig()
    zones: list[ZoneConfig] = Field(default_factory=list)
    simulation: SimulationConfig = SimulationConfig()
    cluster: ClusterConfig = ClusterConfig()
    vehicles: list[VehicleConfig] = Field(default_factory=lambda: [VehicleConfig(id="car1")])

    @field_validator("vehicles")
    @classmethod
    def _unique_ids(cls, vehicles: list[VehicleConfig]) -> list[VehicleConfig]:
        if not vehicles:
            raise ValueError("at least one vehicle is needed")
        seen: set[str] = set()
        for vehicle in vehicles:
            if vehicle.id in seen:
                raise ValueError(f"vehicle id {vehicle.id!r} appears twice")
            seen.add(vehicle.id)
        return vehicles

    @model_validator(mode="after")
    def _kuksa_vehicle_known(self) -> Config:
        ids = [v.id for v in self.vehicles]
        if self.kuksa.vehicle is not None and self.kuksa.vehicle not in ids:
            raise ValueError(f"kuksa.vehicle {self.kuksa.vehicle!r} is not one of the vehicles ({', '.join(ids)})")
        return self


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file; None gives the defaults."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of sections, not {type(document).__name__}")
    try:
        config = Config.model_validate(document)
    except ValidationError as error:
        problems = "\n".join(f"  {_location(tuple(e['loc']))}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"{path}: invalid configuration:\n{problems}") from None
    base = path.parent
    catalog = CatalogConfig(vss=[_resolve(base, p) for p in config.catalog.vss],
                            overlays=[_resolve(base, p) for p in config.catalog.overlays])
    kuksa = config.kuksa.model_copy(update={
        key: _resolve(base, value) for key in ("tls_cert", "tls_key", "public_key")
        if (value := getattr(config.kuksa, key)) is not None})
    mqtt = config.mqtt.model_copy(update={"ca_file": _resolve(base, config.mqtt.ca_file)} if config.mqtt.ca_file
                                  else {})
    automations = config.automations.model_copy(update={"files": [_resolve(base, p) for p in config.automations.files]})
    return config.model_copy(update={"catalog": catalog, "kuksa": kuksa, "mqtt": mqtt, "automations": automations})


def _resolve(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else base / path
