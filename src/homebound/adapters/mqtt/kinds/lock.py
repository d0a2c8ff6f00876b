"""lock: a door or scooter lock; `IsLocked` is true or false, moving states (locking, jammed) bring no value."""

from __future__ import annotations

from homebound.adapters.mqtt.kinds.base import ACTUATOR, Entity, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata


class Lock(Entity):
    kind = "lock"
    required = (("command_topic",),)

    def datapoints(self) -> list[SignalMetadata]:
        return [self.point("IsLocked", ACTUATOR, DataType.BOOLEAN, "locked")]

    def build(self) -> None:
        self.on_off("IsLocked", on_key="payload_lock", off_key="payload_unlock", state_on="state_locked",
                    state_off="state_unlocked", default_on="LOCK", default_off="UNLOCK", with_state=False,
                    command_template="command_template")
        locked = text_option(self.config, "state_locked", "LOCKED")
        unlocked = text_option(self.config, "state_unlocked", "UNLOCKED")
        path = self.path("IsLocked")

        def decode(text: str) -> dict[str, object]:
            if text in (locked, unlocked):
                return {path: text == locked}
            return {}  # locking, unlocking, jammed: moving, no new value yet

        self.route("state_topic", "value_template", decode, path)
