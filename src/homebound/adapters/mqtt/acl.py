"""Who may publish and read what on the household's Mosquitto: a plan of accounts, checked, turned into an ACL.

Without it any client of the broker can publish `<base>/car1/set/lock UNLOCK`. The plan names the hub's account,
the service accounts (Home Assistant, scripts) and each device with the topics it publishes (its state,
availability and discovery topics) and the topics it reads (its commands). From it come Mosquitto's `acl_file`
and the `mosquitto.conf` lines that turn anonymous access off:

- the hub reads and writes `<base>/#`, reads discovery (`<prefix>/#`), writes each vehicle's discovery topics,
  reads every device's topics and writes every device's command topics (and what its plan adds: OwnTracks...);
- a device writes only its own topics and reads only its own command topics (and `<prefix>/status`, to
  announce itself again when Home Assistant restarts);
- only the hub and services given `car_commands` may publish the car's command topics `<base>/+/set/#`; services
  given `device_commands` may publish the devices' command topics; no one else writes under `<base>/`;
- a topic one account publishes is never one another account publishes or reads commands on: a plan where a
  device could speak for the car or for another device is refused, naming both and the topics.

Topic filters are checked as MQTT defines them and refused if they hold control characters, so nothing in a plan
(or a device's discovery, when the plan comes from a running hub) can add lines to the generated files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from homebound.model.errors import HomeboundError
from homebound.model.yaml_text import parse_yaml

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_FILTER_CHARS = 512
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AclError(HomeboundError):
    """A plan that would not lock the broker down as it says: the message names the account and the topics."""


def check_filter(text: str) -> str:
    """`text` if it is a valid MQTT topic filter that is safe on one line of an ACL file; else ValueError."""
    if not text or len(text) > MAX_FILTER_CHARS:
        raise ValueError(f"topic filter must be 1 to {MAX_FILTER_CHARS} characters, not {len(text)}")
    if _CONTROL.search(text) or text != text.strip():
        raise ValueError(f"topic filter {text[:60]!r} holds control characters or surrounding spaces")
    levels = text.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise ValueError(f"topic filter {text!r}: '#' must be a whole level, and the last")
        if "+" in level and level != "+":
            raise ValueError(f"topic filter {text!r}: '+' must be a whole level")
    return text


def filters_intersect(first: str, second: str) -> bool:
    """Whether some topic matches both filters (`a/#` also matches `a`, `+` exactly one level)."""
    a, b = first.split("/"), second.split("/")
    for index in range(max(len(a), len(b)) + 1):
        a_level = a[index] if index < len(a) else None
        b_level = b[index] if index < len(b) else None
        if a_level == "#" or b_level == "#":
            return True
        if a_level is None or b_level is None:
            return a_level is None and b_level is None
        if a_level != b_level and "+" not in (a_level, b_level):
            return False
    return True


def _overlaps(ours: Iterable[str], theirs: Iterable[str]) -> list[tuple[str, str]]:
    theirs = list(theirs)
    return [(a, b) for a in ours for b in theirs if filters_intersect(a, b)]


class _Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _filters(values: list[str]) -> list[str]:
    return [check_filter(value) for value in values]


class Account(_Plan):
    username: str = Field(description="the MQTT user name (letters, digits, '.', '_', '-'; at most 64)")

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME.fullmatch(value):
            raise ValueError(f"user name {value[:70]!r} must be letters, digits, '.', '_' or '-' (at most 64, "
                             "starting with a letter or digit)")
        return value


class HubAccount(Account):
    """The hub's own login; `read` and `write` add the topics of its other MQTT parts (OwnTracks, ESPresense,
    a price feed), since the plan cannot know which of them run."""

    username: str = "homebound"
    read: list[str] = Field(default_factory=list, description="more topic filters it subscribes to")
    write: list[str] = Field(default_factory=list, description="more topic filters it publishes to")

    @field_validator("read", "write")
    @classmethod
    def _topics(cls, values: list[str]) -> list[str]:
        return _filters(values)


class ServiceAccount(Account):
    """A program with a login of its own: Home Assistant, a script, a bridge."""

    read: list[str] = Field(default_factory=lambda: ["#"], description="topic filters it may subscribe to")
    write: list[str] = Field(default_factory=list, description="topic filters it may publish to, besides commands")
    car_commands: bool = Field(False, description="may publish the car's command topics <base>/+/set/#")
    device_commands: bool = Field(False, description="may publish every device's command topics")

    @field_validator("read", "write")
    @classmethod
    def _topics(cls, values: list[str]) -> list[str]:
        return _filters(values)


class DeviceAccount(Account):
    """One device (or one bridge of devices, such as zigbee2mqtt) and its topics."""

    publishes: list[str] = Field(min_length=1, description="its state, availability and discovery topics")
    commands: list[str] = Field(default_factory=list, description="the command topics it reads")

    @field_validator("publishes", "commands")
    @classmethod
    def _topics(cls, values: list[str]) -> list[str]:
        return _filters(values)


class AclPlan(_Plan):
    """Everything `homebound mqtt acl` needs; see docs/security.md for an example."""

    base_topic: str = Field("homebound", description="the hub's mqtt.base_topic")
    discovery_prefix: str = Field("homeassistant", description="the hub's mqtt.discovery_prefix")
    vehicles: list[str] = Field(default_factory=lambda: ["car1"], description="the hub's vehicle ids")
    hub: HubAccount = Field(default_factory=HubAccount)
    services: list[ServiceAccount] = Field(default_factory=list)
    devices: list[DeviceAccount] = Field(default_factory=list)

    @field_validator("base_topic", "discovery_prefix")
    @classmethod
    def _level(cls, value: str) -> str:
        check_filter(value)
        if "+" in value or "#" in value or not value:
            raise ValueError(f"{value!r} must be a plain topic, without wildcards")
        return value

    @field_validator("vehicles")
    @classmethod
    def _vehicles(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value or "/" in value or "+" in value or "#" in value or _CONTROL.search(value):
                raise ValueError(f"vehicle id {value[:60]!r} cannot be one topic level")
        return values

    @model_validator(mode="after")
    def _locked_down(self) -> AclPlan:
        names = [self.hub.username, *(s.username for s in self.services), *(d.username for d in self.devices)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"user names must be unique; repeated: {', '.join(repeated)}")
        for device in self.devices:  # speaking for the car first: it is the worse of the two
            problem = self._reserved_problem(device)
            if problem:
                raise ValueError(problem)
        for device in self.devices:
            problem = self.device_problem(device)
            if problem:
                raise ValueError(problem)
        for service in self.services:
            self._check_service(service)
        return self

    # ---- what belongs to whom -----------------------------------------------------------------------------

    @property
    def car_commands(self) -> str:
        return f"{self.base_topic}/+/set/#"

    def vehicle_discovery(self) -> list[str]:
        """The car's discovery topics, in the device-based form and the per-component form."""
        return [topic for vehicle in self.vehicles for topic in (
            f"{self.discovery_prefix}/device/homebound_{vehicle}/config",
            f"{self.discovery_prefix}/+/homebound_{vehicle}/+/config")]

    def reserved_topics(self) -> list[str]:
        """Topics only the hub publishes: the car's states and commands, its status, the vehicles' discovery."""
        return [f"{self.base_topic}/#", f"{self.discovery_prefix}/status", *self.vehicle_discovery()]

    def device_problem(self, device: DeviceAccount, others: Iterable[DeviceAccount] | None = None) -> str | None:
        """Why `device` cannot be given its topics (it could speak for the car or another device), or None.

        `others` are the devices to compare with (default: the plan's)."""
        reserved = self._reserved_problem(device)
        if reserved:
            return reserved
        for other in self.devices if others is None else others:
            if other.username == device.username:
                continue
            clash = _overlaps(device.publishes + device.commands, other.publishes + other.commands)
            if clash:
                mine, theirs = clash[0]
                return (f"devices {device.username!r} and {other.username!r} share topics ({mine!r} overlaps "
                        f"{theirs!r}): each device gets topics of its own")
        return None

    def _reserved_problem(self, device: DeviceAccount) -> str | None:
        reserved = _overlaps(device.publishes, self.reserved_topics())
        if reserved:
            mine, theirs = reserved[0]
            return (f"device {device.username!r} would publish {mine!r}, which overlaps {theirs!r}: only the hub "
                    "publishes the car's topics")
        for topic in device.commands:
            if filters_intersect(topic, f"{self.base_topic}/#"):
                return (f"device {device.username!r} would read {topic!r}, under the car's {self.base_topic}/: "
                        "a device reads only its own command topics")
        return None

    def _check_service(self, service: ServiceAccount) -> None:
        car = _overlaps(service.write, [f"{self.base_topic}/#"])
        if car:
            raise ValueError(f"service {service.username!r} would publish {car[0][0]!r} under the car's "
                             f"{self.base_topic}/: give it car_commands: true to let it command the car; only the "
                             "hub publishes the car's states")
        for device in self.devices:
            spoof = _overlaps(service.write, device.publishes)
            if spoof:
                raise ValueError(f"service {service.username!r} would publish {spoof[0][0]!r}, a topic of device "
                                 f"{device.username!r}: only the device publishes its own topics")

    # ---- the ACL ------------------------------------------------------------------------------------------

    def rules(self) -> dict[str, list[tuple[str, str]]]:
        """user -> [(access, topic filter)], access being read, write or readwrite."""
        device_topics = [t for d in self.devices for t in d.publishes]
        device_commands = [t for d in self.devices for t in d.commands]
        rules: dict[str, list[tuple[str, str]]] = {self.hub.username: [
            ("readwrite", f"{self.base_topic}/#"), ("read", f"{self.discovery_prefix}/#"),
            *(("write", t) for t in self.vehicle_discovery()),
            *(("read", t) for t in device_topics), *(("write", t) for t in device_commands),
            *(("read", t) for t in self.hub.read), *(("write", t) for t in self.hub.write)]}
        for service in self.services:
            rules[service.username] = [
                *(("read", t) for t in service.read), *(("write", t) for t in service.write),
                *([("write", self.car_commands)] if service.car_commands else []),
                *(("write", t) for t in (device_commands if service.device_commands else []))]
        for device in self.devices:
            rules[device.username] = [*(("readwrite", t) for t in device.publishes),
                                      *(("read", t) for t in device.commands),
                                      ("read", f"{self.discovery_prefix}/status")]
        return {user: list(dict.fromkeys(lines)) for user, lines in rules.items()}

    def accounts(self) -> list[str]:
        return list(self.rules())


def acl_file(plan: AclPlan, source: str) -> str:
    """Mosquitto's `acl_file`: no rule before the first `user` line, so an anonymous client may do nothing."""
    lines = [f"# Mosquitto ACL written by `homebound mqtt acl` from {source}; write the plan, not this file.",
             "# No anonymous rules: anonymous clients are refused (allow_anonymous false) and could do nothing.", ""]
    for user, rules in plan.rules().items():
        lines.append(f"user {user}")
        lines += [f"topic {access} {topic}" for access, topic in rules]
        lines.append("")
    return "\n".join(lines)


def mosquitto_conf(password_path: str, acl_path: str) -> str:
    """The lines that lock a Mosquitto down: include them in its configuration (before or after its listeners,
    with the default `per_listener_settings false`)."""
    for path in (password_path, acl_path):
        if _CONTROL.search(path):
            raise AclError(f"path {path[:60]!r} holds control characters")
    return ("# Written by `homebound mqtt acl`.\n"
            "allow_anonymous false\n"
            f"password_file {password_path}\n"
            f"acl_file {acl_path}\n")


def _location(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or "(top)"


def validate_plan(document: object, source: str) -> AclPlan:
    """An `AclPlan` from parsed YAML or JSON; AclError names each problem with where it is."""
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise AclError(f"{source}: an ACL plan is a mapping (base_topic, hub, services, devices...), not "
                       f"{type(document).__name__}")
    try:
        return AclPlan.model_validate(document)
    except ValidationError as error:
        problems = "\n".join(f"  {_location(tuple(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                             for e in error.errors()[:20])
        raise AclError(f"{source}: invalid ACL plan:\n{problems}") from None


def load_plan(path: Path) -> AclPlan:
    """Read a plan file (YAML, read with bounded work)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AclError(f"{path}: cannot read the ACL plan: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = parse_yaml(text).document
    except yaml.YAMLError as error:
        raise AclError(f"{path}: not valid YAML: {str(error)[:300]}") from None
    return validate_plan(document, str(path))
