"""The site's meters as the controller reads them each cycle: grid, solar, home battery, in watts.

Meters differ: one signed grid reading or separate import and export, watts or kilowatts, export counted
positive by some. `SiteMeters` turns whatever the configuration names into one `SiteView` with the conventions
used everywhere in `energy/`: grid import positive, battery discharge positive.
"""

from __future__ import annotations

from dataclasses import dataclass

from homebound.energy.config import BatteryRole, MeterRole, SiteConfig
from homebound.energy.readings import ThingWatch
from homebound.hub.core import Hub


@dataclass(frozen=True)
class SiteView:
    """One cycle's readings; None where a meter is missing, offline or says nonsense."""

    grid_w: float | None
    solar_w: float | None
    battery_w: float | None
    battery_soc: float | None
    battery_priority_soc: float = 50.0

    def surplus_for_car(self, charger_w: float) -> float | None:
        """What a car may take without importing: its draw, plus the export, less a discharging battery, plus a
        charging battery's power once the battery is past its priority state of charge."""
        if self.grid_w is None:
            return None
        available = charger_w - self.grid_w
        battery = self.battery_w
        if battery is not None:
            car_first = self.battery_soc is not None and self.battery_soc >= self.battery_priority_soc
            if battery > 0 or car_first:
                available -= battery
        return available


def _scale(unit: str) -> float:
    return 1000.0 if unit == "kW" else 1.0


class SiteMeters:
    """Watches the grid meter, the inverter and the home battery named in the configuration."""

    def __init__(self, hub: Hub, config: SiteConfig) -> None:
        self.config = config
        self.watches: dict[str, ThingWatch] = {}
        for role in (config.grid, config.solar, config.battery):
            if role is None:
                continue
            paths = [role.power] + ([role.export_power] if role.export_power else [])
            if isinstance(role, BatteryRole) and role.soc:
                paths.append(role.soc)
            existing = self.watches.get(role.thing)
            if existing is not None:
                paths += existing.paths
            self.watches[role.thing] = ThingWatch(hub, role.thing, paths)

    def refresh(self) -> None:
        for watch in self.watches.values():
            watch.refresh()

    def _power(self, role: MeterRole | None) -> float | None:
        if role is None:
            return None
        watch = self.watches[role.thing]
        scale = _scale(role.unit)
        power = watch.number(role.power, scale)
        if power is None:
            return None
        if role.export_power is not None:
            export = watch.number(role.export_power, scale)
            if export is None:
                return None
            power -= export
        return -power if role.invert else power

    def view(self) -> SiteView:
        battery = self.config.battery
        soc = None
        if battery is not None and battery.soc:
            soc = self.watches[battery.thing].number(battery.soc)
        return SiteView(self._power(self.config.grid), self._power(self.config.solar), self._power(battery), soc,
                        battery.priority_soc if battery is not None else 50.0)

    def problems(self) -> list[str]:
        out = []
        for watch in self.watches.values():
            out += watch.problems
            if not watch.online and not watch.problems:
                out.append(f"{watch.thing} is offline")
        return out

    def close(self) -> None:
        for watch in self.watches.values():
            watch.close()
