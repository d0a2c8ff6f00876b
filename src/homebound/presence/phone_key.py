"""The phone as the car's key: unlock when a member with the right to the car walks up to it, lock when they
walk away.

Its stations are those beside the car (the garage, the driveway): a station inside the car hears the driver,
which is not an approach.

Safe by construction: only Bluetooth distance counts (a GPS fix says a street, not an arm's length), it must
hold for `debounce_s` below `unlock_within_m` (and beyond `lock_beyond_m` to lock: the gap keeps it from
flapping), the car must be parked and all its doors locked to unlock, never while it moves (and the hub's own
interlock refuses unlocking a moving car whoever asks). It locks only what it unlocked, once every member with
the right is away and the doors are shut. Every command goes through `Hub.command` as the member
(`phone:<member>`), so it is audited like any other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from homebound.hub.commands import Command
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.model import vss_paths as vss
from homebound.model.errors import HomeboundError
from homebound.presence.config import PhoneKeyConfig
from homebound.presence.household import Household

log = logging.getLogger(__name__)
MOVING_KMH = 1.0


@dataclass
class KeyHolder:
    near_since: float | None = None
    far_since: float | None = None


@dataclass
class PhoneKey:
    """Watches the members' Bluetooth distance to the car's stations and locks or unlocks the car."""

    hub: Hub
    household: Household
    config: PhoneKeyConfig
    holders: dict[str, KeyHolder] = field(default_factory=dict)
    unlocked_by: str | None = None
    commands: list[Command] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    on_decision: list[Callable[[str], None]] = field(default_factory=list)
    _busy: bool = False

    def __post_init__(self) -> None:
        self.holders = {member: KeyHolder() for member in self.config.members}
        self.household.on_bluetooth.append(self.evaluate)

    # ---- the car ----------------------------------------------------------------------------------------------

    def _car(self) -> tuple[bool, bool, bool, bool]:
        """(moving, all doors locked, any door unlocked, all doors shut) from the hub's current values."""
        vehicle = self.config.vehicle
        paths = [vss.SPEED, vss.IS_MOVING, *(f"{d}.IsLocked" for d in vss.DOORS), *(f"{d}.IsOpen" for d in vss.DOORS)]
        values = self.hub.values(vehicle, [p for p in paths if self.hub.exists(vehicle, p)])
        speed = values.get(vss.SPEED)
        moving = values.get(vss.IS_MOVING) is True or (isinstance(speed, int | float) and abs(speed) >= MOVING_KMH)
        locks = [values.get(f"{d}.IsLocked") for d in vss.DOORS]
        opened = [values.get(f"{d}.IsOpen") for d in vss.DOORS]
        return (moving, all(v is True for v in locks), any(v is False for v in locks),
                not any(v is True for v in opened))

    # ---- deciding ---------------------------------------------------------------------------------------------

    def evaluate(self, member: str, now: float | None = None) -> None:
        """A member's Bluetooth distance changed (or time passed): lock or unlock when the rules say so."""
        now = time.time() if now is None else now
        holder = self.holders.get(member)
        if holder is None or self._busy or not self.hub.exists(self.config.vehicle):
            return
        if any(self.hub.pending_command(self.config.vehicle, f"{door}.IsLocked") for door in vss.DOORS):
            return  # a lock or unlock is under way: let it end first
        distance = self.household.vehicle_distance(member, now, set(self.config.stations))
        close = distance is not None and distance <= self.config.unlock_within_m
        far = distance is None or distance >= self.config.lock_beyond_m
        holder.near_since = (holder.near_since or now) if close else None
        holder.far_since = (holder.far_since or now) if far else None
        moving, all_locked, any_unlocked, all_shut = self._car()
        held = self.config.debounce_s
        if close and moving:
            holder.near_since = None  # closeness counts only from when the car stands still
            self._decide(f"{member} is at the car but it is moving: not unlocked")
            return
        if close and holder.near_since is not None and now - holder.near_since >= held:
            if all_locked:
                self._start(member, locked=False)
            return
        everyone_away = all(h.far_since is not None and now - h.far_since >= held for h in self.holders.values())
        if (self.config.lock_when_leaving and self.unlocked_by is not None and everyone_away and any_unlocked
                and all_shut and not moving):
            self._start(self.unlocked_by, locked=True)

    def _decide(self, text: str) -> None:
        if not self.decisions or self.decisions[-1] != text:
            self.decisions.append(text)
            del self.decisions[:-100]
            log.info("phone key: %s", text)
            for listener in self.on_decision:
                listener(text)

    def _start(self, member: str, locked: bool) -> None:
        self._busy = True
        task = asyncio.get_running_loop().create_task(self._command(member, locked))
        task.add_done_callback(lambda _t: setattr(self, "_busy", False))

    async def _command(self, member: str, locked: bool) -> None:
        who = principal(Door.PHONE, member)
        verb = "lock" if locked else "unlock"
        try:
            for door in vss.DOORS:
                self.commands.append(await self.hub.command(who, self.config.vehicle, f"{door}.IsLocked", locked))
        except HomeboundError as error:
            self._decide(f"{verb} for {member} refused: {str(error)[:200]}")
            return
        self.unlocked_by = None if locked else member
        self._decide(f"{verb}ed {self.config.vehicle} for {member}")
