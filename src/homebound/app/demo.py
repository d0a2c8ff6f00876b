"""`homebound demo`: the hub, a home zone, a car running a scenario, the household's devices and the example
automations, in one process, with a live terminal view and the web page on http://127.0.0.1:8321/.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import time
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from homebound.adapters.http import create_app
from homebound.app.config import (
    AutomationsConfig,
    CatalogConfig,
    CommandsConfig,
    Config,
    KuksaConfig,
    MqttConfig,
    ServerConfig,
    SimulationConfig,
    StorageConfig,
    VehicleConfig,
)
from homebound.app.demo_energy import attach_energy, energy_panel, energy_summary
from homebound.app.http_server import server_config
from homebound.app.runtime import Runtime
from homebound.automations.schema import ZoneConfig
from homebound.energy.config import EnergyConfig
from homebound.history.config import HistoryConfig, TariffConfig, TimeOfDayPrice
from homebound.history.exports import local_time
from homebound.history.session_queries import Page, Window
from homebound.hub.commands import CommandState
from homebound.model.geometry import distance_m
from homebound.presence.config import MemberConfig, PhoneConfig, PhoneKeyConfig, PresenceConfig, StationConfig
from homebound.simulators.household.family import FamilyMember, FamilySimulator
from homebound.simulators.household.site import SimulatedSite
from homebound.simulators.vehicle.runner import ScenarioRunner
from homebound.simulators.vehicle.scenario import Scenario

REPO = Path(__file__).resolve().parents[3]


def find_examples(name: str) -> Path:
    """`examples/<name>` in the working directory, else beside the package's source (a clone)."""
    for base in (Path.cwd(), REPO):
        if (base / "examples" / name).exists():
            return base / "examples" / name
    return Path("examples") / name


@dataclass
class Summary:
    """What the demo did, told from the session store (drives and charges) and the automations."""

    distance_km: float
    energy_kwh: float
    charged_kwh: float
    soc_start: float | None
    soc_end: float | None
    automations_fired: int
    commands_confirmed: int
    commands_failed: int
    sim_minutes: float
    drives: list[dict[str, object]] = field(default_factory=list)
    charges: list[dict[str, object]] = field(default_factory=list)
    open_sessions: dict[str, object] = field(default_factory=dict)
    timezone: str = "UTC"
    energy: str | None = None


def _figure(row: dict[str, object] | None, key: str) -> float | None:
    value = None if row is None else row.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


async def session_summary(runtime: Runtime, vehicle: str, since: float, until: float) -> dict[str, object]:
    """The demo's drives and charges from the session store, oldest first, and what is still open."""
    await runtime.carlog.writer.flush()
    window, page = Window(since, until + 1), Page(1000)
    drives = (await runtime.carlog.queries.drives(vehicle, window, page))["items"]
    charges = (await runtime.carlog.queries.charges(vehicle, window, page))["items"]
    assert isinstance(drives, list) and isinstance(charges, list)
    return {"drives": list(reversed(drives)), "charges": list(reversed(charges)),
            "open": runtime.carlog.open_sessions(vehicle)}


ANA = FamilyMember(user="ana", device="phone", tag="irk:ana-phone", name="Ana")


def demo_config(scenario: Scenario, speed: float, port: int, database: Path, mqtt: str | None) -> Config:
    home = scenario.home
    vehicle = scenario.vehicle.id
    return Config(
        catalog=CatalogConfig(overlays=[find_examples("overlays") / "navigation.yaml"]),
        people=[MemberConfig(id="ana", name="Ana", phones=[PhoneConfig(user=ANA.user, device=ANA.device)],
                             tags=[ANA.tag])],
        presence=PresenceConfig(ble_timeout_s=5.0, stations=[StationConfig(id="kitchen", room="Kitchen"),
                                          StationConfig(id="garage", room="Garage", vehicle=vehicle),
                                          StationConfig(id="car_cabin", room="Car", home=False, vehicle=vehicle)]),
        phone_key=PhoneKeyConfig(vehicle=vehicle, members=["ana"], stations=["garage"],
                                 debounce_s=2.0),
        server=ServerConfig(port=port), storage=StorageConfig(url=f"sqlite:///{database}"),
        kuksa=KuksaConfig(enabled=False), mqtt=MqttConfig(url=mqtt),
        commands=CommandsConfig(timeout_s=120),
        automations=AutomationsConfig(files=[find_examples("automations")], zone_debounce_s=30),
        zones=[ZoneConfig(id="home", name="Home", latitude=home.latitude, longitude=home.longitude,
                          radius=home.radius)],
        simulation=SimulationConfig(household=True, speed=speed),
        history=HistoryConfig(tariffs=[TariffConfig(zone="home", price_per_kwh=0.32, currency="EUR", time_of_day=[
            TimeOfDayPrice(start=dt.time(22), end=dt.time(6), price_per_kwh=0.22)]),
            TariffConfig(zone="*", price_per_kwh=0.59, currency="EUR")]),
        energy=scenario.energy or EnergyConfig(),
        vehicles=[VehicleConfig(id=scenario.vehicle.id, name="Family car", vin=scenario.vehicle.vin)])


GENERIC = {"Value", "State", "Option", "IsLocked", "LastEvent", "Command"}


def _label(path: str) -> str:
    """`Sensor.Pm25.Value` -> `Pm25`, `Climate.Ac.TargetTemperature` -> `TargetTemperature`."""
    _, entity, prop = path.split(".", 2)
    return entity if prop in GENERIC else prop


class Demo:
    def __init__(self, runtime: Runtime, runner: ScenarioRunner, console: Console,
                 site: SimulatedSite | None = None) -> None:
        self.runtime = runtime
        self.runner = runner
        self.site = site
        self.console = console
        self.soc_start = runner.car.state.soc
        self._printed = 0

    async def summary(self) -> Summary:
        """The run told from the session store: finished drives and charges, plus the ones still open."""
        vehicle = self.runner.car.id
        sessions = await session_summary(self.runtime, vehicle, self.runner.start, self.runner.now)
        drives, charges = sessions["drives"], sessions["charges"]
        opened = sessions["open"]
        assert isinstance(drives, list) and isinstance(charges, list) and isinstance(opened, dict)
        open_drive, open_charge, parked = opened.get("drive"), opened.get("charge"), opened.get("parked")
        distance = sum(_figure(d, "distance_m") or 0.0 for d in drives) + (_figure(open_drive, "distance_m") or 0.0)
        charged = (sum(_figure(c, "energy_added_kwh") or 0.0 for c in charges)
                   + (_figure(open_charge, "energy_added_kwh") or 0.0))
        first = min([*drives, *charges], key=lambda row: float(str(row["start_ts"])), default=None)
        soc_end = next((soc for soc in (_figure(parked, "soc_now"), _figure(open_drive, "soc_now"),
                                        _figure(open_charge, "soc_now")) if soc is not None), None)
        ended = self.runtime.activity.commands_ended
        return Summary(
            distance_km=distance / 1000, energy_kwh=sum(_figure(d, "energy_kwh") or 0.0 for d in drives),
            charged_kwh=charged, soc_start=_figure(first, "soc_start") if first else self.soc_start,
            soc_end=soc_end if soc_end is not None else self.runner.car.state.soc,
            automations_fired=self.runtime.library.fired(),
            commands_confirmed=ended.get(CommandState.CONFIRMED, 0),
            commands_failed=sum(count for state, count in ended.items() if state is not CommandState.CONFIRMED),
            sim_minutes=(self.runner.now - self.runner.start) / 60, drives=drives, charges=charges,
            open_sessions=opened, timezone=self.runtime.carlog.zone.key, energy=energy_summary(self.runtime))

    def view(self) -> Group:
        runner, car = self.runner, self.runner.car.state
        zone = self.runtime.automations.zones.get("home")
        distance = None if zone is None else distance_m(zone.latitude, zone.longitude, car.latitude,
                                                        car.longitude) / 1000
        direction = self.runtime.automations.direction(self.runner.car.id, "home")
        state = Table.grid(padding=(0, 2))
        state.add_row("time", f"{runner.clock():%H:%M:%S} (x{runner.speed:g})",
                      "speed", f"{car.speed_mps * 3.6:5.1f} km/h")
        state.add_row("battery", f"{car.soc:5.1f} %  range {self.runner.car.range_m / 1000:.0f} km",
                      "to home", "?" if distance is None else f"{distance:5.2f} km, {direction}")
        charging = f"charging {car.power_w / 1000:.1f} kW" if car.charging else (
            "plugged, not charging" if car.plugged else "not plugged")
        state.add_row("charging", charging, "cabin", f"{car.cabin_c:4.1f} °C"
                      + (f" → {car.setpoint_c:g} °C" if car.hvac_on else ""))
        if self.runtime.people is not None:
            ana = self.runtime.people.view("ana")
            state.add_row("Ana", f"{ana.state}" + (f", {ana.room}" if ana.room else ""),
                          "car doors", "locked" if self._locked() else "unlocked")
        devices = Table(show_header=True, header_style="bold", expand=True)
        devices.add_column("device")
        devices.add_column("state")
        bridge = self.runtime.devices
        for device_id in bridge.device_ids() if bridge else []:
            device = bridge.device(device_id) if bridge else None
            if device is None:
                continue
            values = self.runtime.hub.known_values(device_id)
            shown = [f"{_label(path)}={reading.value}" for path, reading in values.items()
                     if not path.startswith(("Availability", "DeviceTracker", "Notify", "Button"))][:5]
            devices.add_row(escape(device.name or device.id), escape(", ".join(shown)))
        log = Table.grid()
        for entry in self.runtime.activity.recent(12):
            log.add_row(f"{time.strftime('%H:%M:%S', time.localtime(float(str(entry['ts']))))} "
                        f"[{'green' if entry['kind'] == 'command' else 'cyan'}]{entry['kind']:>10}[/] "
                        f"{escape(str(entry['text']))}")
        panels = [Panel(state, title=f"{self.runtime.config.vehicles[0].name} — {runner.scenario.name}")]
        smart_charging = energy_panel(self.runtime, self.site)
        if smart_charging is not None:
            panels.append(smart_charging)
        return Group(*panels, Panel(devices, title="household"), Panel(log, title="automations and commands"))

    def _locked(self) -> bool:
        doors = self.runner.car.state.locked
        return all(doors.values())

    def print_new_activity(self) -> None:
        activity = self.runtime.activity
        new = min(activity.total - self._printed, len(activity.entries))
        for entry in activity.recent(new) if new > 0 else []:
            self.console.print(f"{entry['kind']:>10}  {entry['text']}", highlight=False, markup=False)
        self._printed = activity.total


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the demo decides what Ctrl-C does (stop and summarise)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def reset_database(database: Path) -> None:
    """Every demo starts from the scenario, not from the last run."""
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)


async def run_demo(scenario: Scenario, speed: float, duration: float | None, port: int, database: Path,
                   mqtt: str | None, seed: int, console: Console) -> Summary:
    runtime = Runtime(demo_config(scenario, speed, port, database, mqtt))
    runner = ScenarioRunner(runtime.hub, scenario, speed=speed, seed=seed,
                            on_event=lambda text: runtime.activity.log("car", text))
    runtime.activity.map_routes = {name: [(p.latitude, p.longitude) for p in points]
                                   for name, points in scenario.routes.items()}
    runtime.automations.clock.follow(runner.clock, speed)
    site = attach_energy(runtime, runner, speed, seed)
    await runtime.start()
    runner.attach()
    family = _family(runtime, runner, scenario)
    demo = Demo(runtime, runner, console, site)
    server = QuietServer(server_config(create_app(runtime.http_services()), "127.0.0.1", port, log_level="error"))
    serving = asyncio.create_task(server.serve())
    simulation = asyncio.create_task(runner.run(duration))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, simulation.cancel)
    console.print(f"Web page: http://127.0.0.1:{port}/   REST: http://127.0.0.1:{port}/api/v1   "
                  f"(Ctrl-C to stop)")
    try:
        if console.is_terminal:
            with Live(demo.view(), console=console, refresh_per_second=4, transient=False) as live:
                while not simulation.done():
                    await asyncio.sleep(0.25)
                    live.update(demo.view())
        else:
            while not simulation.done():
                await asyncio.sleep(0.25)
                demo.print_new_activity()
            demo.print_new_activity()
        with contextlib.suppress(asyncio.CancelledError):
            await simulation
    finally:
        simulation.cancel()
        if family is not None:
            family.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        summary = await demo.summary()
        await runtime.stop()
    return summary


def print_sessions(summary: Summary, console: Console) -> None:
    """The run's drives and charges, as the session store has them."""
    zone = zoneinfo.ZoneInfo(summary.timezone)
    table = Table(title="The day's drives and charges (from the session store)", show_lines=False)
    for column in ("", "id", "from", "to", "where", "figures"):
        table.add_column(column)
    rows: list[tuple[float, list[str]]] = []
    for drive in summary.drives:
        rows.append((float(str(drive["start_ts"])), [
            "drive", str(drive["id"]), local_time(drive["start_ts"], zone)[11:16],
            local_time(drive["end_ts"], zone)[11:16],
            f"{drive.get('start_place')} → {drive.get('end_place')}",
            f"{_number(drive.get('distance_km'), 2)} km, {_number(drive.get('duration_min'), 0)} min, "
            f"{_number(drive.get('energy_kwh'), 2)} kWh, {_number(drive.get('efficiency_wh_km'), 0)} Wh/km, "
            f"battery {_number(drive.get('soc_start'), 0)} → {_number(drive.get('soc_end'), 0)} %"]))
    for charge in summary.charges:
        cost = f", {_number(charge.get('cost'), 2)} {charge.get('currency')}" if charge.get("cost") is not None else ""
        rows.append((float(str(charge["start_ts"])), [
            "charge", str(charge["id"]), local_time(charge["start_ts"], zone)[11:16],
            local_time(charge["end_ts"], zone)[11:16], str(charge.get("place")),
            f"{charge.get('charge_type') or ''} {_number(charge.get('energy_added_kwh'), 2)} kWh, "
            f"peak {_number(charge.get('peak_power_kw'), 1)} kW, battery {_number(charge.get('soc_start'), 0)} → "
            f"{_number(charge.get('soc_end'), 0)} %{cost}, {charge.get('end_reason')}"]))
    for kind in ("drive", "charge"):
        current = summary.open_sessions.get(kind)
        if isinstance(current, dict):
            metres = _figure(current, "distance_m") or 0.0
            figure = (f"{metres / 1000:.2f} km so far" if kind == "drive"
                      else f"{_number(current.get('energy_added_kwh'), 2)} kWh so far")
            rows.append((float(str(current["start_ts"])), [
                kind, str(current["id"]), local_time(current["start_ts"], zone)[11:16], "(open)", "", figure]))
    for _, row in sorted(rows, key=lambda item: item[0]):
        table.add_row(*row)
    console.print(table)


def _number(value: object, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) and not isinstance(value, bool) else "-"
def _family(runtime: Runtime, runner: ScenarioRunner, scenario: Scenario) -> asyncio.Task[None] | None:
    """Ana's phone (OwnTracks) and its Bluetooth, riding in the car and walking up to it in the garage."""
    if runtime.mqtt is None or runtime.people is None:
        return None
    car = runner.car.state
    member = FamilySimulator(runtime.mqtt, ANA, lambda: (car.latitude, car.longitude, car.speed_mps * 3.6),
                             (scenario.home.latitude, scenario.home.longitude),
                             on_log=lambda text: runtime.activity.log("phone", text))
    member.start()
    key = runtime.phone_key
    if key is not None:
        key.on_decision.append(lambda text: runtime.activity.log("phone key", text))

    async def walk() -> None:
        while True:
            await asyncio.sleep(0.25)
            member.tick()

    return asyncio.create_task(walk(), name="family")
