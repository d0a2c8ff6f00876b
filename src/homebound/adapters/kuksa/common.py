"""What the Kuksa services share: authorizing a call, signal ids and their resolution, the subscription loop,
and mapping hub error codes to Kuksa's (once, here, for kuksa.val v1 and v2 and sdv.databroker.v1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
from kuksa.val.v2 import types_pb2 as t2

from homebound.adapters.kuksa.auth import Action, AuthError, KuksaAuthorizer, Permissions, seconds_left
from homebound.adapters.kuksa.sdv_stubs import types_pb2 as sdv
from homebound.adapters.kuksa.sdv_values import WrongType
from homebound.hub.core import Hub
from homebound.hub.events import Update
from homebound.hub.reading import ThingInfo
from homebound.hub.subscriptions import Subscription
from homebound.model.catalog import Catalog
from homebound.model.errors import ErrorCode, HomeboundError, UnknownPath

UNKNOWN_PATHS_HEADER = "x-homebound-unknown-paths"

# v1 reports errors per path with HTTP-like codes; v2 uses gRPC status codes.
V1_ERRORS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.UNKNOWN_PATH: (404, "not_found"), ErrorCode.UNKNOWN_THING: (404, "not_found"),
    ErrorCode.UNKNOWN_COMMAND: (404, "not_found"), ErrorCode.INVALID_VALUE: (400, "bad_request"),
    ErrorCode.COMMAND_CONFLICT: (400, "bad_request"), ErrorCode.NOT_ACTUATOR: (400, "bad_request"),
    ErrorCode.UNSAFE: (409, "conflict"), ErrorCode.UNAVAILABLE: (503, "unavailable"),
    ErrorCode.ALREADY_PROVIDED: (409, "conflict"), ErrorCode.BAD_REQUEST: (400, "bad_request"),
    ErrorCode.TOO_LARGE: (413, "too_large"), ErrorCode.STORAGE_UNAVAILABLE: (503, "unavailable"),
    ErrorCode.UNAUTHENTICATED: (401, "unauthorized"), ErrorCode.FORBIDDEN: (403, "forbidden"),
    ErrorCode.NOT_FOUND: (404, "not_found"), ErrorCode.UNKNOWN_SESSION: (404, "not_found"),
}
V2_ERRORS: dict[ErrorCode, grpc.StatusCode] = {
    ErrorCode.UNKNOWN_PATH: grpc.StatusCode.NOT_FOUND, ErrorCode.UNKNOWN_THING: grpc.StatusCode.NOT_FOUND,
    ErrorCode.UNKNOWN_COMMAND: grpc.StatusCode.NOT_FOUND, ErrorCode.INVALID_VALUE: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorCode.COMMAND_CONFLICT: grpc.StatusCode.ALREADY_EXISTS,
    ErrorCode.NOT_ACTUATOR: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorCode.UNSAFE: grpc.StatusCode.FAILED_PRECONDITION, ErrorCode.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorCode.ALREADY_PROVIDED: grpc.StatusCode.ALREADY_EXISTS,
    ErrorCode.BAD_REQUEST: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorCode.TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED, ErrorCode.STORAGE_UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorCode.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    ErrorCode.NOT_FOUND: grpc.StatusCode.NOT_FOUND, ErrorCode.UNKNOWN_SESSION: grpc.StatusCode.NOT_FOUND,
}


# sdv.databroker.v1 reports errors per datapoint with its DatapointError; the databroker's own choices where it has
# them (unknown, wrong type, out of bounds, a sensor set through the Broker API: access denied).
SDV_ERRORS: dict[ErrorCode, int] = {
    ErrorCode.UNKNOWN_PATH: sdv.UNKNOWN_DATAPOINT, ErrorCode.UNKNOWN_THING: sdv.UNKNOWN_DATAPOINT,
    ErrorCode.UNKNOWN_COMMAND: sdv.INTERNAL_ERROR, ErrorCode.INVALID_VALUE: sdv.OUT_OF_BOUNDS,
    ErrorCode.COMMAND_CONFLICT: sdv.INTERNAL_ERROR, ErrorCode.NOT_ACTUATOR: sdv.ACCESS_DENIED,
    ErrorCode.UNSAFE: sdv.ACCESS_DENIED, ErrorCode.UNAVAILABLE: sdv.INTERNAL_ERROR,
    ErrorCode.ALREADY_PROVIDED: sdv.ACCESS_DENIED, ErrorCode.BAD_REQUEST: sdv.INVALID_TYPE,
    ErrorCode.TOO_LARGE: sdv.OUT_OF_BOUNDS, ErrorCode.STORAGE_UNAVAILABLE: sdv.INTERNAL_ERROR,
    ErrorCode.UNAUTHENTICATED: sdv.ACCESS_DENIED, ErrorCode.FORBIDDEN: sdv.ACCESS_DENIED,
    ErrorCode.NOT_FOUND: sdv.UNKNOWN_DATAPOINT, ErrorCode.UNKNOWN_SESSION: sdv.UNKNOWN_DATAPOINT,
}


def sdv_error(error: Exception) -> int:
    """The DatapointError for an error about one datapoint."""
    if isinstance(error, AuthError):
        return int(sdv.ACCESS_DENIED)
    if isinstance(error, WrongType):
        return int(sdv.INVALID_TYPE)
    if isinstance(error, HomeboundError):
        return SDV_ERRORS[error.code]
    return int(sdv.INTERNAL_ERROR)


def v1_code(error: Exception) -> tuple[int, str]:
    """Kuksa v1's (code, reason) for an error: 404 unknown, 400 invalid, 403 denied, 503 no provider."""
    if isinstance(error, AuthError):
        return (401, "unauthorized") if error.unauthenticated else (403, "forbidden")
    if isinstance(error, HomeboundError):
        return V1_ERRORS[error.code]
    return 400, "bad_request"


def v2_status(error: Exception) -> grpc.StatusCode:
    if isinstance(error, AuthError):
        return grpc.StatusCode.UNAUTHENTICATED if error.unauthenticated else grpc.StatusCode.PERMISSION_DENIED
    if isinstance(error, HomeboundError):
        return V2_ERRORS[error.code]
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
    """The hub, the authorizer and the id tables, shared by the v1 and v2 servicers and the providers."""

    def __init__(self, hub: Hub, authorizer: KuksaAuthorizer) -> None:
        self.hub = hub
        self.authorizer = authorizer
        self._ids: dict[int, SignalIds] = {}

    def ids(self, thing: ThingInfo) -> SignalIds:
        key = id(thing.catalog)
        if key not in self._ids:
            self._ids[key] = SignalIds.of(thing.catalog)
        return self._ids[key]

    def resolve(self, thing: ThingInfo, signal: t2.SignalID) -> str:
        """The leaf path a v2 SignalID names (by id or by path); UnknownPath otherwise."""
        if signal.WhichOneof("signal") == "id":
            path = self.ids(thing).by_id.get(signal.id)
            if path is None:
                raise UnknownPath(f"id {signal.id}", [], thing.id)
            return path
        path = str(signal.path)
        if path not in thing.catalog.signals:
            raise UnknownPath(path, thing.catalog.suggest(path), thing.id)
        return path

    def permissions(self, context: grpc.aio.ServicerContext) -> Permissions:
        header = None
        for key, value in context.invocation_metadata() or ():
            if key == "authorization":
                header = value if isinstance(value, str) else value.decode()
        return self.authorizer.authorize(header)

    def begin(self, context: grpc.aio.ServicerContext) -> tuple[Permissions, ThingInfo]:
        """Who is calling, and the one vehicle they see."""
        permissions = self.permissions(context)
        return permissions, self.hub.describe(permissions.vehicle)

    def expand_readable(self, permissions: Permissions, thing: ThingInfo, pattern: str,
                        action: Action = Action.READ) -> list[str]:
        leaves = self.hub.expand(thing.id, pattern)
        for leaf in leaves:
            permissions.check(action, leaf)
        return leaves

    async def open_subscription(self, context: grpc.aio.ServicerContext, permissions: Permissions,
                                subscription: Subscription) -> None:
        """Check the caller may read every subscribed leaf, and name the unknown patterns in a header."""
        for leaf in subscription.paths:
            permissions.check(Action.READ, leaf)
        if subscription.unknown_paths:
            await context.send_initial_metadata([(UNKNOWN_PATHS_HEADER, ",".join(subscription.unknown_paths))])


async def updates(subscription: Subscription, permissions: Permissions) -> AsyncIterator[list[Update]]:
    """The subscription's batches until it closes; AuthError when the caller's token expires meanwhile."""
    while True:
        try:
            batch = await subscription.next_batch(timeout=seconds_left(permissions))
        except TimeoutError:
            raise AuthError("token expired") from None
        except StopAsyncIteration:
            return
        yield batch


async def abort(context: grpc.aio.ServicerContext, error: Exception) -> None:
    await context.abort(v2_status(error), str(error))
