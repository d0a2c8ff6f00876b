"""kuksa.val.v1 `VAL`: Get, Set, Subscribe and GetServerInfo, as kuksa-client and older providers call them.

A `Subscribe` to actuators' target values makes the caller their provider while it lasts (`target_watcher.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc
from kuksa.val.v1 import types_pb2 as t1
from kuksa.val.v1 import val_pb2 as v1
from kuksa.val.v1 import val_pb2_grpc

from homebound import __version__
from homebound.adapters.kuksa.auth import Action, AuthError, Permissions
from homebound.adapters.kuksa.common import KuksaContext, abort, updates, v1_code
from homebound.adapters.kuksa.target_watcher import watching_targets
from homebound.adapters.kuksa.values import from_proto_value, to_v1_datapoint, v1_metadata
from homebound.hub.core import Hub
from homebound.hub.errors import RejectedValue
from homebound.hub.events import Field
from homebound.hub.reading import ThingInfo
from homebound.hub.subscriptions import Subscription
from homebound.model.errors import HomeboundError, UnknownPath

Context: TypeAlias = grpc.aio.ServicerContext

_METADATA_FIELDS = {t1.FIELD_METADATA} | set(range(11, 18)) | {20, 30, 40}


def _error(path: str, error: Exception) -> t1.DataEntryError:
    code, reason = v1_code(error)
    return t1.DataEntryError(path=path, error=t1.Error(code=code, reason=reason, message=str(error)))


def _wants(view: int, fields: list[int]) -> tuple[bool, bool, bool]:
    """(value, target, metadata) asked for by a v1 view and field list."""
    if view == t1.VIEW_ALL:
        return True, True, True
    if view == t1.VIEW_TARGET_VALUE:
        return False, True, False
    if view == t1.VIEW_METADATA:
        return False, False, True
    if view == t1.VIEW_FIELDS:
        return (t1.FIELD_VALUE in fields, t1.FIELD_ACTUATOR_TARGET in fields,
                bool(_METADATA_FIELDS & set(fields)))
    return True, False, False


def _entry(hub: Hub, thing: ThingInfo, path: str, value: bool, target: bool, metadata: bool) -> t1.DataEntry:
    meta = thing.catalog.signals[path]
    entry = t1.DataEntry(path=path)
    current = hub.read(thing.id, path) if value else None
    if current is not None:
        entry.value.CopyFrom(to_v1_datapoint(meta, current.value, current.ts))
    wanted_target = hub.read_target(thing.id, path) if target else None
    if wanted_target is not None:
        entry.actuator_target.CopyFrom(to_v1_datapoint(meta, wanted_target.value, wanted_target.ts))
    if metadata:
        entry.metadata.CopyFrom(v1_metadata(meta))
    return entry


class KuksaV1Service(val_pb2_grpc.VALServicer):  # type: ignore[misc]
    def __init__(self, shared: KuksaContext) -> None:
        self.shared = shared

    async def GetServerInfo(self, request: v1.GetServerInfoRequest, context: Context) -> v1.GetServerInfoResponse:
        try:
            self.shared.begin(context)
        except AuthError as error:
            await abort(context, error)
        return v1.GetServerInfoResponse(name="Homebound", version=__version__)

    async def Get(self, request: v1.GetRequest, context: Context) -> v1.GetResponse:
        try:
            permissions, thing = self.shared.begin(context)
            await self.shared.hub.refresh(thing.id)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        response = v1.GetResponse()
        for requested in request.entries:
            value, target, metadata = _wants(requested.view, list(requested.fields))
            try:
                leaves = self.shared.expand_readable(permissions, thing, requested.path)
            except (HomeboundError, AuthError) as error:
                response.errors.append(_error(requested.path, error))
                continue
            response.entries.extend(_entry(self.shared.hub, thing, leaf, value, target, metadata) for leaf in leaves)
        if response.errors:
            response.error.CopyFrom(response.errors[0].error)
        return response

    async def Set(self, request: v1.SetRequest, context: Context) -> v1.SetResponse:
        try:
            permissions, thing = self.shared.begin(context)
        except AuthError as error:
            await abort(context, error)
            raise
        response = v1.SetResponse()
        currents: dict[str, object] = {}
        try:
            self.shared.hub.check_writable()
        except HomeboundError as error:
            await abort(context, error)
            raise
        commanded = False
        for update in request.updates:
            path = update.entry.path
            fields = set(update.fields)
            try:
                if t1.FIELD_ACTUATOR_TARGET in fields:
                    permissions.check(Action.ACTUATE, path)
                    target = from_proto_value(update.entry.actuator_target, "value")
                    await self.shared.hub.command(permissions.principal, thing.id, path, target)
                    commanded = True
                if t1.FIELD_VALUE in fields:
                    permissions.check(Action.PROVIDE, path)
                    currents[path] = from_proto_value(update.entry.value, "value")
                if fields & _METADATA_FIELDS:
                    raise RejectedValue(thing.id, path, "metadata", "metadata is fixed by the catalog",
                                        "no metadata changes")
            except (HomeboundError, AuthError) as error:
                response.errors.append(_error(path, error))
        if currents:
            try:
                result = await self.shared.hub.write(thing.id, currents, principal=permissions.principal)
            except HomeboundError as error:  # a batch refused whole (too large, a bad timestamp, storage down)
                await abort(context, error)
                raise
            for failure in result.errors:
                response.errors.append(_error(getattr(failure, "path", ""), failure))
        if commanded:
            try:
                await self.shared.hub.committed(commands=True)
            except HomeboundError as error:
                await abort(context, error)
                raise
        if response.errors:
            response.error.CopyFrom(response.errors[0].error)
        return response

    async def Subscribe(self, request: v1.SubscribeRequest, context: Context) -> AsyncIterator[v1.SubscribeResponse]:
        try:
            permissions, thing = self.shared.begin(context)
        except AuthError as error:
            await abort(context, error)
            return
        fields: set[Field] = set()
        patterns: list[str] = []
        target_patterns: list[str] = []
        for entry in request.entries:
            value, target, _ = _wants(entry.view, list(entry.fields))
            fields |= {Field.VALUE} if value else set()
            fields |= {Field.TARGET} if target else set()
            patterns.append(entry.path)
            if target:
                target_patterns.append(entry.path)
        hub = self.shared.hub
        try:
            subscription = hub.subscribe(thing.id, patterns, fields or {Field.VALUE})
        except HomeboundError as error:
            await abort(context, error)
            return
        try:
            await self.shared.open_subscription(context, permissions, subscription)
            with watching_targets(hub, thing, permissions, _leaves(hub, thing, target_patterns)):
                async for response in self._responses(thing, subscription, permissions):
                    yield response
        except AuthError as error:
            await abort(context, error)
        finally:
            subscription.close()

    async def _responses(self, thing: ThingInfo, subscription: Subscription,
                         permissions: Permissions) -> AsyncIterator[v1.SubscribeResponse]:
        hub = self.shared.hub
        with_value, with_target = Field.VALUE in subscription.fields, Field.TARGET in subscription.fields
        initial = v1.SubscribeResponse()
        for path in subscription.paths:
            entry = _entry(hub, thing, path, with_value, with_target, False)
            initial.updates.append(v1.EntryUpdate(entry=entry, fields=_fields(with_value, with_target)))
        yield initial
        async for batch in updates(subscription, permissions):
            response = v1.SubscribeResponse()
            for update in batch:
                point = to_v1_datapoint(thing.catalog.signals[update.path], update.value,  # type: ignore[arg-type]
                                        update.ts)
                entry = t1.DataEntry(path=update.path)
                if update.field is Field.TARGET:
                    entry.actuator_target.CopyFrom(point)
                    changed = [t1.FIELD_ACTUATOR_TARGET]
                else:
                    entry.value.CopyFrom(point)
                    changed = [t1.FIELD_VALUE]
                response.updates.append(v1.EntryUpdate(entry=entry, fields=changed))
            yield response


def _leaves(hub: Hub, thing: ThingInfo, patterns: list[str]) -> list[str]:
    """The leaves the known patterns stand for (the unknown ones were already reported)."""
    leaves: dict[str, None] = {}
    for pattern in patterns:
        try:
            leaves.update(dict.fromkeys(hub.expand(thing.id, pattern)))
        except UnknownPath:
            continue
    return list(leaves)


def _fields(value: bool, target: bool) -> list[int]:
    return ([t1.FIELD_VALUE] if value else []) + ([t1.FIELD_ACTUATOR_TARGET] if target else [])
