"""`homebound devices ...`: simulate a household over MQTT, and look at the devices a running hub knows."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homebound.adapters.mqtt.connection import MqttConnection, MqttError
from homebound.app.cli_hub import DEFAULT_HUB, HubOption, JsonOption, hub_list, hub_object, shown
from homebound.simulators.household.base import BRIDGE_STATE
from homebound.simulators.household.runner import HouseholdSimulator

app = typer.Typer(help="Household devices: simulate them over MQTT, list and inspect what the hub knows.",
                  no_args_is_help=True)
console = Console()
START_HINT = "start one with `homebound serve --mqtt mqtt://127.0.0.1:1883`"


@app.command()
def simulate(
    mqtt: Annotated[str, typer.Option("--mqtt", help="MQTT broker URL.")] = "mqtt://127.0.0.1:1883",
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.", min=0.1)] = 1.0,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds (default: run until Ctrl-C).",
                                                   min=0)] = None,
    prefix: Annotated[str, typer.Option(help="Home Assistant discovery prefix.")] = "homeassistant",
) -> None:
    """Run a phone, e-scooter, air purifier, rice cooker, garage door, lights, wallbox and air conditioner,
    speaking Home Assistant MQTT discovery like real devices."""
    try:
        asyncio.run(_simulate(mqtt, speed, duration, prefix))
    except MqttError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None


async def _simulate(url: str, speed: float, duration: float | None, prefix: str) -> None:
    connection = MqttConnection(url, client_id=None, will=(BRIDGE_STATE, "offline"))
    await connection.connect()
    simulator = HouseholdSimulator(connection, prefix=prefix, speed=speed,
                                   on_log=lambda line: console.print(f"  {line}", highlight=False))
    simulator.start()
    names = ", ".join(device.name for device in simulator.devices.values())
    console.print(f"Simulating {len(simulator.devices)} devices on {connection.address}: {names}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(simulator.run(duration))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
    for task in (runner, stopper):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    simulator.go_offline()
    await connection.close()
    console.print(f"Stopped after {simulator.commands} commands.")


@app.command("list")
def list_devices(hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """List the devices the hub knows, with availability."""
    devices = hub_list("GET", hub, "/api/v1/devices", hint=START_HINT)
    if as_json:
        print(json.dumps(devices, indent=2))
        return
    table = Table(title=f"{len(devices)} devices", title_justify="left")
    for column in ("id", "name", "online", "model", "entities", "datapoints", "errors"):
        table.add_column(column)
    for device in devices:
        online = "[green]online[/green]" if device["online"] else "[red]offline[/red]"
        table.add_row(shown(device["id"]), shown(device["name"]), online, shown(device.get("model") or ""),
                      shown(device["entities"]), shown(device["datapoints"]), shown(device["errors"]))
    console.print(table)


@app.command()
def show(device_id: Annotated[str, typer.Argument(help="The device's id (see `homebound devices list`).")],
         hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """Show one device: availability, every datapoint with its value, and bad messages counted."""
    device = hub_object("GET", hub, f"/api/v1/devices/{device_id}", hint=START_HINT)
    if as_json:
        print(json.dumps(device, indent=2))
        return
    state = "[green]online[/green]" if device["online"] else "[red]offline[/red]"
    last_error = f" (last: {shown(device['last_error'])})" if device.get("last_error") else ""
    console.print(f"[bold]{shown(device['name'])}[/bold] ({shown(device['id'])}) {state}; "
                  f"errors: {shown(device['errors'])}{last_error}", highlight=False)
    table = Table()
    for column in ("datapoint", "value", "unit", "kind", "allowed"):
        table.add_column(column)
    datapoints = device["datapoints"]
    for path, point in datapoints.items() if isinstance(datapoints, dict) else ():
        allowed = ", ".join(map(str, point["allowed"])) if point.get("allowed") else ""
        table.add_row(shown(path), "" if point["value"] is None else shown(point["value"]),
                      shown(point.get("unit") or ""), shown(point["kind"]), shown(allowed))
    console.print(table)
