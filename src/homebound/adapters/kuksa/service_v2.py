"""kuksa.val.v2 `VAL`: values, subscriptions, actuation, metadata, publishing and provider streams.

Better than the databroker where its users asked: Subscribe accepts branches and wildcards (expanded, as the
client expects), and a path that matches nothing is reported in the `x-homebound-unknown-paths` response header
while the rest is served (the databroker fails the whole call).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TypeAlias

import grpc
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc

from homebound import __version__
from homebound.adapters.kuksa.auth import Action, AuthError, Permissions, seconds_left
from homebound.adapters.kuksa.common import KuksaContext, abort, updates
from homebound.adapters.kuksa.provider import KuksaProvider, StreamClosed, closing_status
from homebound.adapters.kuksa.values import from_proto_value, timestamp_seconds, to_v2_datapoint, v2_metadata
from homebound.hub.commands import CommandState
from homebound.hub.events import Field
from homebound.hub.reading import ThingInfo
from homebound.model.errors import HomeboundError

Context: TypeAlias = grpc.aio.ServicerContext


class KuksaV2Service(val_pb2_grpc.VALServicer):  # type: ignore[misc]
    def __init__(self, shared: KuksaContext) -> None:
        self.shared = shared

    def _datapoint(self, thing: ThingInfo, path: str) -> t2.Datapoint:
        reading = self.shared.hub.read(thing.id, path)
        meta = thing.catalog.signals[path]
        return to_v2_datapoint(meta, None) if reading is None else to_v2_datapoint(meta, reading.value, reading.ts)

    async def GetServerInfo(self, request: v2.GetServerInfoRequest, context: Context) -> v2.GetServerInfoResponse:
        try:
            self.shared.begin(context)
        except AuthError as error:
            await abort(context, error)
        return v2.GetServerInfoResponse(name="Homebound", version=__version__, commit_hash="")

    async def GetValue(self, request: v2.GetValueRequest, context: Context) -> v2.GetValueResponse:
        try:
            permissions, thing = self.shared.begin(context)
            path = self.shared.resolve(thing, request.signal_id)
            permissions.check(Action.READ, path)
            await self.shared.hub.refresh(thing.id)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        return v2.GetValueResponse(data_point=self._datapoint(thing, path))

    async def GetValues(self, request: v2.GetValuesRequest, context: Context) -> v2.GetValuesResponse:
        try:
            permissions, thing = self.shared.begin(context)
            paths = [self.shared.resolve(thing, signal) for signal in request.signal_ids]
            for path in paths:
                permissions.check(Action.READ, path)
            await self.shared.hub.refresh(thing.id)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        return v2.GetValuesResponse(data_points=[self._datapoint(thing, p) for p in paths])

    async def ListMetadata(self, request: v2.ListMetadataRequest, context: Context) -> v2.ListMetadataResponse:
        try:
            permissions, thing = self.shared.begin(context)
            root = request.root.removesuffix(".*") if request.root.endswith(".*") else request.root
            leaves = sorted(thing.catalog.signals) if root in ("", "*", "**") else self.shared.hub.expand(
                thing.id, root)
            readable = [leaf for leaf in leaves if permissions.allows(Action.READ, leaf)]
            if not readable:
                raise AuthError(f"token does not grant read on {request.root}", unauthenticated=False)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        ids = self.shared.ids(thing)
        return v2.ListMetadataResponse(metadata=[
            v2_metadata(thing.catalog.signals[leaf], ids.by_path[leaf]) for leaf in readable])

    async def PublishValue(self, request: v2.PublishValueRequest, context: Context) -> v2.PublishValueResponse:
        try:
            permissions, thing = self.shared.begin(context)
            path = self.shared.resolve(thing, request.signal_id)
            permissions.check(Action.PROVIDE, path)
            value = from_proto_value(request.data_point.value, "typed_value")
            result = await self.shared.hub.write(thing.id, {path: value},
                                                 timestamp_seconds(request.data_point.timestamp), permissions.principal)
            if result.errors:
                raise result.errors[0]
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
        return v2.PublishValueResponse()

    async def Actuate(self, request: v2.ActuateRequest, context: Context) -> v2.ActuateResponse:
        try:
            permissions, thing = self.shared.begin(context)
            await self._actuate(permissions, thing, request)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
        return v2.ActuateResponse()

    async def BatchActuate(self, request: v2.BatchActuateRequest, context: Context) -> v2.BatchActuateResponse:
        try:
            permissions, thing = self.shared.begin(context)
            for single in request.actuate_requests:
                permissions.check(Action.ACTUATE, self.shared.resolve(thing, single.signal_id))
            for single in request.actuate_requests:
                await self._actuate(permissions, thing, single)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
        return v2.BatchActuateResponse()

    async def _actuate(self, permissions: Permissions, thing: ThingInfo, request: v2.ActuateRequest) -> None:
        path = self.shared.resolve(thing, request.signal_id)
        permissions.check(Action.ACTUATE, path)
        target = from_proto_value(request.value, "typed_value")
        self.shared.hub.check_writable()
        command = await self.shared.hub.command(permissions.principal, thing.id, path, target)
        await self.shared.hub.committed(commands=True)
        if command.state is CommandState.FAILED:
            raise HomeboundError(f"{thing.id}: {path}: {command.reason}")

    async def Subscribe(self, request: v2.SubscribeRequest, context: Context) -> AsyncIterator[v2.SubscribeResponse]:
        async for response in self._stream(context, list(request.signal_paths), by_id=False):
            yield response

    async def SubscribeById(self, request: v2.SubscribeByIdRequest,
                            context: Context) -> AsyncIterator[v2.SubscribeByIdResponse]:
        try:
            _, thing = self.shared.begin(context)
            paths = [self.shared.resolve(thing, t2.SignalID(id=number)) for number in request.signal_ids]
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            return
        async for response in self._stream(context, paths, by_id=True):
            yield response

    async def _stream(self, context: Context, patterns: list[str],
                      by_id: bool) -> AsyncIterator[v2.SubscribeResponse | v2.SubscribeByIdResponse]:
        try:
            permissions, thing = self.shared.begin(context)
            subscription = self.shared.hub.subscribe(thing.id, patterns, [Field.VALUE])
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            return
        ids = self.shared.ids(thing)
        signals = thing.catalog.signals
        make: Callable[[], v2.SubscribeResponse | v2.SubscribeByIdResponse] = (
            v2.SubscribeByIdResponse if by_id else v2.SubscribeResponse)
        with contextlib.closing(subscription):
            try:
                await self.shared.open_subscription(context, permissions, subscription)
                initial = make()
                for path in subscription.paths:
                    initial.entries[ids.by_path[path] if by_id else path].CopyFrom(self._datapoint(thing, path))
                yield initial
                async for batch in updates(subscription, permissions):
                    response = make()
                    for update in batch:
                        key = ids.by_path[update.path] if by_id else update.path
                        response.entries[key].CopyFrom(
                            to_v2_datapoint(signals[update.path], update.value, update.ts))  # type: ignore[arg-type]
                    yield response
            except AuthError as error:
                await abort(context, error)

    async def OpenProviderStream(self, request_iterator: AsyncIterator[v2.OpenProviderStreamRequest],
                                 context: Context) -> AsyncIterator[v2.OpenProviderStreamResponse]:
        try:
            permissions, thing = self.shared.begin(context)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            return
        provider = KuksaProvider(self.shared, thing, permissions)
        reader = asyncio.create_task(provider.read(request_iterator))
        try:
            while True:
                try:
                    item = await asyncio.wait_for(provider.outbox.get(), seconds_left(permissions))
                except TimeoutError:
                    await abort(context, AuthError("token expired"))
                    return
                if isinstance(item, StreamClosed):
                    code, message = closing_status(item)
                    await context.abort(code, message)
                    return
                yield item
        finally:
            reader.cancel()
            provider.close()
