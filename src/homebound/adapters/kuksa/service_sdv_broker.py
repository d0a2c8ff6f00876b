"""`sdv.databroker.v1.Broker`: GetDatapoints, SetDatapoints, Subscribe (the query language) and GetMetadata.

The API Eclipse Velocitas apps speak (velocitas-sdk's `VehicleDataBrokerClient`), served beside kuksa.val v1 and
v2 on the same port and through the same hub doors: reads through the read door, `SetDatapoints` on an actuator as
a command through `Hub.command` (the databroker sets the actuator's target, which its provider carries out; here
the command is pending until the provider confirms it, and refused at once with no provider, as for every door),
and `SetDatapoints` on a sensor or attribute refused with ACCESS_DENIED, as the databroker does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from homebound.adapters.kuksa.auth import Action, AuthError, Permissions
from homebound.adapters.kuksa.common import KuksaContext, abort, sdv_error, updates
from homebound.adapters.kuksa.sdv_query import MISSING, Query, compile_query
from homebound.adapters.kuksa.sdv_stubs import broker_pb2 as pb
from homebound.adapters.kuksa.sdv_stubs import broker_pb2_grpc
from homebound.adapters.kuksa.sdv_stubs import types_pb2 as sdv
from homebound.adapters.kuksa.sdv_values import boolean_datapoint, failure, from_datapoint, metadata, to_datapoint
from homebound.hub.commands import CommandState
from homebound.hub.errors import CommandRejected
from homebound.hub.events import Field
from homebound.hub.reading import ThingInfo
from homebound.model.errors import ErrorCode, HomeboundError, UnknownPath
from homebound.model.signal import SignalKind

Context: TypeAlias = grpc.aio.ServicerContext


class SdvBrokerService(broker_pb2_grpc.BrokerServicer):  # type: ignore[misc]
    def __init__(self, shared: KuksaContext) -> None:
        self.shared = shared

    async def GetDatapoints(self, request: pb.GetDatapointsRequest, context: Context) -> pb.GetDatapointsReply:
        try:
            permissions, thing = self.shared.begin(context)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        if not request.datapoints:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "No datapoints requested")
        reply = pb.GetDatapointsReply()
        for path in request.datapoints:
            reply.datapoints[path].CopyFrom(self._datapoint(thing, permissions, path))
        return reply

    def _datapoint(self, thing: ThingInfo, permissions: Permissions, path: str) -> sdv.Datapoint:
        meta = thing.catalog.signals.get(path)
        if meta is None:
            return failure(sdv.Datapoint.UNKNOWN_DATAPOINT)
        if not permissions.allows(Action.READ, path):
            return failure(sdv.Datapoint.ACCESS_DENIED)
        reading = self.shared.hub.read(thing.id, path)
        if reading is None:
            return failure(sdv.Datapoint.NOT_AVAILABLE)
        return to_datapoint(meta, reading.value, reading.ts)

    async def SetDatapoints(self, request: pb.SetDatapointsRequest, context: Context) -> pb.SetDatapointsReply:
        try:
            permissions, thing = self.shared.begin(context)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        reply = pb.SetDatapointsReply()
        for path, point in request.datapoints.items():
            try:
                await self._set(permissions, thing, path, point)
            except (HomeboundError, AuthError) as error:
                reply.errors[path] = sdv_error(error)
        return reply

    async def _set(self, permissions: Permissions, thing: ThingInfo, path: str, point: sdv.Datapoint) -> None:
        meta = thing.catalog.signals.get(path)
        if meta is None:
            raise UnknownPath(path, thing.catalog.suggest(path), thing.id)
        if meta.kind is not SignalKind.ACTUATOR:
            raise CommandRejected(thing.id, path, f"is a {meta.kind.value}; the Broker API sets actuators only "
                                  "(a provider writes sensors through the Collector API)", ErrorCode.NOT_ACTUATOR)
        permissions.check(Action.ACTUATE, path)
        target, _ = from_datapoint(thing.id, meta, point)
        self.shared.hub.check_writable()
        command = await self.shared.hub.command(permissions.principal, thing.id, path, target)
        await self.shared.hub.committed(commands=True)
        if command.state is CommandState.FAILED:
            raise HomeboundError(f"{thing.id}: {path}: {command.reason}")

    async def Subscribe(self, request: pb.SubscribeRequest, context: Context) -> AsyncIterator[pb.SubscribeReply]:
        try:
            permissions, thing = self.shared.begin(context)
            query = compile_query(request.query, thing.catalog)
            for path in query.inputs:
                permissions.check(Action.READ, path)
            subscription = self.shared.hub.subscribe(thing.id, query.inputs, [Field.VALUE])
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            return
        with contextlib.closing(subscription):
            try:
                reply = self._reply(thing, query)
                if reply is not None:
                    yield reply
                async for _ in updates(subscription, permissions):
                    reply = self._reply(thing, query)
                    if reply is not None:
                        yield reply
            except AuthError as error:
                await abort(context, error)

    def _reply(self, thing: ThingInfo, query: Query) -> pb.SubscribeReply | None:
        """The query's reply on the current values (one conceptual row), or None when its condition is false."""
        readings = {path: self.shared.hub.read(thing.id, path) for path in query.inputs}
        values = {path: reading.value for path, reading in readings.items() if reading is not None}
        fields = query.reply(values)
        if fields is None:
            return None
        reply = pb.SubscribeReply()
        now = time.time()
        for item, value in fields:
            if item.path is None:
                point = boolean_datapoint(value is True, now)
            elif value is MISSING:
                point = failure(sdv.Datapoint.NOT_AVAILABLE)
            else:
                reading = readings[item.path]
                point = to_datapoint(thing.catalog.signals[item.path], value,  # type: ignore[arg-type]
                                     reading.ts if reading is not None else now)
            reply.fields[item.name].CopyFrom(point)
        return reply

    async def GetMetadata(self, request: pb.GetMetadataRequest, context: Context) -> pb.GetMetadataReply:
        try:
            permissions, thing = self.shared.begin(context)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        signals = thing.catalog.signals
        names = list(request.names) or sorted(signals)
        ids = self.shared.ids(thing)
        return pb.GetMetadataReply(list=[
            metadata(signals[name], ids.by_path[name]) for name in names
            if name in signals and permissions.allows(Action.READ, name)])
