"""`homebound safety rules`: what the hub refuses for safety, and when, with a household's configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homebound.app.config import load_config
from homebound.hub.safety import Interlocks
from homebound.model.errors import HomeboundError
from homebound.model.vss_loader import load_catalog

app = typer.Typer(help="The safety interlocks: which commands the hub refuses, and in which state of the car.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _limits(interlocks: Interlocks) -> str:
    t = interlocks.thresholds
    trusted = "until replaced" if t.state_max_age_s is None else f"for {t.state_max_age_s:g} s"
    return (f"moving from {t.moving_speed_kmh:g} km/h (or IsMoving, park lock off, a gear but park); cabin set points "
            f"{t.climate_min_c:g}..{t.climate_max_c:g} °C; seat heating up to {t.seat_heating_max_percent:g} %; "
            f"a 'stopped' or 'not charging' reading counts {trusted}; unknown state refuses")


@app.command()
def rules(config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (YAML).")] = None,
          ) -> None:
    """List the rules in the order they are checked (built-in first, then yours) and check the paths you added
    against the configured catalog."""
    try:
        settings = load_config(config)
        catalog = load_catalog(settings.catalog.vss, settings.catalog.overlays)
    except HomeboundError as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None
    interlocks = settings.safety.interlocks()
    table = Table(title="Safety interlocks", title_justify="left")
    for column in ("rule", "refuses", "while", "paths"):
        table.add_column(column, overflow="fold")
    for rule in interlocks.rules:
        name = rule.name if rule.built_in else f"{rule.name} (yours)"
        table.add_row(name, rule.refuses.describe(), rule.when.value, "\n".join(rule.paths))
    console.print(table)
    console.print(_limits(interlocks), highlight=False)
    problems = interlocks.unguarded(catalog)
    for problem in problems:
        errors.print(f"[red]error:[/red] {problem}", highlight=False)
    if problems:
        raise typer.Exit(2)
