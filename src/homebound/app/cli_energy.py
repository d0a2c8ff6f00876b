"""`homebound charging ...`: smart charging of a running hub, over its REST API.

`status` shows each charge point (mode, what it does, the plan in words, the session's numbers), `mode` changes
a mode, `plan` sets a target and a departure and prints the plan. `--json` prints what the API answered.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from homebound.app.cli_hub import DEFAULT_HUB, HubOption, JsonOption, call_hub, hub_object, shown
from homebound.energy.config import ChargeMode

app = typer.Typer(help="Smart charging: modes, plans and the numbers, on a running hub.", no_args_is_help=True)
console = Console()
HINT = "start one with `homebound serve --config FILE` (with energy.charge_points)"


def _long(text: object, limit: int = 1000) -> str:
    """A plan in words, escaped for the terminal; longer than `shown` allows, still bounded."""
    return escape(str(text)[:limit])


def _clock(value: object) -> str:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).strftime("%a %H:%M")
    return "-"


def _show(point: dict[str, object]) -> None:
    departure = point.get("departure")
    when = "-"
    if isinstance(departure, dict):
        sure = f", {departure['confidence']:.0%} sure" if departure.get("confidence") is not None else ""
        when = f"{_clock(departure.get('at'))} ({departure.get('source')}{sure})"
    table = Table.grid(padding=(0, 2))
    soc = point.get("soc")
    table.add_row("mode", shown(point["mode"]), "plugged", "yes" if point["plugged"] else "no")
    table.add_row("doing", shown(point["status"]), "power", f"{float(str(point['power_w'])) / 1000:.2f} kW")
    table.add_row("battery", "-" if soc is None else f"{soc:.0f} % (target {point['target_soc']:.0f} %)",
                  "departure", when)
    console.print(f"[bold]{shown(point['name'])}[/bold] ({shown(point['thing'])})", highlight=False)
    console.print(table)
    plan = point.get("plan")
    if isinstance(plan, dict):
        console.print(f"  plan: {_long(plan['text'])}", highlight=False)
    session = point.get("session")
    if isinstance(session, dict):
        console.print(f"  session: {session['energy_kwh']:.2f} kWh, {float(session['solar_share']):.0%} from the sun,"
                      f" cost {session['cost']:.2f}, saved {session['savings']:.2f}", highlight=False)
    for problem in point.get("problems") or []:  # type: ignore[attr-defined]
        console.print(f"  [yellow]problem:[/yellow] {shown(problem)}", highlight=False)


@app.command()
def status(name: Annotated[str | None, typer.Argument(help="A charge point (default: all).")] = None,
           hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """Each charge point: mode, what it is doing, the plan in words, the session so far."""
    answer = call_hub("GET", hub, "/api/v1/energy/charge-points" + (f"/{name}" if name else ""), hint=HINT)
    points = answer if isinstance(answer, list) else [answer]
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    for point in points:
        assert isinstance(point, dict)
        _show(point)


@app.command()
def mode(name: Annotated[str, typer.Argument(help="The charge point.")],
         new_mode: Annotated[ChargeMode, typer.Argument(metavar="MODE", help="off, now, solar, solar_min or plan.")],
         hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """Change a charge point's mode."""
    answer = hub_object("PUT", hub, f"/api/v1/energy/charge-points/{name}/mode", hint=HINT,
                        send={"mode": new_mode.value})
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    command, point = answer.get("command"), answer.get("status")
    state = command.get("state") if isinstance(command, dict) else "?"
    console.print(f"{shown(name)}: mode {new_mode.value} ({shown(state)})", highlight=False)
    if isinstance(point, dict):
        _show(point)


@app.command()
def plan(name: Annotated[str, typer.Argument(help="The charge point.")],
         target: Annotated[float | None, typer.Option(help="Target state of charge, %.", min=1, max=100)] = None,
         by: Annotated[str | None, typer.Option(help="Departure: HH:MM (the next one) or an ISO date and time; "
                                                     "'' clears it.")] = None,
         hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """Set the plan's target and departure (either or both), and print the plan."""
    if target is None and by is None:
        answer = hub_object("GET", hub, f"/api/v1/energy/charge-points/{name}", hint=HINT)
    else:
        answer = hub_object("PUT", hub, f"/api/v1/energy/charge-points/{name}/plan", hint=HINT,
                            send={"target_soc": target, "departure": by})
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    point = answer.get("status", answer)
    assert isinstance(point, dict)
    plan_now = point.get("plan")
    if isinstance(plan_now, dict):
        console.print(_long(plan_now["text"]), highlight=False)
    else:
        console.print(f"{shown(name)}: no plan yet: {shown(point['status'])}", highlight=False)
