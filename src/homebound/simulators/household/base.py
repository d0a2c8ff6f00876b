"""The shape every simulated device shares: discovery, a JSON state topic, commands, and time that moves."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import ClassVar

SIM_ROOT = "homebound-sim"
BRIDGE_STATE = f"{SIM_ROOT}/bridge/state"


class SimulatedDevice(ABC):
    """One device: publishes device-based discovery, keeps its state as a dict, answers commands on `set/<key>`."""

    model: ClassVar[str] = "Simulated device"

    def __init__(self, device_id: str, name: str, root: str = SIM_ROOT) -> None:
        self.id = device_id
        self.name = name
        self.root = root
        self.base = f"{root}/{device_id}"
        self.state_topic = f"{self.base}/state"
        self.events: list[tuple[str, str]] = []  # (topic, payload) to publish once, e.g. device events
        self.log: list[str] = []

    # ---- to be filled by each device ----------------------------------------------------------------------

    @abstractmethod
    def components(self) -> dict[str, dict[str, object]]:
        """The device's entities, as the `cmps` of its discovery message."""

    @abstractmethod
    def state(self) -> dict[str, object]:
        """The JSON document published on the state topic."""

    @abstractmethod
    def command(self, key: str, payload: str) -> None:
        """React to a message on `<base>/set/<key>`."""

    def tick(self, seconds: float) -> None:  # noqa: B027 - most devices only change when commanded
        """Let `seconds` of simulated time pass."""

    def messages(self) -> list[tuple[str, str]]:
        """Every state message of the device (most have one JSON state topic)."""
        return [self.state_message()]

    # ---- shared helpers -----------------------------------------------------------------------------------

    def sensor(self, key: str, name: str, unit: str | None = None, device_class: str | None = None,
               numeric: bool = True, state_class: str = "measurement") -> dict[str, object]:
        config: dict[str, object] = {"p": "sensor", "name": name, "stat_t": self.state_topic,
                                     "val_tpl": f"{{{{ value_json.{key} }}}}", "uniq_id": f"{self.id}_{key}"}
        if unit:
            config["unit_of_meas"] = unit
        if device_class:
            config["dev_cla"] = device_class
        if numeric:
            config["stat_cla"] = state_class
        return config

    def switch(self, key: str, name: str) -> dict[str, object]:
        return {"p": "switch", "name": name, "stat_t": self.state_topic, "val_tpl": f"{{{{ value_json.{key} }}}}",
                "cmd_t": f"{self.base}/set/{key}", "uniq_id": f"{self.id}_{key}"}

    def discovery(self, prefix: str) -> tuple[str, str]:
        payload = {
            "dev": {"ids": [self.id], "name": self.name, "mf": "Homebound simulator", "mdl": self.model},
            "o": {"name": "homebound-devices-simulate"},
            "avty": [{"t": f"{self.root}/bridge/state"}],
            "cmps": self.components(),
        }
        return f"{prefix}/device/{self.id}/config", json.dumps(payload)

    def state_message(self) -> tuple[str, str]:
        return self.state_topic, json.dumps(self.state())


def on_off(value: bool) -> str:
    return "ON" if value else "OFF"
