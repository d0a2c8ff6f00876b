"""`homebound charging ...`: smart charging of a running hub, over its REST API.

`status` shows each charge point (mode, what it does, the plan in words, the session's numbers), `mode` changes
a mode, `plan` sets a target and a departure and prints the plan. `--json` prints what the API answered.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from homebound.energy.config import ChargeMode

app = typer.Typer(help="Smart charging: modes, plans and the numbers, on a running hub.", no_args_is_help=True)
console = Console()
HubOption = Annotated[str, typer.Option("--hub", help="Base URL of a running hub.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")]


def _call(method: str, hub: str, path: str, body: dict[str, object] | None = None) -> object:
    try:
        response = httpx.request(method, f"{hub.rstrip('/')}{path}", json=body, timeout=10,
                                 headers={"x-homebound-principal": "cli"})
    except httpx.TransportError as error:
        console.print(f"[red]error:[/red] no hub answers at {hub} ({error}); start one with "
                      "`homebound serve --config FILE`", highlight=False)
        raise typer.Exit(1) from None
    try:
        answer = response.json()
    except ValueError:
        answer = {"error": {"message": response.text[:200]}}
    if response.status_code >= 400:
        message = answer.get("error", {}).get("message", answer) if isinstance(answer, dict) else answer
        console.print(f"[red]error:[/red] {message}", highlight=False)
        raise typer.Exit(1)
    return answer


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
    table.add_row("mode", str(point["mode"]), "plugged", "yes" if point["plugged"] else "no")
    table.add_row("doing", str(point["status"]), "power", f"{float(str(point['power_w'])) / 1000:.2f} kW")
    table.add_row("battery", "-" if soc is None else f"{soc:.0f} % (target {point['target_soc']:.0f} %)",
                  "departure", when)
    console.print(f"[bold]{point['name']}[/bold] ({point['thing']})", highlight=False)
    console.print(table)
    plan = point.get("plan")
    if isinstance(plan, dict):
        console.print(f"  plan: {plan['text']}", highlight=False)
    session = point.get("session")
    if isinstance(session, dict):
        console.print(f"  session: {session['energy_kwh']:.2f} kWh, {float(session['solar_share']):.0%} from the sun,"
                      f" cost {session['cost']:.2f}, saved {session['savings']:.2f}", highlight=False)
    for problem in point.get("problems") or []:  # type: ignore[attr-defined]
        console.print(f"  [yellow]problem:[/yellow] {problem}", highlight=False)


@app.command()
def status(name: Annotated[str | None, typer.Argument(help="A charge point (default: all).")] = None,
           hub: HubOption = "http://127.0.0.1:8321", as_json: JsonOption = False) -> None:
    """Each charge point: mode, what it is doing, the plan in words, the session so far."""
    answer = _call("GET", hub, "/api/v1/energy/charge-points" + (f"/{name}" if name else ""))
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
         hub: HubOption = "http://127.0.0.1:8321", as_json: JsonOption = False) -> None:
    """Change a charge point's mode."""
    answer = _call("PUT", hub, f"/api/v1/energy/charge-points/{name}/mode", {"mode": new_mode.value})
    assert isinstance(answer, dict)
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    command = answer["command"]
    console.print(f"{name}: mode {new_mode.value} ({command['state']})", highlight=False)
    _show(answer["status"])


@app.command()
def plan(name: Annotated[str, typer.Argument(help="The charge point.")],
         target: Annotated[float | None, typer.Option(help="Target state of charge, %.", min=1, max=100)] = None,
         by: Annotated[str | None, typer.Option(help="Departure: HH:MM (the next one) or an ISO date and time; "
                                                     "'' clears it.")] = None,
         hub: HubOption = "http://127.0.0.1:8321", as_json: JsonOption = False) -> None:
    """Set the plan's target and departure (either or both), and print the plan."""
    if target is None and by is None:
        answer = _call("GET", hub, f"/api/v1/energy/charge-points/{name}")
    else:
        answer = _call("PUT", hub, f"/api/v1/energy/charge-points/{name}/plan", {"target_soc": target,
                                                                                "departure": by})
    assert isinstance(answer, dict)
    if as_json:
        print(json.dumps(answer, indent=2))
        return
    point = answer.get("status", answer)
    assert isinstance(point, dict)
    plan_now = point.get("plan")
    if isinstance(plan_now, dict):
        console.print(plan_now["text"], highlight=False)
    else:
        console.print(f"{name}: no plan yet: {point['status']}", highlight=False)
