"""A Kuksa provider: a car's gateway on `OpenProviderStream`, owning actuators and publishing their values.

When a command for a claimed actuator comes through the hub (from REST, an automation, v2 `Actuate` or a v1
target `Set`), the provider receives it as a `BatchActuateStreamRequest`; the command is confirmed when the
provider publishes the new current value. The client may half-close its side after claiming (kuksa-client does):
the stream stays open for actuation requests until the client goes away.
"""

from __future__ import annotations

import asyncio
import logging

import grpc
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2

from homebound.adapters.kuksa.auth import Action, AuthError, Permissions
from homebound.adapters.kuksa.common import KuksaContext, v2_status
from homebound.adapters.kuksa.values import from_proto_value, timestamp_seconds, to_v2_value
from homebound.hub.commands import Command
from homebound.hub.errors import CommandRejected, RejectedValue
from homebound.hub.reading import ThingInfo
from homebound.model.errors import ErrorCode, HomeboundError, UnknownPath
from homebound.model.signal import SignalKind

log = logging.getLogger(__name__)

class StreamClosed(Exception):
    """The provider stream must end with this status."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class KuksaProvider:
    """One open provider stream, registered with the hub as the owner of the actuators it claimed."""

    def __init__(self, shared: KuksaContext, thing: ThingInfo, permissions: Permissions) -> None:
        self.shared = shared
        self.thing = thing
        self.permissions = permissions
        self.outbox: asyncio.Queue[v2.OpenProviderStreamResponse | StreamClosed] = asyncio.Queue()
        self.claimed_by_id: dict[str, bool] = {}
        self.pending: dict[str, Command] = {}
        self._acks: set[asyncio.Task[None]] = set()

    # ---- the hub hands us commands ------------------------------------------------------------------------

    async def actuate(self, command: Command) -> None:
        meta = self.thing.catalog.signals[command.path]
        ids = self.shared.ids(self.thing)
        signal = (t2.SignalID(id=ids.by_path[command.path]) if self.claimed_by_id.get(command.path)
                  else t2.SignalID(path=command.path))
        request = v2.BatchActuateStreamRequest(actuate_requests=[
            v2.ActuateRequest(signal_id=signal, value=to_v2_value(meta, command.target))])
        self.pending[command.path] = command
        self.outbox.put_nowait(v2.OpenProviderStreamResponse(batch_actuate_stream_request=request))

    # ---- what the provider sends us -----------------------------------------------------------------------

    async def read(self, requests: object) -> None:
        """Handle the provider's messages until it half-closes; errors end the stream with a status."""
        try:
            async for request in requests:  # type: ignore[attr-defined]
                await self._handle(request)
        except StreamClosed as closed:
            self.outbox.put_nowait(closed)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("provider stream failed")
            self.outbox.put_nowait(StreamClosed(error))

    def _path(self, signal: t2.SignalID) -> str:
        return self.shared.resolve(self.thing, signal)

    async def _handle(self, request: v2.OpenProviderStreamRequest) -> None:
        action = request.WhichOneof("action")
        if action == "provide_actuation_request":
            self._claim(request.provide_actuation_request)
        elif action == "publish_values_request":
            await self._publish(request.publish_values_request)
        elif action == "batch_actuate_stream_response":
            self._acknowledge(request.batch_actuate_stream_response)
        elif action == "provide_signal_request":
            self.outbox.put_nowait(v2.OpenProviderStreamResponse(provide_signal_response=v2.ProvideSignalResponse()))
        elif action == "provider_error_indication":
            log.warning("provider reports error %s", request.provider_error_indication.provider_error)

    def _claim(self, request: v2.ProvideActuationRequest) -> None:
        claimed: dict[str, bool] = {}
        try:
            for signal in request.actuator_identifiers:
                path = self._path(signal)
                meta = self.thing.catalog.signals[path]
                if meta.kind is not SignalKind.ACTUATOR:
                    raise CommandRejected(self.thing.id, path, f"is a {meta.kind.value}, not an actuator",
                                          ErrorCode.NOT_ACTUATOR)
                self.permissions.check(Action.PROVIDE, path)
                claimed[path] = signal.WhichOneof("signal") == "id"
            self.shared.hub.register_owner(self.thing.id, self, claimed)
        except (HomeboundError, AuthError) as error:
            raise StreamClosed(error) from None
        self.claimed_by_id.update(claimed)
        self.outbox.put_nowait(v2.OpenProviderStreamResponse(provide_actuation_response=v2.ProvideActuationResponse()))

    async def _publish(self, request: v2.PublishValuesRequest) -> None:
        ids = self.shared.ids(self.thing)
        status: dict[int, t2.Error] = {}
        values: dict[str, object] = {}
        by_path: dict[str, int] = {}
        newest: float | None = None
        for signal_id, point in request.data_points.items():
            path = ids.by_id.get(signal_id)
            if path is None:
                status[signal_id] = t2.Error(code=t2.ERROR_CODE_NOT_FOUND, message=f"unknown signal id {signal_id}")
                continue
            if not self.permissions.allows(Action.PROVIDE, path):
                status[signal_id] = t2.Error(code=t2.ERROR_CODE_PERMISSION_DENIED, message=f"cannot provide {path}")
                continue
            values[path] = from_proto_value(point.value, "typed_value")
            by_path[path] = signal_id
            ts = timestamp_seconds(point.timestamp)
            newest = ts if ts is not None and (newest is None or ts > newest) else newest
        if values:
            # Write and answer without holding up the next message: the writes start in order, and their waits
            # for durability end together with one group commit, in the order the messages came.
            task = asyncio.create_task(self._write_and_answer(request.request_id, values, newest, status, by_path))
            self._acks.add(task)
            task.add_done_callback(self._acks.discard)
            return
        self._answer(request.request_id, status)

    async def _write_and_answer(self, request_id: int, values: dict[str, object], ts: float | None,
                                status: dict[int, t2.Error], by_path: dict[str, int]) -> None:
        try:
            result = await self.shared.hub.write(self.thing.id, values, ts, self.permissions.principal)
        except HomeboundError as refused:  # storage down, or a batch refused whole (timestamp, size)
            code = t2.ERROR_CODE_INVALID_ARGUMENT if refused.code is not ErrorCode.STORAGE_UNAVAILABLE \
                else t2.ERROR_CODE_UNSPECIFIED
            self._answer(request_id, status | {signal_id: t2.Error(code=code, message=str(refused))
                                               for signal_id in by_path.values()})
            return
        for failure in result.errors:
            failed_path = str(getattr(failure, "path", ""))
            code = t2.ERROR_CODE_INVALID_ARGUMENT if isinstance(failure, RejectedValue) else t2.ERROR_CODE_NOT_FOUND
            status[by_path.get(failed_path, 0)] = t2.Error(code=code, message=str(failure))
        self._answer(request_id, status)

    def _answer(self, request_id: int, status: dict[int, t2.Error]) -> None:
        self.outbox.put_nowait(v2.OpenProviderStreamResponse(publish_values_response=v2.PublishValuesResponse(
            request_id=request_id, status=status)))

    def _acknowledge(self, response: v2.BatchActuateStreamResponse) -> None:
        if response.error.code in (t2.ERROR_CODE_UNSPECIFIED, t2.ERROR_CODE_OK):
            return
        try:
            path = self._path(response.signal_id)
        except UnknownPath:
            return
        command = self.pending.pop(path, None)
        if command is not None:
            self.shared.hub.fail_command(command.id, f"provider refused: {response.error.message or 'error'}")

    def close(self) -> None:
        for task in self._acks:
            task.cancel()
        self.shared.hub.unregister_owner(self.thing.id, self)


def closing_status(closed: StreamClosed) -> tuple[grpc.StatusCode, str]:
    return v2_status(closed.error), str(closed.error)
