"""`homebound gateway can|obd`: connect a real car (its CAN bus, a recorded log, or its OBD-II port) to a hub.

Without `--hub` the gateway feeds a hub of its own in this process and prints the car's values at the end, which
is how a log or a mapping is checked; with `--hub URL` it feeds a running hub over REST.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from homebound.adapters.can.cars import list_cars
from homebound.adapters.can.decoder import EXTENDED, DecodeStats
from homebound.adapters.can.gateway import CanGateway
from homebound.adapters.can.runner import AssembledGateway, CanGatewaySettings, assemble, source_name
from homebound.adapters.hub_link import HubLink, InProcessLink, RestLink
from homebound.app import cli_obd
from homebound.hub.core import Hub
from homebound.hub.principals import Door, principal
from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError
from homebound.model.vss_loader import load_catalog

app = typer.Typer(help="Connect a real car: its CAN bus or a recorded log (DBC + mapping), or its OBD-II port.",
                  no_args_is_help=True)
app.command("obd")(cli_obd.obd)
console = Console(stderr=True)
out = Console()

HubOption = Annotated[str | None, typer.Option(
    "--hub", help="A running hub to feed over REST (http://127.0.0.1:8321); default: a hub in this process.")]
TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar="HOMEBOUND_TOKEN", help="Bearer token for the hub's REST API (or HOMEBOUND_TOKEN).")]
VehicleOption = Annotated[str, typer.Option("--vehicle", help="The hub's vehicle id (or VIN).")]
VssOption = Annotated[list[Path] | None, typer.Option(
    "--vss", help="VSS JSON export(s) for the in-process hub (default: the built-in VSS 6.0 catalog).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def hub_link(hub_url: str | None, token: str | None, vehicle: str, vss: list[Path] | None,
             source: str = "can") -> tuple[HubLink, Hub | None, Catalog]:
    """The link to the hub: REST to a running one, or a hub created here (returned, to show its values)."""
    try:
        catalog = load_catalog(vss or [])
    except HomeboundError as error:
        raise _fail(str(error)) from None
    if hub_url:
        return RestLink(hub_url, vehicle, token), None, catalog
    hub = Hub()
    hub.add_vehicle(vehicle, catalog)
    return InProcessLink(hub, vehicle, principal(Door.GATEWAY, source)), hub, catalog


@app.command("can")
def can_gateway(
    car: Annotated[str | None, typer.Option("--car", help="A shipped car (see --list-cars).")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="Mapping file: Kuksa CAN-provider JSON/vspec, or Homebound's compact YAML.")] = None,
    dbc: Annotated[list[Path] | None, typer.Option("--dbc", help="DBC file (repeatable).")] = None,
    defaults: Annotated[Path | None, typer.Option(
        "--defaults", help="Kuksa dbc_default_values.json: other signals of command frames.")] = None,
    log: Annotated[Path | None, typer.Option(
        "--log", help="Replay a log: candump .log, .asc, .blf, .csv (python-can or SavvyCAN GVRET), .trc.")] = None,
    realtime: Annotated[bool, typer.Option("--realtime", help="Replay at the recorded pace (default: full speed).")
                        ] = False,
    log_channel: Annotated[str | None, typer.Option(
        "--log-channel", help="Replay only this channel of the log (default: the car's, e.g. can1).")] = None,
    interface: Annotated[str | None, typer.Option(
        "--interface", help="Live bus through python-can: socketcan, virtual, slcan, pcan...")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Bus channel: vcan0, can0...")] = None,
    vehicle: VehicleOption = "car1",
    hub: HubOption = None,
    token: TokenOption = None,
    vss: VssOption = None,
    flush_ms: Annotated[int, typer.Option("--flush-ms", help="One batch to the hub per this many ms.",
                                          min=1, max=60_000)] = 100,
    list_cars_: Annotated[bool, typer.Option("--list-cars", help="List the shipped cars and exit.")] = False,
) -> None:
    """Read a CAN bus or replay a log, decode it with DBC files and a mapping, and feed the hub."""
    if list_cars_:
        _print_cars()
        return
    try:
        settings = CanGatewaySettings(vehicle=vehicle, car=car, mapping=mapping, dbc=dbc or [], defaults=defaults,
                                      interface=interface, channel=channel, log=log, realtime=realtime,
                                      log_channel=log_channel, flush_interval_ms=flush_ms)
    except ValidationError as error:
        raise _fail("; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())) from None
    link, local_hub, catalog = hub_link(hub, token, vehicle, vss)
    try:
        assembled = assemble(settings, link, catalog)
    except HomeboundError as error:
        raise _fail(str(error)) from None
    for repair in assembled.repairs:
        console.print(f"[yellow]repaired:[/yellow] {repair}", highlight=False)
    console.print(f"CAN gateway: {settings.car or settings.mapping} -> {hub or 'a hub in this process'} "
                  f"(vehicle {vehicle}), from {source_name(settings)}", highlight=False)
    gateway = assembled.gateway
    if gateway.actuators_note:
        console.print(f"[yellow]note:[/yellow] {gateway.actuators_note}", highlight=False)
    elif gateway.actuator is not None:
        console.print(f"commands carried out as CAN frames: {', '.join(sorted(gateway.decoder.actuators))}",
                      highlight=False)
    started = time.perf_counter()
    asyncio.run(_run(assembled))
    seconds = time.perf_counter() - started
    _print_summary(gateway, assembled.source_stats, seconds)
    if local_hub is not None:
        _print_values(local_hub, vehicle, gateway.decoder.mapping.paths())
    if gateway.delivery.link_errors and not gateway.delivery.batches:
        raise typer.Exit(1)


async def _run(assembled: AssembledGateway) -> None:
    gateway = assembled.gateway
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, gateway.stop)
    last = [time.monotonic()]

    def progress(current: CanGateway) -> None:
        now = time.monotonic()
        if now - last[0] >= 2.0:
            last[0] = now
            stats = current.decoder.stats
            console.print(f"  {stats.frames:,} frames, {stats.values:,} values, {current.delivery.accepted:,} "
                          f"accepted, {stats.problems():,} problems", highlight=False)

    await assembled.run(on_tick=progress)


def _print_cars() -> None:
    table = Table(title="Shipped cars (homebound gateway can --car NAME)", title_justify="left")
    for column in ("name", "car", "DBC files", "VSS paths"):
        table.add_column(column)
    for car in list_cars():
        table.add_row(car.name, car.title, ", ".join(car.dbc_files), str(car.paths))
    out.print(table)


def _frame(key: int) -> str:
    return f"0x{key & 0x1FFFFFFF:X}{' (extended)' if key & EXTENDED else ''}"


def _print_summary(gateway: CanGateway, source: object, seconds: float) -> None:
    stats: DecodeStats = gateway.decoder.stats
    delivery = gateway.delivery
    table = Table(title=f"CAN gateway summary ({seconds:.2f} s)", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("frames read", stats.frames), ("  not in the mapping", stats.unmapped),
        ("  not due yet (interval_ms)", stats.throttled), ("  decoded", stats.decoded),
        ("  wrong length", stats.wrong_length), ("  undecodable", stats.undecodable),
        ("signals out of the DBC's range", stats.out_of_range), ("values with no mapping entry / failed math",
                                                                  stats.skipped_values),
        ("values sent to the hub", stats.values), ("  accepted", delivery.accepted),
        ("  rejected by the hub", delivery.rejected), ("batches", delivery.batches),
        ("hub unreachable (batches kept and retried)", delivery.link_errors),
    ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    bad_lines = getattr(source, "bad_lines", 0)
    if bad_lines:
        table.add_row("log lines that are not frames", f"{bad_lines:,}")
    other = getattr(source, "other_channel", 0)
    if other:
        table.add_row("frames of other channels (skipped)", f"{other:,}")
    out.print(table)
    details = [f"wrong length: {_frame(k)} x{n}" for k, n in stats.wrong_length_ids.most_common(5)]
    details += [f"undecodable: {_frame(k)} x{n}" for k, n in stats.undecodable_ids.most_common(5)]
    details += [f"out of range: {s} x{n}" for s, n in stats.out_of_range_signals.most_common(5)]
    details += [f"skipped: {r} x{n}" for r, n in stats.skipped_reasons.most_common(5)]
    details += [f"rejected: {r} x{n}" for r, n in delivery.rejections.most_common(5)]
    details += list(getattr(source, "bad_line_examples", []))
    if getattr(source, "stopped_early", None):
        details.append(str(source.stopped_early))  # type: ignore[attr-defined]
    for line in details:
        out.print(f"  {line}", highlight=False)


def _print_values(hub: Hub, vehicle: str, paths: list[str]) -> None:
    table = Table(title=f"Values in the hub ({vehicle})", title_justify="left")
    table.add_column("VSS path")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for path in paths:
        reading = hub.read(vehicle, path)
        unit = hub.metadata(vehicle, path).unit or ""
        table.add_row(path, "-" if reading is None else repr(reading.value), unit)
    out.print(table)
