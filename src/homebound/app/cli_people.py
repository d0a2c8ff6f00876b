"""`homebound people list`: the household's members and where they are, from a running hub."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from homebound.app.cli_hub import DEFAULT_HUB, HubOption, JsonOption, hub_list, shown

app = typer.Typer(help="The household's members: home, away, in a zone, approaching; room; near the car.",
                  no_args_is_help=True)
console = Console()


@app.command("list")
def list_people(hub: HubOption = DEFAULT_HUB, as_json: JsonOption = False) -> None:
    """List the members with their presence."""
    people = hub_list("GET", hub, "/api/v1/people", hint="configure `people:` and start `homebound serve`")
    if as_json:
        print(json.dumps(people, indent=2))
        return
    table = Table(title=f"{len(people)} members", title_justify="left")
    for column in ("id", "name", "state", "room", "near", "to home", "phones"):
        table.add_column(column)
    for person in people:
        distance = person.get("home_distance_m")
        table.add_row(shown(person["id"]), shown(person["name"]), shown(person["state"]), shown(person["room"]),
                      shown(person["near_vehicle"]), "" if distance is None else f"{float(str(distance)):.0f} m",
                      shown(", ".join(map(str, person["phones"])) if isinstance(person["phones"], list) else ""))
    console.print(table)
