"""`homebound demo`: the hub, a home zone, a car running a scenario, the household's devices and the example
automations, in one process, with a live terminal view and the web page on http://127.0.0.1:8321/.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
from homebound.app.runtime import Runtime
from homebound.automations.schema import ZoneConfig
from homebound.hub.commands import CommandState
from homebound.model.geometry import distance_m
from homebound.presence.config import MemberConfig, PhoneConfig, PhoneKeyConfig, PresenceConfig, StationConfig
from homebound.simulators.household.family import FamilyMember, FamilySimulator
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
    distance_km: float
    energy_kwh: float
    charged_kwh: float
    soc_start: float
    soc_end: float
    automations_fired: int
    commands_confirmed: int
    commands_failed: int
    sim_minutes: float


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
        vehicles=[VehicleConfig(id=scenario.vehicle.id, name="Family car", vin=scenario.vehicle.vin)])


GENERIC = {"Value", "State", "Option", "IsLocked", "LastEvent", "Command"}


def _label(path: str) -> str:
    """`Sensor.Pm25.Value` -> `Pm25`, `Climate.Ac.TargetTemperature` -> `TargetTemperature`."""
    _, entity, prop = path.split(".", 2)
    return entity if prop in GENERIC else prop


class Demo:
    def __init__(self, runtime: Runtime, runner: ScenarioRunner, console: Console) -> None:
        self.runtime = runtime
        self.runner = runner
        self.console = console
        self.soc_start = runner.car.state.soc
        self._printed = 0

    def summary(self) -> Summary:
        car = self.runner.car.state
        ended = self.runtime.activity.commands_ended
        return Summary(
            distance_km=car.distance_m / 1000, energy_kwh=car.energy_used_kwh, charged_kwh=car.session_kwh,
            soc_start=self.soc_start, soc_end=car.soc,
            automations_fired=self.runtime.library.fired(),
            commands_confirmed=ended.get(CommandState.CONFIRMED, 0),
            commands_failed=sum(count for state, count in ended.items() if state is not CommandState.CONFIRMED),
            sim_minutes=(self.runner.now - self.runner.start) / 60)

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
        return Group(Panel(state, title=f"{self.runtime.config.vehicles[0].name} — {runner.scenario.name}"),
                     Panel(devices, title="household"), Panel(log, title="automations and commands"))

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
    await runtime.start()
    runner.attach()
    family = _family(runtime, runner, scenario)
    demo = Demo(runtime, runner, console)
    server = QuietServer(uvicorn.Config(create_app(runtime.http_services()), host="127.0.0.1",
                                        port=port, log_level="error", ws="websockets-sansio"))
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
        summary = demo.summary()
        await runtime.stop()
    return summary


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
