"""What both Kuksa services share: authorizing a call, signal ids, and mapping hub errors to Kuksa's codes."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc

from homebound.adapters.kuksa.auth import Action, AuthError, KuksaAuthorizer, Permissions
from homebound.hub.core import Hub, ThingState
from homebound.hub.errors import CommandConflict, CommandRejected, RejectedValue, UnknownThing
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError, UnknownPath

UNKNOWN_PATHS_HEADER = "x-homebound-unknown-paths"

# v1 reports errors per path with HTTP-like codes; v2 uses gRPC status codes.
_V1_REJECTION = {"unavailable": (503, "unavailable"), "unsafe": (409, "conflict"),
                 "not_actuator": (400, "bad_request")}
_V2_REJECTION = {"unavailable": grpc.StatusCode.UNAVAILABLE, "unsafe": grpc.StatusCode.FAILED_PRECONDITION,
                 "not_actuator": grpc.StatusCode.INVALID_ARGUMENT}


def v1_code(error: Exception) -> tuple[int, str]:
    """Kuksa v1's (code, reason) for an error: 404 unknown, 400 invalid, 403 denied, 503 no provider."""
    if isinstance(error, UnknownPath | UnknownThing):
        return 404, "not_found"
    if isinstance(error, RejectedValue | CommandConflict):
        return 400, "bad_request"
    if isinstance(error, CommandRejected):
        return _V1_REJECTION.get(error.code, (400, "bad_request"))
    if isinstance(error, AuthError):
        return (401, "unauthorized") if error.unauthenticated else (403, "forbidden")
    return 400, "bad_request"


def v2_status(error: Exception) -> grpc.StatusCode:
    if isinstance(error, UnknownPath | UnknownThing):
        return grpc.StatusCode.NOT_FOUND
    if isinstance(error, RejectedValue):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, CommandConflict):
        return grpc.StatusCode.ALREADY_EXISTS
    if isinstance(error, CommandRejected):
        return _V2_REJECTION.get(error.code, grpc.StatusCode.INVALID_ARGUMENT)
    if isinstance(error, AuthError):
        return grpc.StatusCode.UNAUTHENTICATED if error.unauthenticated else grpc.StatusCode.PERMISSION_DENIED
    if isinstance(error, HomeboundError):
        return grpc.StatusCode.INVALID_ARGUMENT
    return grpc.StatusCode.INTERNAL


@dataclass
class SignalIds:
    """Stable numeric ids for a catalog's signals (v2 addresses signals by id or path): sorted path order."""

    by_path: dict[str, int] = field(default_factory=dict)
    by_id: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> SignalIds:
        ids = cls()
        for number, path in enumerate(sorted(catalog.signals), start=1):
            ids.by_path[path] = number
            ids.by_id[number] = path
        return ids


class KuksaContext:
    """The hub, the authorizer and the id tables, shared by the v1 and v2 servicers."""

    def __init__(self, hub: Hub, authorizer: KuksaAuthorizer) -> None:
        self.hub = hub
        self.authorizer = authorizer
        self._ids: dict[int, SignalIds] = {}

    def ids(self, thing: ThingState) -> SignalIds:
        key = id(thing.catalog)
        if key not in self._ids:
            self._ids[key] = SignalIds.of(thing.catalog)
        return self._ids[key]

    def permissions(self, context: grpc.aio.ServicerContext) -> Permissions:
        header = None
        for key, value in context.invocation_metadata() or ():
            if key == "authorization":
                header = value if isinstance(value, str) else value.decode()
        return self.authorizer.authorize(header)

    def begin(self, context: grpc.aio.ServicerContext) -> tuple[Permissions, ThingState]:
        """Who is calling, and the one vehicle they see."""
        permissions = self.permissions(context)
        return permissions, self.hub.thing(permissions.vehicle)

    def expand_readable(self, permissions: Permissions, thing: ThingState, pattern: str,
                        action: Action = Action.READ) -> list[str]:
        leaves = self.hub.expand(thing.id, pattern)
        for leaf in leaves:
            permissions.check(action, leaf)
        return leaves


async def abort(context: grpc.aio.ServicerContext, error: Exception) -> None:
    await context.abort(v2_status(error), str(error))
