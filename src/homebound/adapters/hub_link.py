"""How a car gateway (CAN, OBD-II) reaches the hub: in-process (a `Hub` object) or over REST, behind one small protocol.

The gateway stays an adapter: it hands batches of current values to a `HubLink` and offers its actuators to it.
`InProcessLink` calls `Hub.ingest` and `Hub.register_owner`; `RestLink` posts each batch to
`POST /api/v1/vehicles/{id}/signals` (with `Authorization: Bearer <token>` when given). Over REST the hub cannot
hand commands back to the gateway, so `offer_actuators` says no and the gateway says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from homebound.hub.commands import ActuationOwner
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal

PRINCIPAL = principal(Door.GATEWAY, "can")
MAX_REJECTIONS_KEPT = 5


@dataclass(slots=True)
class Delivery:
    """What the hub made of one batch: how many values it kept, and why it refused the others."""

    accepted: int
    rejected: int
    reasons: list[str] = field(default_factory=list)


class LinkError(Exception):
    """The hub could not be reached or answered with an error for the whole batch."""


class HubLink(Protocol):
    """The two things a gateway needs from the hub."""

    async def deliver(self, values: Mapping[str, object], ts: float | None) -> Delivery: ...

    def offer_actuators(self, paths: Iterable[str], owner: ActuationOwner) -> bool: ...

    async def aclose(self) -> None: ...


class InProcessLink:
    """The hub in this process: every batch is one `Hub.ingest`, actuators are registered as owned."""

    def __init__(self, hub: Hub, vehicle: str, principal: str = PRINCIPAL) -> None:
        self.hub = hub
        self.vehicle = hub.describe(vehicle).id
        self.principal = principal
        self._owner: ActuationOwner | None = None

    async def deliver(self, values: Mapping[str, object], ts: float | None) -> Delivery:
        result = self.hub.ingest(self.vehicle, values, ts, self.principal)
        return Delivery(result.accepted, len(result.errors), [str(e) for e in result.errors[:MAX_REJECTIONS_KEPT]])

    def offer_actuators(self, paths: Iterable[str], owner: ActuationOwner) -> bool:
        self.hub.register_owner(self.vehicle, owner, list(paths))
        self._owner = owner
        return True

    async def aclose(self) -> None:
        if self._owner is not None:
            self.hub.unregister_owner(self.vehicle, self._owner)
            self._owner = None


class RestLink:
    """A running hub's REST API: one POST per batch."""

    def __init__(self, base_url: str, vehicle: str, token: str | None = None, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = f"/api/v1/vehicles/{vehicle}/signals"
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout,
                                        transport=transport)

    async def deliver(self, values: Mapping[str, object], ts: float | None) -> Delivery:
        body: dict[str, object] = {"values": dict(values)}
        if ts is not None:
            body["ts"] = ts
        try:
            response = await self.client.post(self.url, json=body)
        except httpx.HTTPError as error:
            raise LinkError(f"{self.client.base_url}: {type(error).__name__}: {error}") from None
        if response.status_code not in (200, 422):
            raise LinkError(f"{self.client.base_url}{self.url}: HTTP {response.status_code}: "
                            f"{response.text[:200]}")
        try:
            answer = response.json()
            rejected = answer.get("rejected", [])
            accepted = int(answer.get("accepted", 0))
        except (ValueError, AttributeError, TypeError):
            raise LinkError(f"{self.client.base_url}{self.url}: the answer is not the hub's JSON: "
                            f"{response.text[:200]!r}") from None
        if not isinstance(rejected, list):
            rejected = []
        reasons = [str(r.get("error", r)) if isinstance(r, dict) else str(r) for r in rejected[:MAX_REJECTIONS_KEPT]]
        return Delivery(accepted, len(rejected), reasons)

    def offer_actuators(self, paths: Iterable[str], owner: ActuationOwner) -> bool:
        return False

    async def aclose(self) -> None:
        await self.client.aclose()
