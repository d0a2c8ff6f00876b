"""The activity log and map data the web page (and the demo's terminal) show: automations firing, commands
ending, device and car news, and the routes a running scenario drives. A listener of its own, fed by the hub's
command stream and the automation engine's runs.
"""

from __future__ import annotations

import time
from collections import deque

from homebound.automations.traces import Trace
from homebound.hub.commands import Command, CommandState

ENTRIES_KEPT = 200
TEXT_SHOWN = 300


class ActivityLog:
    """The last few hundred things that happened, newest last, and the routes to draw."""

    def __init__(self, kept: int = ENTRIES_KEPT) -> None:
        self.entries: deque[dict[str, object]] = deque(maxlen=kept)
        self.map_routes: dict[str, list[tuple[float, float]]] = {}
        self.commands_ended: dict[CommandState, int] = {}
        self.total = 0

    def log(self, kind: str, text: str, ts: float | None = None) -> None:
        if len(text) > TEXT_SHOWN:
            text = text[:TEXT_SHOWN] + "…"
        self.entries.append({"ts": ts or time.time(), "kind": kind, "text": text})
        self.total += 1

    def on_command(self, command: Command) -> None:
        if not command.state.is_final:
            return
        self.commands_ended[command.state] = self.commands_ended.get(command.state, 0) + 1
        mark = ("confirmed" if command.state is CommandState.CONFIRMED
                else f"{command.state.value}: {command.reason}")
        self.log("command", f"{command.thing} {command.path} = {command.target!r} {mark} ({command.principal})")

    def on_run(self, trace: Trace) -> None:
        if trace.result == "running":
            kind = trace.trigger.get("kind", "trigger")
            self.log("automation", f"{trace.automation} fired ({kind})")

    def recent(self, limit: int) -> list[dict[str, object]]:
        return list(self.entries)[-limit:] if limit > 0 else []

    def routes(self) -> dict[str, list[tuple[float, float]]]:
        return self.map_routes
