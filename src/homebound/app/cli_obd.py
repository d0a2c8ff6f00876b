"""`homebound gateway obd`: a car's OBD-II port through an ELM327 adapter, into the hub."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from homebound.model.errors import HomeboundError

console = Console(stderr=True)


def obd(
    port: Annotated[str, typer.Option(
        "--port", help="The adapter: /dev/ttyUSB0, /dev/rfcomm0 (Bluetooth), socket://192.168.0.10:35000 (Wi-Fi).")],
    interval: Annotated[float, typer.Option(
        "--interval", help="Seconds between the starts of two polling rounds, at least (the adapter may need "
                           "longer).", min=0.05, max=3600)] = 1.0,
    baudrate: Annotated[int | None, typer.Option("--baudrate", help="Serial speed (default: detected).")] = None,
    protocol: Annotated[str | None, typer.Option(
        "--protocol", help="OBD protocol number as python-OBD names it, 1-9 or A-C (default: detected).")] = None,
    duration: Annotated[float | None, typer.Option("--duration", help="Stop after this many seconds.", min=1)
                        ] = None,
    vehicle: Annotated[str, typer.Option("--vehicle", help="The hub's vehicle id (or VIN).")] = "car1",
    hub: Annotated[str | None, typer.Option(
        "--hub", help="A running hub to feed over REST; default: a hub in this process.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="HOMEBOUND_TOKEN", help="Bearer token for the hub's REST API.")] = None,
    vss: Annotated[list[Path] | None, typer.Option("--vss", help="VSS JSON export(s) for the in-process hub.")
                   ] = None,
) -> None:
    """Poll a car's OBD-II port (ELM327) and feed the hub; reconnects when the adapter goes away."""
    from homebound.adapters.obd.gateway import ObdGateway
    from homebound.app.cli_gateway import hub_link

    link, local_hub, _ = hub_link(hub, token, vehicle, vss, source="obd")
    try:
        gateway = ObdGateway(port, link, interval=interval, baudrate=baudrate, protocol=protocol, vehicle=vehicle)
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, gateway.stop)
        if duration is not None:
            loop.call_later(duration, gateway.stop)
        task = asyncio.create_task(gateway.run())
        last = ""
        while not task.done():
            await asyncio.sleep(0.5)
            if gateway.status != last:
                last = gateway.status
                console.print(f"OBD-II: {last}", highlight=False)
        await task
        await link.aclose()

    started = time.perf_counter()
    asyncio.run(run())
    stats = gateway.stats
    seconds = time.perf_counter() - started
    console.print(f"{stats.rounds} rounds, {stats.queries} queries ({stats.queries / max(seconds, 1e-9):.1f}/s), "
                  f"{stats.values_accepted} values accepted, {stats.values_rejected} rejected; "
                  f"{stats.connects} connections, {stats.lost} lost", highlight=False)
    for event in stats.events:
        console.print(f"  {event}", highlight=False)
    if local_hub is not None:
        from homebound.adapters.obd.readings import DTC_LIST, READINGS

        for path in [r.path for r in READINGS] + [DTC_LIST]:
            reading = local_hub.read(vehicle, path)
            if reading is not None:
                print(f"{path} = {reading.value!r}")
    if stats.connects == 0:
        raise typer.Exit(1)
