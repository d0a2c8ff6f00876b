"""The `homebound` command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape

from homebound import __version__
from homebound.app import (
    cli_audit,
    cli_automations,
    cli_cluster,
    cli_devices,
    cli_energy,
    cli_fleet,
    cli_gateway,
    cli_history,
    cli_mqtt,
    cli_people,
    cli_safety,
    cli_vss,
)
from homebound.app.cluster_node import ClusterNode
from homebound.app.config import Config, ConfigError, VehicleConfig, load_config
from homebound.app.heap import settle_heap
from homebound.app.http_server import server_config
from homebound.app.log_output import configure_logging
from homebound.app.runtime import Runtime
from homebound.model.errors import HomeboundError

app = typer.Typer(
    help="Homebound: your electric car as one more member of your device ecosystem.\n\n"
         "A data broker for the car's VSS signals, with REST and WebSocket access.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(cli_vss.app, name="vss")
app.add_typer(cli_devices.app, name="devices")
app.add_typer(cli_automations.app, name="automations")
app.add_typer(cli_energy.app, name="charging")
app.add_typer(cli_gateway.app, name="gateway")
app.add_typer(cli_history.drives, name="drives")
app.add_typer(cli_history.charges, name="charges")
app.add_typer(cli_history.history, name="history")
app.command("summary")(cli_history.summary)
app.add_typer(cli_people.app, name="people")
app.add_typer(cli_safety.app, name="safety")
app.add_typer(cli_audit.app, name="audit")
app.add_typer(cli_mqtt.app, name="mqtt")
app.add_typer(cli_cluster.app, name="cluster")
app.add_typer(cli_fleet.app, name="fleet")
app.command("worker")(cli_cluster.worker_command)
console = Console(stderr=True)


def setup_logging(verbose: bool) -> None:
    configure_logging(console, logging.DEBUG if verbose else logging.INFO)


def load_settings(config_file: Path | None) -> Config:
    try:
        return load_config(config_file)
    except ConfigError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None


@app.command()
def serve(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (YAML).")] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default 8321).", min=1, max=65535)] = None,
    storage: Annotated[str | None, typer.Option(
        help="Database URL: sqlite:///file.db (default sqlite:///homebound.db) or postgresql://...")] = None,
    grpc_port: Annotated[int | None, typer.Option(
        help="Kuksa kuksa.val v1+v2 gRPC port (default 55555; 0 picks a free one).", min=0, max=65535)] = None,
    mqtt: Annotated[str | None, typer.Option(
        "--mqtt", help="MQTT broker for devices and Home Assistant: mqtt://[user:pass@]host[:port], mqtts://...",
    )] = None,
    fleet: Annotated[int | None, typer.Option(help="Serve car1..carN (for `homebound sim --vehicles N`).",
                                              min=1, max=100_000)] = None,
    simulate_household: Annotated[bool, typer.Option(
        "--simulate-household", help="Run the simulated household's devices (in-process without --mqtt).")] = False,
    no_grpc: Annotated[bool, typer.Option("--no-grpc", help="Do not serve the Kuksa gRPC APIs.")] = False,
    cluster: cli_cluster.ClusterOption = None,
    cluster_name: cli_cluster.ClusterNameOption = None,
    partitions: cli_cluster.PartitionsOption = None,
    lease_ttl: cli_cluster.LeaseOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
) -> None:
    """Run the hub: REST and WebSocket on http://HOST:PORT/api/v1, OpenAPI at /openapi.json.

    With --cluster, the doors accept any car of the cluster and a worker keeps a share of them (docs/cluster.md)."""
    setup_logging(verbose)
    settings = load_settings(config)
    server = settings.server.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
    updates: dict[str, object] = {"server": server}
    if storage is not None:
        updates["storage"] = settings.storage.model_copy(update={"url": storage})
    if fleet is not None:
        updates["vehicles"] = [VehicleConfig(id=f"car{n}") for n in range(1, fleet + 1)]
    if simulate_household:
        updates["simulation"] = settings.simulation.model_copy(update={"household": True})
    if mqtt is not None:
        updates["mqtt"] = settings.mqtt.model_copy(update={"url": mqtt})
    if grpc_port is not None or no_grpc:
        kuksa_updates: dict[str, object] = {"enabled": not no_grpc}
        if grpc_port is not None:
            kuksa_updates["port"] = grpc_port
        updates["kuksa"] = settings.kuksa.model_copy(update=kuksa_updates)
    settings = settings.model_copy(update=updates)
    if cluster is not None or settings.cluster.url is not None:
        settings = cli_cluster.with_cluster(settings, cluster, cluster_name, partitions, lease_ttl, None, None)
        raise typer.Exit(_serve_cluster(settings))
    try:
        runtime = Runtime(settings)
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    from homebound.adapters.http import create_app

    vehicles = ", ".join(v.id for v in settings.vehicles)
    console.print(f"Homebound {__version__}: vehicles {vehicles}; catalog {runtime.catalog.name} "
                  f"({len(runtime.catalog)} signals); storage {runtime.database.engine.url.render_as_string()}")
    console.print(f"REST and WebSocket on http://{server.host}:{server.port}/api/v1 "
                  f"(OpenAPI: http://{server.host}:{server.port}/docs)")
    if settings.mqtt.url:
        console.print(f"MQTT devices and Home Assistant on {settings.mqtt.url.split('@')[-1]}")
    uvicorn_config = server_config(create_app(runtime.http_services()), server.host, server.port)
    raise typer.Exit(asyncio.run(_serve(runtime, _GracefulServer(uvicorn_config))))


def _serve_cluster(settings: Config) -> int:
    """`serve --cluster`: the doors on a hub relaying every car, and a worker keeping a share of them."""
    from homebound.adapters.http import create_app
    from homebound.app.cluster_node import ClusterNode

    if settings.mqtt.url or settings.simulation.household:
        console.print("[red]error:[/red] a cluster serves cars; MQTT devices and the simulated household run on "
                      "one box (leave --mqtt and --simulate-household out)", highlight=False)
        return 2
    try:
        node = ClusterNode(settings, doors=True, worker=True)
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return 2
    server = settings.server
    console.print(f"Homebound {__version__}: cluster {node.layout.name} at {settings.cluster.url}, "
                  f"{len(settings.vehicles)} cars, worker {node.worker_id}; storage "
                  f"{node.database.engine.url.render_as_string()}", highlight=False)
    console.print(f"REST and WebSocket on http://{server.host}:{server.port}/api/v1", highlight=False)
    if settings.kuksa.enabled:
        console.print(f"Kuksa kuksa.val v1 and v2 gRPC on {settings.kuksa.host}:{settings.kuksa.port}")
    uvicorn_config = uvicorn.Config(create_app(node.http_services()), host=server.host, port=server.port,
                                    log_level="warning", ws="websockets-sansio")
    return asyncio.run(_serve(node, _GracefulServer(uvicorn_config)))


class _GracefulServer(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its own shutdown; we still have to flush history, so we don't."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def _serve(runtime: Runtime | ClusterNode, server: uvicorn.Server) -> int:
    """Start the hub first (so a port in use or an unreachable database is one clear line), then serve."""
    try:
        await runtime.start()
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        await runtime.stop()
        return 1
    if runtime.kuksa is not None:  # after start: with --grpc-port 0 this is the port actually bound
        console.print(f"Kuksa kuksa.val v1 and v2 gRPC on {runtime.kuksa.host}:{runtime.kuksa.bound_port}",
                      highlight=False)
    settle_heap()
    try:
        await server.serve()
    finally:
        await runtime.stop()
    return 0 if server.started else 1


@app.command()
def demo(
    scenario: Annotated[Path | None, typer.Option(help="Scenario file (default: examples/scenarios/"
                                                       "evening_drive_home.yaml).")] = None,
    speed: Annotated[float | None, typer.Option(help="Simulated seconds per real second (default: the scenario's, "
                                                     "else 20).", min=0.1, max=5000)] = None,
    duration: Annotated[float | None, typer.Option(help="Stop after this many real seconds and print a summary.",
                                                   min=1)] = None,
    port: Annotated[int, typer.Option(help="HTTP port of the web page and the REST API.")] = 8321,
    mqtt: Annotated[str | None, typer.Option("--mqtt", help="Run the household over this MQTT broker "
                                                            "instead of in-process.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulation (GPS noise): same seed, same run.")] = 1,
    database: Annotated[Path, typer.Option(help="Where the demo keeps its history (reset at start).")] = Path(
        "homebound-demo.db"),
) -> None:
    """The live demo: a car drives home, the house gets ready, the car charges; at the end, the drives and
    charges from the session store (`homebound drives list --storage sqlite:///homebound-demo.db` shows them)."""
    from homebound.app.demo import find_examples, print_sessions, reset_database, run_demo
    from homebound.simulators.vehicle.scenario import load_scenario

    configure_logging(console, logging.WARNING)
    path = scenario or find_examples("scenarios") / "evening_drive_home.yaml"
    try:
        loaded = load_scenario(path)
        reset_database(database)
        summary = asyncio.run(run_demo(loaded, speed or loaded.speed or 20.0, duration, port, database, mqtt, seed,
                                       Console()))
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    out = Console()
    soc_start = "?" if summary.soc_start is None else f"{summary.soc_start:.0f}"
    soc_end = "?" if summary.soc_end is None else f"{summary.soc_end:.0f}"
    print_sessions(summary, out)
    out.print(f"[bold]Summary[/bold] of {summary.sim_minutes:.0f} simulated minutes: "
              f"{summary.distance_km:.1f} km driven, {summary.energy_kwh:.2f} kWh used "
              f"({summary.energy_kwh * 1000 / max(summary.distance_km, 0.001):.0f} Wh/km), "
              f"{summary.charged_kwh:.2f} kWh charged, battery {soc_start} % -> {soc_end} %; "
              f"{summary.automations_fired} automations fired, {summary.commands_confirmed} commands confirmed, "
              f"{summary.commands_failed} not confirmed", highlight=False)
    if summary.energy:
        out.print(summary.energy, highlight=False)
    out.print(f"Sessions stay in {database}: homebound drives list --storage sqlite:///{database}", highlight=False)


@app.command()
def sim(
    vehicles: Annotated[int, typer.Option(help="How many cars.", min=1, max=10_000)] = 10,
    hub: Annotated[str, typer.Option(help="The hub to feed (it must know car1..carN: `serve --fleet N`).")] = (
        "http://127.0.0.1:8321"),
    duration: Annotated[float, typer.Option(help="Real seconds to run.", min=1)] = 30.0,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.", min=0.1)] = 10.0,
    scenario: Annotated[Path | None, typer.Option(help="Scenario whose route the cars share (turned around "
                                                       "home).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the first car (the others follow).")] = 1,
    rate: Annotated[float | None, typer.Option(
        help="Fixed rate: batches per second per car, each car on its own schedule (default: paced, every car "
             "every half second, waiting for the slowest answer).", min=0.01, max=100)] = None,
) -> None:
    """Run N simulated cars against a running hub, each on its own route and seed, and report the rate."""
    from homebound.app.demo import find_examples
    from homebound.simulators.vehicle.fleet import Fleet, FleetStats
    from homebound.simulators.vehicle.scenario import load_scenario

    try:
        loaded = load_scenario(scenario or find_examples("scenarios") / "evening_drive_home.yaml")
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    fleet = Fleet(loaded, vehicles, hub, speed, seed)

    def report(stats: FleetStats) -> None:
        console.print(f"{stats.seconds:5.0f} s: {stats.batches} batches, {stats.rate:,.0f} datapoints/s accepted, "
                      f"{stats.rejected} rejected, {stats.errors} errors"
                      + (f", {stats.late} sent late" if rate else ""), highlight=False)

    if rate is None:
        stats = asyncio.run(fleet.run(duration, on_report=report))
    else:
        stats = asyncio.run(fleet.run_fixed_rate(duration, rate, on_report=report))
    report(stats)
    offered = f" of {vehicles * rate:.0f} offered, {stats.late} sent late" if rate else ""
    print(f"{vehicles} vehicles: {stats.rate:.0f} datapoints/s ({stats.batches / max(stats.seconds, 1e-9):.0f} "
          f"batches/s{offered}) over {stats.seconds:.1f} s; {stats.rejected} rejected, {stats.errors} errors")
    if stats.errors and not stats.datapoints:
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    app()
