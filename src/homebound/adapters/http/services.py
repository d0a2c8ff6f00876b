"""What the HTTP door needs from the rest of Homebound, one narrow protocol per service.

The HTTP adapter never imports the application that wires it: it is given an `HttpServices` whose parts satisfy
these protocols (the hub itself, history queries, the automation library, the device directory, the system's
status and the web page's activity feed), and builds its own response shapes from what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from homebound.automations.traces import Trace
from homebound.energy.service import ChargingControl
from homebound.history.session_queries import SessionQueries
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.model.catalog import Catalog
from homebound.model.geometry import Zone


class HistoryService(Protocol):
    async def values(self, thing: str, path: str, since: float | None, until: float | None,
                     limit: int) -> list[tuple[float, object, str]]:
        """Past values of one datapoint, oldest first, as (ts, value, principal); what is buffered included."""

    async def stored_command(self, command_id: str) -> Command | None:
        """A command the hub no longer keeps in memory, from the database."""


class AutomationService(Protocol):
    @property
    def problems(self) -> list[str]: ...

    def summary(self) -> list[dict[str, object]]: ...

    def zones(self) -> list[Zone]: ...

    def traces(self, automation_id: str) -> list[Trace]:
        """Newest first; HomeboundError naming the known automations when the id is unknown."""

    def reload(self) -> list[str]:
        """Re-read the automation files; returns every problem found."""

    def loaded(self) -> int: ...


class DeviceView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def info(self) -> Mapping[str, object]: ...
    @property
    def online(self) -> bool: ...
    @property
    def entities(self) -> Sequence[str]: ...
    @property
    def errors(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def publish_topics(self) -> Sequence[str]: ...
    @property
    def command_topics(self) -> Sequence[str]: ...


class DevicePicture(Protocol):
    @property
    def data(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...
    @property
    def reference(self) -> str: ...


class DeviceDirectory(Protocol):
    def device_ids(self) -> list[str]: ...

    def device(self, device_id: str) -> DeviceView | None: ...

    def image(self, device_id: str, path: str) -> DevicePicture | None:
        """The last picture of a camera or image datapoint (whose value is only a reference to it)."""


class PhoneService(Protocol):
    def on_owntracks(self, user: str, device: str, payload: bytes, via: Literal["mqtt", "http"],
                     now: float | None = None) -> list[dict[str, object]]:
        """One OwnTracks message; the messages its protocol answers."""

    def only_phone_of(self, user: str) -> str | None:
        """The device name of the user's only phone (None: several or none)."""

    def people(self) -> list[dict[str, object]]:
        """Each member with presence, for listing."""


class SystemStatus(Protocol):
    @property
    def default_vehicle(self) -> str: ...

    def metrics(self) -> dict[str, object]: ...


class ActivityFeed(Protocol):
    def recent(self, limit: int) -> list[dict[str, object]]: ...

    def routes(self) -> dict[str, list[tuple[float, float]]]: ...


class Lifecycle(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class HttpServices:
    """Everything the routes use; built by the application."""

    hub: Hub
    catalog: Catalog
    system: SystemStatus
    history: HistoryService
    automations: AutomationService
    activity: ActivityFeed
    sessions: SessionQueries | None
    """The car's story; None where this hub does not keep it (a fleet door)."""
    devices: DeviceDirectory | None = None
    energy: ChargingControl | None = None
    phones: PhoneService | None = None
