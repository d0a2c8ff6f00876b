"""Telling a wallbox what to do, only through `Hub.command`, and only when something must change.

The driver compares what the controller wants (enabled, current, phases) with what the wallbox reports and
with the commands still pending, and sends a command only for a difference, so a steady state costs nothing and
the contactor is switched only when the decision changes. A refused or unconfirmed command is retried after a
pause, not every cycle. Without an enable switch on the wallbox, the car's own `StartStopCharging` is used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from homebound.energy.config import WallboxRole
from homebound.energy.readings import ThingWatch
from homebound.energy.surplus import Setpoint
from homebound.hub.commands import Command, CommandState
from homebound.hub.core import Hub
from homebound.model.errors import HomeboundError

log = logging.getLogger(__name__)
START_STOP = "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging"
RETRY_AFTER_S = 30.0
Switch = Literal["start", "stop", "phases"]


@dataclass
class _Sent:
    command: Command | None
    target: object
    at: float
    error: str | None = None


class WallboxDriver:
    """Moves one wallbox (and, without an enable switch, its car) to a setpoint through the hub."""

    def __init__(self, hub: Hub, principal: str, role: WallboxRole, vehicle: str | None) -> None:
        self.hub = hub
        self.principal = principal
        self.role = role
        self.vehicle = vehicle
        self.switches = 0
        self.commands_sent = 0
        self.last_change: float | None = None
        self.problems: list[str] = []
        self._sent: dict[tuple[str, str], _Sent] = {}

    def enabled(self, wallbox: ThingWatch, car: ThingWatch | None) -> bool:
        """Whether charging is allowed now, as the wallbox (or the car) reports it; unknown counts as off."""
        if self.role.enable is not None:
            return wallbox.flag(self.role.enable) is True
        if car is not None:
            return car.flag(START_STOP) is True
        return (wallbox.number(self.role.current_limit) or 0.0) > 0

    def phases(self, wallbox: ThingWatch) -> int:
        if self.role.phases_switch is None:
            return self.role.phases
        reported = wallbox.number(self.role.phases_switch)
        if reported is None:
            text = wallbox.value(self.role.phases_switch)
            reported = float(text) if isinstance(text, str) and text.strip() in ("1", "3") else None
        return int(reported) if reported in (1.0, 3.0) else self.role.phases

    def current_target(self) -> float | None:
        sent = self._sent.get((self.role.thing, self.role.current_limit))
        return None if sent is None or not isinstance(sent.target, int | float) else float(sent.target)

    async def apply(self, setpoint: Setpoint, now: float, wallbox: ThingWatch, car: ThingWatch | None) -> Switch | None:
        """Send what differs; says which contactor switch that made, if any: a start, a stop, or phases."""
        self.problems = []
        enabled_now = self.enabled(wallbox, car)
        switch: Switch | None = None
        if not setpoint.enabled:
            if await self._set_enabled(False, now, wallbox, car) and enabled_now:
                switch = "stop"
        else:
            if self.role.phases_switch is not None and setpoint.phases != self.phases(wallbox):
                reported = wallbox.value(self.role.phases_switch)
                value: object = str(setpoint.phases) if isinstance(reported, str) else setpoint.phases
                if await self._ensure(self.role.thing, self.role.phases_switch, value, reported, now) and enabled_now:
                    switch = "phases"  # a running charge is interrupted to change phases
            await self._ensure(self.role.thing, self.role.current_limit, float(setpoint.current_a),
                               wallbox.number(self.role.current_limit), now)
            if await self._set_enabled(True, now, wallbox, car) and not enabled_now:
                switch = "start"
        if switch is not None:
            self.switches += 1
        return switch

    async def _set_enabled(self, wanted: bool, now: float, wallbox: ThingWatch, car: ThingWatch | None) -> bool:
        """Allow or stop charging; True if a command was sent."""
        if self.role.enable is not None:
            return await self._ensure(self.role.thing, self.role.enable, wanted, wallbox.flag(self.role.enable), now)
        if self.vehicle is not None and car is not None:
            return await self._ensure(self.vehicle, START_STOP, "START" if wanted else "STOP", car.value(START_STOP),
                                      now)
        if wanted:
            return False  # the current limit alone starts it
        return await self._ensure(self.role.thing, self.role.current_limit, 0.0,
                                  wallbox.number(self.role.current_limit), now)

    async def _ensure(self, thing: str, path: str, target: object, reported: object, now: float) -> bool:
        """Command `target` unless it is reported or already on its way; True if a command was sent."""
        key = (thing, path)
        sent = self._sent.get(key)
        if reported == target and (sent is None or sent.target == target):
            return False
        if sent is not None and sent.target == target:
            if sent.command is not None and sent.command.state is CommandState.PENDING:
                return False
            if sent.command is not None and sent.command.state is CommandState.CONFIRMED and reported is None:
                return False
            failed = sent.error or (sent.command.reason if sent.command is not None else None)
            if now - sent.at < RETRY_AFTER_S:
                if failed:
                    self.problems.append(f"{thing} {path} = {target!r} not done: {failed}")
                return False
        try:
            command = await self.hub.command(self.principal, thing, path, target)
        except HomeboundError as error:
            self._sent[key] = _Sent(None, target, now, str(error))
            self.problems.append(f"{thing} {path} = {target!r} refused: {error}")
            log.warning("energy: %s %s = %r refused: %s", thing, path, target, str(error)[:200])
            return False
        self.commands_sent += 1
        self._sent[key] = _Sent(command, target, now)
        self.last_change = now
        return True

    def forget(self) -> None:
        """A new session: nothing sent before counts."""
        self._sent.clear()
