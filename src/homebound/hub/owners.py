"""Who carries out a thing's commands, when several could: the hub's rule, the same for every door.

Three kinds of owner exist, because three generations of programs drive actuators:

- a **provider** claims actuators exclusively (Kuksa's kuksa.val v2 `OpenProviderStream`): one at a time per
  actuator, a second claim is refused with `AlreadyProvided`;
- a thing's **gateway** owns all its actuators (a household device's MQTT bridge, the vehicle simulator);
- a **target watcher** is a connection that subscribed to an actuator's target and writes its current value when a
  target arrives (every kuksa.val v1 program: kuksa-mock-provider, the Kuksa CAN provider's v1 mode). Several may
  watch the same actuator; they need no claim and are never refused.

A command goes to the provider if there is one (v2 wins, as in the Kuksa databroker), else to the gateway, else to
the oldest target watcher; "no provider" is said only when there is none of any kind. Target watchers see every
target through their subscription anyway, so the hub handing one the command is what makes it count, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from homebound.hub.commands import ActuationOwner
from homebound.hub.errors import AlreadyProvided


class OwnerKind(StrEnum):
    """How an owner came to carry out commands; see the module's docstring for who wins."""

    PROVIDER = "provider"
    GATEWAY = "gateway"
    TARGET_WATCHER = "target_watcher"


@dataclass(slots=True)
class Owners:
    """The owners of one thing's actuators, by kind."""

    claims: dict[str, ActuationOwner] = field(default_factory=dict)
    gateway: ActuationOwner | None = None
    watchers: dict[str, list[ActuationOwner]] = field(default_factory=dict)

    def owner_of(self, path: str) -> ActuationOwner | None:
        owner = self.claims.get(path)
        if owner is not None:
            return owner
        if self.gateway is not None:
            return self.gateway
        watching = self.watchers.get(path)
        return watching[0] if watching else None

    def add(self, thing: str, owner: ActuationOwner, paths: Iterable[str] | None, kind: OwnerKind) -> None:
        """Register `owner` for `paths` (all the thing's actuators for a gateway); AlreadyProvided leaves all as
        they were."""
        if kind is OwnerKind.GATEWAY or paths is None:
            self.gateway = owner
            return
        leaves = list(paths)
        if kind is OwnerKind.PROVIDER:
            for path in leaves:
                holder = self.claims.get(path)
                if holder is not None and holder is not owner:
                    raise AlreadyProvided(thing, path)
            for path in leaves:
                self.claims[path] = owner
            return
        for path in leaves:
            watching = self.watchers.setdefault(path, [])
            if owner not in watching:
                watching.append(owner)

    def remove(self, owner: ActuationOwner) -> None:
        """Forget `owner` in every role it had; the next in line takes over."""
        if self.gateway is owner:
            self.gateway = None
        for path in [p for p, o in self.claims.items() if o is owner]:
            del self.claims[path]
        for path in [p for p, w in self.watchers.items() if owner in w]:
            watching = self.watchers[path]
            watching.remove(owner)
            if not watching:
                del self.watchers[path]
