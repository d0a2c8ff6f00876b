"""The household's automations as a whole: the files they come from, the zones, and what loading found.

What the REST API and the command line ask of automations goes through here: list, traces, reload the files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from homebound.automations.engine import AutomationEngine
from homebound.automations.loader import load_paths
from homebound.automations.schema import ZoneConfig
from homebound.automations.traces import Trace
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.model.geometry import Zone

log = logging.getLogger(__name__)


class UnknownAutomation(HomeboundError):
    code = ErrorCode.NOT_FOUND


class AutomationLibrary:
    """The automation files and configured zones, loaded into an engine."""

    def __init__(self, engine: AutomationEngine, files: list[Path], zones: list[ZoneConfig]) -> None:
        self.engine = engine
        self.files = files
        self.configured_zones = zones
        #: Called with the zones after each reload (the car's story names places by zone); returns warnings.
        self.zones_changed: list[Callable[[Iterable[Zone]], list[str]]] = []
        self.zone_warnings: list[str] = []

    @property
    def problems(self) -> list[str]:
        return self.engine.load_errors

    def reload(self) -> list[str]:
        """(Re)read the files; returns every problem found (bad automations are skipped, the rest load)."""
        loaded = load_paths(self.files)
        zones = [*self.configured_zones, *loaded.zones]
        self.engine.zones = {z.id: Zone(z.id, z.latitude, z.longitude, z.radius, z.name) for z in zones}
        self.zone_warnings = [warning for listener in self.zones_changed
                              for warning in listener(self.engine.zones.values())]
        problems = loaded.errors + self.engine.load(loaded.automations)
        self.engine.load_errors = problems
        for problem in loaded.errors:
            log.error("automation file: %s", problem)
        return problems

    def loaded(self) -> int:
        return len(self.engine.automations)

    def summary(self) -> list[dict[str, object]]:
        return self.engine.summary()

    def zones(self) -> list[Zone]:
        return list(self.engine.zones.values())

    def traces(self, automation_id: str) -> list[Trace]:
        if automation_id not in self.engine.automations:
            raise UnknownAutomation(f"unknown automation {automation_id!r}; known: "
                                    f"{', '.join(sorted(self.engine.automations)) or 'none'}")
        return list(reversed(self.engine.traces.of(automation_id)))

    def fired(self) -> int:
        """Runs started so far, over every automation."""
        return sum(state.fired for state in self.engine.automations.values())
