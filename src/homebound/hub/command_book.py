"""The commands the hub remembers, their deadlines, and how each one ends.

`Hub.command` decides whether a command may start; from then on this book keeps it: the recent commands by id
(for idempotency and for `GET /commands/{id}`), a timer per pending command, and one `finish` that every ending
(confirmed, failed, timed out, superseded) goes through, so listeners and subscribers hear of each change once.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

from homebound.hub.commands import Command, CommandState
from homebound.hub.events import Field, Update
from homebound.hub.state import ThingState

RECENT_COMMANDS_KEPT = 10_000

CommandListener = Callable[[Command], None]


class CommandBook:
    """Recent commands by id, with a deadline timer for each pending one."""

    def __init__(self, things: dict[str, ThingState]) -> None:
        self._things = things
        self._commands: OrderedDict[str, Command] = OrderedDict()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.listeners: list[CommandListener] = []

    def get(self, command_id: str) -> Command | None:
        return self._commands.get(command_id)

    def recent(self) -> list[Command]:
        return list(self._commands.values())

    def remember(self, command: Command) -> None:
        self._commands[command.id] = command
        while len(self._commands) > RECENT_COMMANDS_KEPT:
            oldest_id, oldest = next(iter(self._commands.items()))
            if not oldest.state.is_final:
                self._commands.move_to_end(oldest_id)
                break
            del self._commands[oldest_id]

    def arm(self, command: Command) -> None:
        """Time the command out at its deadline (only inside a running loop; tests may have none)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.0, command.deadline - time.time())
        self._timers[command.id] = loop.call_later(delay, self._time_out, command.id)

    def _time_out(self, command_id: str) -> None:
        self._timers.pop(command_id, None)
        command = self._commands.get(command_id)
        if command is not None and not command.state.is_final:
            self.finish(command, CommandState.TIMED_OUT, "the thing did not reach the target in time", time.time())

    def finish(self, command: Command, state: CommandState, reason: str | None, ts: float) -> None:
        command.state = state
        command.reason = reason
        command.updated_at = ts
        thing = self._things.get(command.thing)
        if thing is not None and thing.pending.get(command.path) is command:
            del thing.pending[command.path]
        timer = self._timers.pop(command.id, None)
        if timer is not None:
            timer.cancel()
        self.notify(command)

    def notify(self, command: Command) -> None:
        """Tell command subscribers of the datapoint and every command listener."""
        thing = self._things.get(command.thing)
        if thing is not None:
            subscribers = thing.watchers[Field.COMMAND].get(command.path)
            if subscribers:
                update = Update(command.thing, command.path, Field.COMMAND, command.to_json(), command.updated_at)
                for subscription in list(subscribers):
                    subscription.deliver([update])
        for listener in self.listeners:
            listener(command)

    def disarm(self, command_id: str) -> None:
        """Stop timing a command without ending it: another hub keeps it from now on."""
        timer = self._timers.pop(command_id, None)
        if timer is not None:
            timer.cancel()

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
