"""The configuration file: one YAML document, validated with pydantic, every mistake named with where it is.

With no file at all, Homebound serves one vehicle, `car1`, on the built-in catalog, storing in SQLite in the
working directory. `docs/configuration.md` documents every key with an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from homebound.adapters.can.runner import CanGatewaySettings
from homebound.automations.schema import ZoneConfig
from homebound.energy.config import EnergyConfig
from homebound.history.config import HistoryConfig
from homebound.hub.safety import SafetyConfig
from homebound.model.errors import HomeboundError
from homebound.model.limits import Limits
from homebound.model.yaml_text import parse_yaml
from homebound.presence.config import MemberConfig, PhoneKeyConfig, PresenceConfig

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
    durability: Literal["durable", "buffered"] = Field(
        "durable", description="durable: a write is acknowledged once it is committed; buffered: at once, and a "
                               "crash can lose up to flush_interval_s of acknowledged values")
    flush_interval_s: float = Field(0.25, gt=0, le=60, description="how often buffered writes are committed")
    commit_timeout_s: float = Field(5.0, gt=0, le=300, description="a door waits this long for a commit, then "
                                                                   "answers 503")
    read_timeout_s: float = Field(5.0, gt=0, le=300, description="history and command reads give up (503) after")


class LimitsConfig(Strict):
    """How much work one request may cause (see model/limits.py)."""

    max_value_chars: int = Field(65_536, ge=1, le=16_777_216)
    max_array_items: int = Field(10_000, ge=1, le=10_000_000)
    max_batch: int = Field(10_000, ge=1, le=10_000_000)
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, le=1024**3)
    max_patterns: int = Field(1_000, ge=1, le=1_000_000)
    max_wildcards: int = Field(20, ge=1, le=10_000)
    max_suggested: int = Field(10, ge=0, le=10_000)

    def limits(self) -> Limits:
        return Limits(**self.model_dump())


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
    client_id: str | None = Field(None, description="default: homebound-<host>-<storage>, stable across restarts")
    persistent_session: bool = Field(True, description="the broker keeps QoS 1 messages for the hub while it is "
                                                       "away (needs a stable client id)")
    ca_file: Path | None = Field(None, description="CA certificate for mqtts:// (default: the system's)")
    insecure_tls: bool = False
    publish_vehicles: bool = True
    discovery_form: Literal["device", "component", "both"] = Field(
        "device", description="how the car is announced to Home Assistant: one device message (HA 2024.11+), "
                              "one message per component (every version), or both")

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("mqtt://", "mqtts://")):
            raise ValueError("must start with mqtt:// or mqtts://")
        return url


class AutomationsConfig(Strict):
    files: list[Path] = Field(default_factory=list, description="YAML files or folders of automations")
    zone_debounce_s: float = Field(30.0, ge=0, description="how long a zone change must hold before it counts")
    trip_end_after_s: float = Field(180.0, gt=0, description="for a car that reports no gear: standing still "
                                                             "this long ends a drive (history.drives."
                                                             "end_after_stationary_s wins when set)")


class SimulationConfig(Strict):
    """Stand-ins for hardware, for demos and trials: the household's devices in-process (without a broker)."""

    household: bool = Field(False, description="simulate the household's devices (on MQTT if configured, "
                                               "else in-process)")
    speed: float = Field(1.0, gt=0, le=5000, description="simulated seconds per real second")


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
    energy: EnergyConfig = EnergyConfig()
    limits: LimitsConfig = LimitsConfig()
    safety: SafetyConfig = Field(default_factory=SafetyConfig,
                                 description="make the safety interlocks stricter (docs/configuration.md)")
    can: list[CanGatewaySettings] = Field(default_factory=list, description="CAN gateways run beside the hub")
    history: HistoryConfig = HistoryConfig()
    cluster: ClusterConfig = ClusterConfig()
    vehicles: list[VehicleConfig] = Field(default_factory=lambda: [VehicleConfig(id="car1")])
    people: list[MemberConfig] = Field(default_factory=list, description="the household's members and their phones")
    presence: PresenceConfig = PresenceConfig()
    phone_key: PhoneKeyConfig | None = Field(None, description="the phone as the car's key; off unless set")

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
    def _people_known(self) -> Config:
        ids = [m.id for m in self.people]
        if len(set(ids)) != len(ids):
            raise ValueError(f"people: a member id appears twice ({', '.join(sorted(ids))})")
        phones = [(p.user, p.device) for m in self.people for p in m.phones]
        if len(set(phones)) != len(phones):
            raise ValueError("people: a phone (user and device) belongs to two members")
        tags = [t for m in self.people for t in m.tags]
        if len(set(tags)) != len(tags):
            raise ValueError("people: a Bluetooth tag belongs to two members")
        vehicles = [v.id for v in self.vehicles]
        stations = [s.id for s in self.presence.stations]
        for station in self.presence.stations:
            if station.vehicle is not None and station.vehicle not in vehicles:
                raise ValueError(f"presence.stations: {station.id!r} names vehicle {station.vehicle!r}, which is "
                                 f"not one of the vehicles ({', '.join(vehicles)})")
        key = self.phone_key
        if key is not None:
            if key.vehicle not in vehicles:
                raise ValueError(f"phone_key.vehicle {key.vehicle!r} is not one of the vehicles "
                                 f"({', '.join(vehicles)})")
            unknown = [m for m in key.members if m not in ids]
            if unknown:
                raise ValueError(f"phone_key.members: {', '.join(unknown)} not among people "
                                 f"({', '.join(ids) or 'none'})")
            missing = [s for s in key.stations if s not in stations]
            if missing:
                raise ValueError(f"phone_key.stations: {', '.join(missing)} not among presence.stations "
                                 f"({', '.join(stations) or 'none'})")
        return self

    @model_validator(mode="after")
    def _kuksa_vehicle_known(self) -> Config:
        ids = [v.id for v in self.vehicles]
        if self.kuksa.vehicle is not None and self.kuksa.vehicle not in ids:
            raise ValueError(f"kuksa.vehicle {self.kuksa.vehicle!r} is not one of the vehicles ({', '.join(ids)})")
        for point in self.energy.charge_points:
            if point.vehicle is not None and point.vehicle not in ids:
                raise ValueError(f"energy.charge_points {point.name!r}: vehicle {point.vehicle!r} is not one of the "
                                 f"vehicles ({', '.join(ids)})")
        if self.energy.tariff.mqtt_topic and not (self.mqtt.url or self.simulation.household):
            raise ValueError("energy.tariff.mqtt_topic needs MQTT (mqtt.url, or simulation.household in-process)")
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
        document = parse_yaml(text).document
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of sections, not {type(document).__name__}")
    try:
        config = Config.model_validate(document)
    except ValidationError as error:
        problems = "\n".join(f"  {_location(tuple(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                             for e in error.errors())
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
