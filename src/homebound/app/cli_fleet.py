"""`homebound fleet bench`: load a cluster like a fleet and check nothing was lost (app/fleet_bench.py)."""

from __future__ import annotations

import logging
from typing import Annotated

import orjson
import typer
from rich.console import Console

from homebound.model.errors import HomeboundError

console = Console(stderr=True)
app = typer.Typer(help="Fleet-scale tools.", no_args_is_help=True)


@app.command()
def bench(
    vehicles: Annotated[int, typer.Option(help="How many cars.", min=1, max=100_000)] = 1000,
    workers: Annotated[int, typer.Option(help="How many worker processes.", min=1, max=16)] = 1,
    duration: Annotated[float, typer.Option(help="Seconds of load.", min=1, max=3600)] = 20.0,
    kill_worker: Annotated[bool, typer.Option("--kill-worker", help="SIGKILL the first worker halfway through "
                                                                    "and measure the failover.")] = False,
    signals: Annotated[int, typer.Option(help="Signals in each car's batch.", min=1, max=100)] = 20,
    rate: Annotated[float, typer.Option(help="Batches per second per car.", min=0.01, max=100)] = 1.0,
    cluster: Annotated[str, typer.Option("--cluster", help="NATS with JetStream.")] = "nats://127.0.0.1:4222",
    storage: Annotated[str, typer.Option(help="PostgreSQL server (the bench creates and drops a database on "
                                              "it).")] = "postgresql://root@127.0.0.1:5432/test",
    partitions: Annotated[int, typer.Option(help="Partitions of the bench's cluster.", min=1, max=1024)] = 16,
    lease_ttl: Annotated[float, typer.Option("--lease-ttl", help="Lease time of the bench's cluster (s).",
                                             min=1, max=60)] = 3.0,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the cluster, the database and the workers' logs.")] = False,
) -> None:
    """Run a cluster of WORKERS worker processes, drive VEHICLES cars at RATE batches/s, print one JSON object."""
    from homebound.app.fleet_bench import BenchSettings, run_bench

    logging.basicConfig(level=logging.WARNING)
    if kill_worker and workers < 2:
        console.print("[red]error:[/red] --kill-worker needs at least 2 workers (someone must take over)")
        raise typer.Exit(2)
    settings = BenchSettings(vehicles=vehicles, workers=workers, duration_s=duration, kill_worker=kill_worker,
                             signals=signals, rate_hz=rate, nats_url=cluster, postgres_url=storage,
                             partitions=partitions, lease_ttl_s=lease_ttl, keep=keep)
    try:
        result = run_bench(settings)
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None
    print(orjson.dumps(result).decode())
    if result["lost"] or result["out_of_order"] or result["duplicates"]:
        raise typer.Exit(1)
