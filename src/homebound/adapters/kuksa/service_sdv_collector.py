"""`sdv.databroker.v1.Collector`: how feeders of the Velocitas era register signals and write their values.

Every value goes through `Hub.ingest`, with the caller's `provide` right checked per signal. The catalog is the
vehicle's VSS catalog: `RegisterDatapoints` hands out the id of a signal the catalog holds (the databroker returns
the existing entry's id too) and refuses a name it does not hold with NOT_FOUND, because Homebound does not grow a
vehicle's catalog at run time (add signals with a VSS overlay). Errors come back per datapoint id, as
DatapointErrors; `StreamDatapoints` replies only when a message had errors, as the databroker does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TypeAlias

import grpc

from homebound.adapters.kuksa.auth import Action, AuthError, Permissions
from homebound.adapters.kuksa.common import KuksaContext, abort, sdv_error
from homebound.adapters.kuksa.sdv_stubs import collector_pb2 as pb
from homebound.adapters.kuksa.sdv_stubs import collector_pb2_grpc
from homebound.adapters.kuksa.sdv_stubs import types_pb2 as sdv
from homebound.adapters.kuksa.sdv_values import from_datapoint
from homebound.hub.reading import ThingInfo
from homebound.model.errors import HomeboundError, UnknownPath

Context: TypeAlias = grpc.aio.ServicerContext


class SdvCollectorService(collector_pb2_grpc.CollectorServicer):  # type: ignore[misc]
    def __init__(self, shared: KuksaContext) -> None:
        self.shared = shared

    async def RegisterDatapoints(self, request: pb.RegisterDatapointsRequest,
                                 context: Context) -> pb.RegisterDatapointsReply:
        try:
            permissions, thing = self.shared.begin(context)
            ids = self.shared.ids(thing)
            reply = pb.RegisterDatapointsReply()
            for registration in request.list:
                name = registration.name
                if name not in thing.catalog.signals:
                    raise UnknownPath(name, thing.catalog.suggest(name), thing.id)
                permissions.check(Action.PROVIDE, name)
                reply.results[name] = ids.by_path[name]
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        return reply

    async def UpdateDatapoints(self, request: pb.UpdateDatapointsRequest,
                               context: Context) -> pb.UpdateDatapointsReply:
        try:
            permissions, thing = self.shared.begin(context)
            self.shared.hub.check_writable()
            errors = self._update(permissions, thing, request.datapoints)
            await self.shared.hub.committed()  # the reply acknowledges: only once the values are durable
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            raise
        return pb.UpdateDatapointsReply(errors=errors)

    async def StreamDatapoints(self, request_iterator: AsyncIterator[pb.StreamDatapointsRequest],
                               context: Context) -> AsyncIterator[pb.StreamDatapointsReply]:
        try:
            permissions, thing = self.shared.begin(context)
        except (HomeboundError, AuthError) as error:
            await abort(context, error)
            return
        async for request in request_iterator:
            errors = self._update(permissions, thing, request.datapoints)
            if errors:
                yield pb.StreamDatapointsReply(errors=errors)

    def _update(self, permissions: Permissions, thing: ThingInfo,
                points: Mapping[int, sdv.Datapoint]) -> dict[int, int]:
        """Ingest one message's values as one batch; the DatapointError of each id that was refused."""
        by_id = self.shared.ids(thing).by_id
        errors: dict[int, int] = {}
        values: dict[str, object] = {}
        id_of: dict[str, int] = {}
        newest: float | None = None
        for signal_id, point in points.items():
            path = by_id.get(signal_id)
            if path is None:
                errors[signal_id] = sdv.UNKNOWN_DATAPOINT
                continue
            try:
                permissions.check(Action.PROVIDE, path)
                value, ts = from_datapoint(thing.id, thing.catalog.signals[path], point)
            except (HomeboundError, AuthError) as error:
                errors[signal_id] = sdv_error(error)
                continue
            values[path] = value
            id_of[path] = signal_id
            if ts is not None and (newest is None or ts > newest):
                newest = ts
        if values:
            try:
                result = self.shared.hub.ingest(thing.id, values, newest, permissions.principal)
            except HomeboundError as refused:  # the message refused whole (its timestamp, its size)
                errors.update(dict.fromkeys(id_of.values(), sdv_error(refused)))
                return errors
            for failure in result.errors:
                errors[id_of.get(getattr(failure, "path", ""), 0)] = sdv_error(failure)
        return errors
