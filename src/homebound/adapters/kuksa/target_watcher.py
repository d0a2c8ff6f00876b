"""A kuksa.val v1 provider: a connection subscribed to actuators' target values, as every v1 program provides.

kuksa-mock-provider (on kuksa-client 0.4.3), the Kuksa CAN provider in its v1 mode and Velocitas-era services
subscribe to `VIEW_TARGET_VALUE` / `FIELD_ACTUATOR_TARGET` and write the current value when a target arrives. The
hub counts such a subscription as the provider of the actuators it watches (`OwnerKind.TARGET_WATCHER`), for as
long as it lasts, and only for the actuators the caller may provide. The target itself reaches the program through
its subscription (the hub publishes every target to target subscribers), so handing it the command adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from homebound.adapters.kuksa.auth import Action, Permissions
from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.owners import OwnerKind
from homebound.hub.reading import ThingInfo
from homebound.model.signal import SignalKind


class TargetWatcher:
    """The hub's owner record for one v1 target subscription."""

    def __init__(self, label: str) -> None:
        self.label = label

    async def actuate(self, command: Command) -> None:
        """Nothing to send: the subscription already carries the target to the program."""

    def __repr__(self) -> str:
        return f"TargetWatcher({self.label})"


def providable(thing: ThingInfo, permissions: Permissions, leaves: Iterable[str]) -> list[str]:
    """The actuators among `leaves` that this caller may provide."""
    signals = thing.catalog.signals
    return [leaf for leaf in leaves
            if signals[leaf].kind is SignalKind.ACTUATOR and permissions.allows(Action.PROVIDE, leaf)]


@contextmanager
def watching_targets(hub: Hub, thing: ThingInfo, permissions: Permissions,
                     leaves: Iterable[str]) -> Iterator[list[str]]:
    """While the block runs, the caller provides the actuators among `leaves` it may provide (yielded)."""
    provided = providable(thing, permissions, leaves)
    if not provided:
        yield provided
        return
    watcher = TargetWatcher(permissions.principal)
    hub.register_owner(thing.id, watcher, provided, OwnerKind.TARGET_WATCHER)
    try:
        yield provided
    finally:
        hub.unregister_owner(thing.id, watcher)
