"""The cluster's commands: `homebound worker`, `homebound cluster status`, and the shared cluster options."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from homebound.app.config import Config, VehicleConfig
from homebound.cluster.connection import open_cluster
from homebound.cluster.layout import ClusterLayout
from homebound.cluster.status import cluster_status
from homebound.model.errors import HomeboundError

console = Console(stderr=True)

ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", envvar="HOMEBOUND_CLUSTER", help="NATS of the cluster: nats://HOST:4222 (JetStream enabled).")]
ClusterNameOption = Annotated[str | None, typer.Option(
    "--cluster-name", help="Name of the cluster on that NATS (default homebound).")]
PartitionsOption = Annotated[int | None, typer.Option(
    help="Partitions, fixed when the cluster is created (default 16).", min=1, max=1024)]
LeaseOption = Annotated[float | None, typer.Option(
    "--lease-ttl", help="Seconds before a dead worker's partitions move (fixed at creation; default 5).",
    min=1, max=300)]

app = typer.Typer(help="A cluster of doors and workers on NATS JetStream and PostgreSQL.", no_args_is_help=True)


def with_cluster(settings: Config, url: str | None, name: str | None, partitions: int | None,
                 lease_ttl: float | None, storage: str | None, fleet: int | None,
                 worker_id: str | None = None) -> Config:
    """The configuration with the command line's cluster options on top."""
    cluster_updates: dict[str, object] = {k: v for k, v in (
        ("url", url), ("name", name), ("partitions", partitions), ("lease_ttl_s", lease_ttl),
        ("worker_id", worker_id)) if v is not None}
    cluster = settings.cluster.model_validate({**settings.cluster.model_dump(), **cluster_updates})
    updates: dict[str, object] = {"cluster": cluster}
    if storage is not None:
        updates["storage"] = settings.storage.model_copy(update={"url": storage})
    if fleet is not None:
        updates["vehicles"] = [VehicleConfig(id=f"car{n}") for n in range(1, fleet + 1)]
    return settings.model_copy(update=updates)


STOP_LIMIT_S = 60.0


async def run_until_signalled(node_start: Callable[[], Awaitable[None]],
                              node_stop: Callable[[], Awaitable[None]]) -> int:
    """Start, wait for SIGINT or SIGTERM, stop cleanly (handing partitions over) within a minute."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await node_start()
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        await node_stop()
        return 1
    await stopping.wait()
    try:
        await asyncio.wait_for(node_stop(), STOP_LIMIT_S)
    except TimeoutError:
        console.print(f"[red]error:[/red] not stopped within {STOP_LIMIT_S:.0f} s; still waiting:", highlight=False)
        for task in asyncio.all_tasks():
            frames = task.get_stack(limit=3)
            where = " < ".join(f"{f.f_code.co_name} ({f.f_code.co_filename.rsplit('/', 1)[-1]}:{f.f_lineno})"
                               for f in frames)
            console.print(f"  {task.get_name()}: {where}", highlight=False)
        return 1
    return 0


def worker_command(
    cluster: ClusterOption = None,
    storage: Annotated[str | None, typer.Option(help="PostgreSQL of the cluster: postgresql://...")] = None,
    config: Annotated[str | None, typer.Option("--config", "-c", help="Configuration file (YAML).")] = None,
    fleet: Annotated[int | None, typer.Option(help="The cars are car1..carN (as `serve --fleet N`).",
                                              min=1, max=100_000)] = None,
    cluster_name: ClusterNameOption = None,
    partitions: PartitionsOption = None,
    lease_ttl: LeaseOption = None,
    worker_id: Annotated[str | None, typer.Option(help="This worker's name (default: host, process, tag).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
) -> None:
    """Run a worker with no doors: it holds a fair share of the cluster's partitions and keeps their cars."""
    from pathlib import Path

    from homebound.app.cli import load_settings, setup_logging
    from homebound.app.cluster_node import ClusterNode

    setup_logging(verbose)
    settings = with_cluster(load_settings(Path(config) if config else None), cluster, cluster_name, partitions,
                            lease_ttl, storage, fleet, worker_id)
    try:
        node = ClusterNode(settings, doors=False, worker=True)
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"Homebound worker {node.worker_id}: cluster {node.layout.name} at {settings.cluster.url}, "
                  f"{len(settings.vehicles)} cars; storage {node.database.engine.url.render_as_string()}",
                  highlight=False)
    raise typer.Exit(asyncio.run(run_until_signalled(node.start, node.stop)))


@app.command()
def status(
    cluster: ClusterOption = None,
    cluster_name: ClusterNameOption = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of tables.")] = False,
) -> None:
    """Workers, partitions (holder and lag), the rate and the door-to-stored latency."""
    if cluster is None:
        console.print("[red]error:[/red] give --cluster nats://HOST:4222 (or HOMEBOUND_CLUSTER)", highlight=False)
        raise typer.Exit(2)

    async def read() -> dict[str, object]:
        link = await open_cluster(cluster, ClusterLayout(cluster_name or "homebound"), client_name="homebound-status")
        try:
            return await cluster_status(link)
        finally:
            await link.close()

    try:
        body = asyncio.run(read())
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None
    if json:
        print(orjson.dumps(body).decode())
        return
    out = Console()
    latency = body["latency_ms"]
    out.print(f"cluster [bold]{body['cluster']}[/bold]: {body['partitions']} partitions "
              f"({body['unheld_partitions']} unheld), {body['values_per_s']} values/s, lag {body['lag_total']} "
              f"messages, door-to-stored p50 {latency['p50']} ms, p99 {latency['p99']} ms",  # type: ignore[index]
              highlight=False)
    workers = Table("worker", "host", "pid", "partitions", "values/s", "applied", "p50 ms", "p99 ms")
    for worker in body["workers"]:  # type: ignore[attr-defined]
        held = worker.get("partitions") or []
        workers.add_row(str(worker.get("worker")), str(worker.get("host")), str(worker.get("pid")),
                        ",".join(str(p.get("partition")) for p in held), str(worker.get("values_per_s")),
                        str(worker.get("values_applied")), str((worker.get("latency_ms") or {}).get("p50")),
                        str((worker.get("latency_ms") or {}).get("p99")))
    out.print(workers)
    partitions = Table("partition", "worker", "lag")
    for row in body["partition_table"]:  # type: ignore[attr-defined]
        partitions.add_row(str(row["partition"]), str(row["worker"] or "-"),
                           "-" if row["lag"] is None else str(row["lag"]))
    out.print(partitions)
