"""lawn_mower: its activity (mowing, docked...) and start/pause/dock, each command on its own topic.

A command is confirmed when the activity shows it: `start_mowing` by `mowing`, `pause` by `paused`, `dock` by
`docked` (`returning` is still on the way); `stop` has no activity of its own and is done once sent.
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, SENSOR, Entity, PayloadError, topic_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata
from homebound.model.templates import render_command

ACTIVITIES = ("mowing", "paused", "idle", "docked", "returning", "error")
COMMANDS: dict[str, str | None] = {"start_mowing": "mowing", "pause": "paused", "dock": "docked", "stop": None}


class LawnMower(Entity):
    kind = "lawn_mower"
    required = (("start_mowing_command_topic", "pause_command_topic", "dock_command_topic", "stop_command_topic"),)

    def offered(self) -> tuple[str, ...]:
        return tuple(name for name in COMMANDS if topic_option(self.config, f"{name}_command_topic"))

    def confirmed_when_sent(self, path: str, value: object) -> bool:
        return value == "stop" or super().confirmed_when_sent(path, value)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("Command", ACTUATOR, DataType.STRING, "start mowing, pause, dock or stop",
                             allowed=self.offered())]
        if self.config.get("activity_state_topic"):
            points.insert(0, self.point("Activity", SENSOR, DataType.STRING, "what it is doing",
                                        allowed=ACTIVITIES))
        return points

    def build(self) -> None:
        activity, command = self.path("Activity"), self.path("Command")
        confirms = {state: name for name, state in COMMANDS.items() if state}

        def decode(text: str) -> dict[str, object]:
            if text in ("none", "None", ""):
                return {}
            if text not in ACTIVITIES:
                raise PayloadError(f"{activity}: payload {text[:80]!r} is not one of {', '.join(ACTIVITIES)}")
            out: dict[str, object] = {activity: text}
            if text in confirms:
                out[command] = confirms[text]
            return out

        self.route("activity_state_topic", "activity_value_template", decode, activity, command)
        per_command = {name: topic_option(self.config, f"{name}_command_topic") for name in COMMANDS}
        templates = {name: self.config.get(f"{name}_command_template") for name in COMMANDS}

        def encode(value: object) -> list[tuple[str, str]]:
            name = str(value)
            topic = per_command.get(name)
            if topic is None:
                raise PayloadError(f"{command}: {name!r} has no command topic")
            template = templates[name]
            if isinstance(template, str):
                return [(topic, render_command(template, name))]
            return [(topic, name)]

        if any(per_command.values()):
            self.encoder_raw("Command", encode)
