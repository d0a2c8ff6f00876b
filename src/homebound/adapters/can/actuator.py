"""Commands back onto the bus: a VSS actuator's target becomes the CAN frame the DBC defines (`vss2dbc`).

The gateway registers a `CanActuator` as the owner of the mapped actuators. The hub hands it each accepted
command; it transforms the target (the mapping's `vss2dbc` transform), fills the frame's other signals (the
mapping's `defaults`, else the DBC's initial value, else the value nearest zero the signal allows), encodes it
strictly with cantools and sends it. The command stays pending: it is
confirmed when the car reports the new value through the decoder and `Hub.ingest`, as every command is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from cantools.database.can import Message
from cantools.database.namedsignalvalue import NamedSignalValue

import can
from homebound.adapters.can.decoder import BoundActuator
from homebound.adapters.can.transforms import Skip, to_dbc
from homebound.hub.commands import Command
from homebound.model.errors import HomeboundError

SEND_TIMEOUT_S = 0.5


class ActuationError(HomeboundError):
    """A command that cannot become a CAN frame or could not be sent; the command fails with this message."""


class CanActuator:
    """Owner of the mapped actuators of one car: encodes each command into its frame and sends it."""

    def __init__(self, bus: can.BusABC, actuators: Mapping[str, BoundActuator],
                 defaults: Mapping[str, int | float | str] | None = None) -> None:
        self.bus = bus
        self.actuators = dict(actuators)
        self.defaults = dict(defaults or {})
        self.sent = 0
        self.refused = 0

    def frame_for(self, path: str, target: object) -> can.Message:
        """The frame that asks for `target` on `path` (ActuationError if the mapping or the DBC cannot say)."""
        actuator = self.actuators.get(path)
        if actuator is None:
            raise ActuationError(f"{path}: no vss2dbc mapping; mapped actuators: {', '.join(sorted(self.actuators))}")
        try:
            value = to_dbc(actuator.transform.apply(target))
        except Skip as skip:
            raise ActuationError(f"{path}: target {target!r} has no CAN value: {skip.reason}") from None
        message = actuator.message
        values = self._frame_values(message)
        values[actuator.signal] = value
        try:
            data = message.encode(values, scaling=True, strict=True)
        except Exception as error:  # cantools: EncodeError for out-of-range, KeyError for unknown names...
            raise ActuationError(f"{path}: target {target!r} -> {actuator.signal} = {value!r} cannot be encoded "
                                 f"into {message.name}: {' '.join(str(error).split())[:200]}") from None
        return can.Message(arbitration_id=message.frame_id, data=data, is_extended_id=message.is_extended_frame,
                           is_fd=message.is_fd)

    def _frame_values(self, message: Message) -> dict[str, int | float | str | NamedSignalValue]:
        values: dict[str, int | float | str | NamedSignalValue] = {}
        for signal in message.signals:
            if signal.name in self.defaults:
                values[signal.name] = self.defaults[signal.name]
            elif signal.initial is not None:
                values[signal.name] = signal.initial
            else:
                low = signal.minimum if signal.minimum is not None else 0
                high = signal.maximum if signal.maximum is not None else 0
                values[signal.name] = min(max(0, low), high) if high >= low else 0
        return values

    async def actuate(self, command: Command) -> None:
        """The hub's call: send the frame now; raising fails the command with the message."""
        try:
            frame = self.frame_for(command.path, command.target)
        except ActuationError:
            self.refused += 1
            raise
        try:
            await asyncio.to_thread(self.bus.send, frame, SEND_TIMEOUT_S)
        except can.CanError as error:
            self.refused += 1
            raise ActuationError(f"{command.path}: the CAN bus refused the frame: {error}") from None
        self.sent += 1
