"""`homebound automations ...`: check files, and list, reload and trace the automations of a running hub."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homebound.app.cli_hub import DEFAULT_HUB, HubOption, JsonOption, hub_object, shown
from homebound.automations.loader import load_paths

app = typer.Typer(help="Automations: check files, list them, reload them, see why they ran (or did not).",
                  no_args_is_help=True)
console = Console()


@app.command()
def check(files: Annotated[list[Path], typer.Argument(help="Automation files or folders.")]) -> None:
    """Validate automation files without a hub; exit 1 if any automation has a problem."""
    result = load_paths(files)
    for automation in result.automations:
        console.print(f"[green]ok[/green] {shown(automation.id)}: {shown(automation.alias)}", highlight=False)
    for problem in result.errors:
        console.print(f"[red]error[/red] {shown(problem)}", highlight=False)
    console.print(f"{len(result.automations)} valid, {len(result.errors)} problems")
    if result.errors:
        raise typer.Exit(1)


@app.command("list")
def list_automations(hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """The hub's automations, with their last run."""
    body = hub_object("GET", hub, "/api/v1/automations")
    if as_json:
        print(json.dumps(body, indent=2))
        return
    table = Table()
    for column in ("id", "alias", "mode", "triggers", "runs", "last run", "result"):
        table.add_column(column)
    for item in body["automations"]:  # type: ignore[attr-defined]
        last = item.get("last_run") or {}
        when = dt.datetime.fromtimestamp(last["started"]).strftime("%H:%M:%S") if last else ""
        table.add_row(shown(item["id"]), shown(item["alias"]), shown(item["mode"]),
                      shown(", ".join(item["triggers"])), shown(item["runs"]), when, shown(last.get("result", "")))
    console.print(table)
    for problem in body.get("problems", []):  # type: ignore[attr-defined]
        console.print(f"[red]skipped[/red] {shown(problem)}", highlight=False)


@app.command()
def reload(hub: HubOption = DEFAULT_HUB) -> None:
    """Re-read the automation files without restarting the hub."""
    body = hub_object("POST", hub, "/api/v1/automations/reload")
    console.print(f"{body['loaded']} automations loaded")
    for problem in body.get("problems", []):  # type: ignore[attr-defined]
        console.print(f"[red]skipped[/red] {shown(problem)}", highlight=False)


@app.command()
def trace(automation_id: Annotated[str, typer.Argument(help="The automation's id.")],
          hub: HubOption = DEFAULT_HUB,
          last: Annotated[int, typer.Option(help="How many runs to show.", min=1)] = 5,
          as_json: Annotated[bool, typer.Option("--json", help="Print the traces as JSON.")] = False) -> None:
    """The last runs of an automation: the trigger, each condition's result, each action's outcome and timing."""
    body = hub_object("GET", hub, f"/api/v1/automations/{automation_id}/traces")
    traces = body["traces"][:last]  # type: ignore[index]
    if as_json:
        print(json.dumps(traces, indent=2))
        return
    if not traces:
        console.print(f"{shown(automation_id)} has not run yet")
    for run in traces:
        started = dt.datetime.fromtimestamp(run["started"]).strftime("%Y-%m-%d %H:%M:%S")
        colour = {"completed": "green", "condition_failed": "yellow", "skipped": "yellow"}.get(run["result"], "red")
        console.print(f"[bold]{started}[/bold] [{colour}]{shown(run['result'])}[/{colour}]"
                      + (f": {shown(run['error'])}" if run.get("error") else ""), highlight=False)
        trigger = {k: v for k, v in run["trigger"].items() if v is not None}
        console.print(f"  trigger: {shown(json.dumps(trigger, default=str))}", highlight=False)
        for condition in run["conditions"]:
            mark = "[green]✓[/green]" if condition["result"] else "[red]✗[/red]"
            detail = {k: v for k, v in condition.items() if k not in ("condition", "result", "conditions")}
            console.print(f"  {mark} condition {shown(condition['condition'])} "
                          f"{shown(json.dumps(detail, default=str))}", highlight=False)
        for step in run["actions"]:
            detail = {k: v for k, v in step.items()
                      if k not in ("action", "started", "finished", "outcome", "duration_ms") and v is not None}
            console.print(f"  → {shown(step['action'])}: {shown(step['outcome'])} ({step['duration_ms']} ms) "
                          f"{shown(json.dumps(detail, default=str))}", highlight=False)
