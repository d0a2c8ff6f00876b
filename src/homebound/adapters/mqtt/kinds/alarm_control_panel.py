"""alarm_control_panel: an alarm's state (disarmed, armed_home...) and arm/disarm/trigger commands.

A command is confirmed when the panel reports the state it asked for (`arm_away` by `armed_away`). The
panel's `command_template` receives `action` and `code`; a `code` in the config that is not one of Home
Assistant's remote markers is sent as the code.
"""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, SENSOR, Entity, PayloadError, strings_option, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

STATES = ("disarmed", "armed_home", "armed_away", "armed_night", "armed_vacation", "armed_custom_bypass",
          "pending", "triggered", "arming", "disarming")
# command -> (payload option, default payload, the state that confirms it, the feature that offers it)
COMMANDS = {
    "arm_home": ("payload_arm_home", "ARM_HOME", "armed_home", "arm_home"),
    "arm_away": ("payload_arm_away", "ARM_AWAY", "armed_away", "arm_away"),
    "arm_night": ("payload_arm_night", "ARM_NIGHT", "armed_night", "arm_night"),
    "arm_vacation": ("payload_arm_vacation", "ARM_VACATION", "armed_vacation", "arm_vacation"),
    "arm_custom_bypass": ("payload_arm_custom_bypass", "ARM_CUSTOM_BYPASS", "armed_custom_bypass",
                          "arm_custom_bypass"),
    "disarm": ("payload_disarm", "DISARM", "disarmed", ""),
    "trigger": ("payload_trigger", "TRIGGER", "triggered", "trigger"),
}
REMOTE_CODES = ("REMOTE_CODE", "REMOTE_CODE_TEXT")


class AlarmControlPanel(Entity):
    kind = "alarm_control_panel"
    required = (("state_topic",), ("command_topic",))

    def offered(self) -> tuple[str, ...]:
        features = strings_option(self.config.get("supported_features"), tuple(c[3] for c in COMMANDS.values()))
        return tuple(name for name, spec in COMMANDS.items() if not spec[3] or spec[3] in features)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("State", SENSOR, DataType.STRING, "alarm state", allowed=STATES),
                self.point("Command", ACTUATOR, DataType.STRING, "arm, disarm or trigger", allowed=self.offered())]

    def build(self) -> None:
        state, command = self.path("State"), self.path("Command")
        confirms = {spec[2]: name for name, spec in COMMANDS.items()}

        def decode(text: str) -> dict[str, object]:
            if text not in STATES:
                raise PayloadError(f"{state}: payload {text[:80]!r} is not one of {', '.join(STATES)}")
            out: dict[str, object] = {state: text}
            if text in confirms:
                out[command] = confirms[text]
            return out

        self.route("state_topic", "value_template", decode, state, command)
        payloads = {name: text_option(self.config, spec[0], spec[1]) for name, spec in COMMANDS.items()}
        code = self.config.get("code")
        sent_code = "" if code is None or code in REMOTE_CODES else str(code)

        def variables(value: object) -> dict[str, object]:
            return {"action": payloads[str(value)], "code": sent_code}

        self.encoder("Command", "command_topic", lambda v: payloads[str(v)], "command_template", variables)
