"""update: a device's firmware or software: installed and latest version, and an install command.

The state is the installed version as text, or JSON with `installed_version` and `latest_version` (and
`in_progress`). An install is confirmed when the installed version reaches the latest one.
"""

from __future__ import annotations

import json

from homebound.adapters.mqtt.kinds.base import ACTUATOR, NONE_PAYLOADS, SENSOR, Entity, text_option
from homebound.model.datatypes import DataType
from homebound.model.signal import SignalMetadata

INSTALL = "INSTALL"


class Update(Entity):
    kind = "update"
    required = (("state_topic", "latest_version_topic"),)

    def datapoints(self) -> list[SignalMetadata]:
        points = [self.point("InstalledVersion", SENSOR, DataType.STRING, "installed version"),
                  self.point("LatestVersion", SENSOR, DataType.STRING, "latest version available"),
                  self.point("InProgress", SENSOR, DataType.BOOLEAN, "installing now")]
        if self.config.get("command_topic"):
            points.append(self.point("Install", ACTUATOR, DataType.STRING, "install the latest version",
                                     allowed=(INSTALL,)))
        return points

    def build(self) -> None:
        installed, latest = self.path("InstalledVersion"), self.path("LatestVersion")
        progress, install = self.path("InProgress"), self.path("Install")
        known: dict[str, str] = {}

        def settle(out: dict[str, object]) -> dict[str, object]:
            for path in (installed, latest):
                if isinstance(out.get(path), str):
                    known[path] = str(out[path])
            if known.get(installed) and known.get(installed) == known.get(latest):
                out[install] = INSTALL  # up to date: an install asked for has reached its end
            return out

        def decode_state(text: str) -> dict[str, object]:
            if text in NONE_PAYLOADS:
                return {}
            if text.startswith("{"):
                try:
                    document = json.loads(text)
                except (ValueError, RecursionError):
                    document = None
                if isinstance(document, dict):
                    out: dict[str, object] = {}
                    for key, path in (("installed_version", installed), ("latest_version", latest)):
                        if isinstance(document.get(key), str | int | float):
                            out[path] = str(document[key])[:100]
                    if isinstance(document.get("in_progress"), bool):
                        out[progress] = document["in_progress"]
                    return settle(out)
            return settle({installed: text[:100]})

        def decode_latest(text: str) -> dict[str, object]:
            return {} if text in NONE_PAYLOADS else settle({latest: text[:100]})

        self.route("state_topic", "value_template", decode_state, installed, latest, progress, install)
        self.route("latest_version_topic", "latest_version_template", decode_latest, latest, install)
        payload = text_option(self.config, "payload_install", "install")
        self.encoder("Install", "command_topic", lambda _v: payload)
