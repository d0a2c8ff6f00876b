"""`homebound vss ...`: look into a catalog, the built-in one or any official VSS export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homebound.model.catalog import Catalog
from homebound.model.errors import HomeboundError, UnknownPath
from homebound.model.vss_loader import load_catalog

app = typer.Typer(help="Inspect a VSS catalog: the built-in one, or official VSS JSON exports you point at.",
                  no_args_is_help=True)
console = Console()

VssOption = Annotated[list[Path] | None, typer.Option(
    "--vss", help="An official VSS JSON export (repeatable; later files add to earlier). Default: built-in.")]
OverlayOption = Annotated[list[Path] | None, typer.Option(
    "--overlay", help="An overlay of custom or changed signals, JSON or YAML (repeatable).")]


def _load(vss: list[Path] | None, overlay: list[Path] | None) -> Catalog:
    try:
        return load_catalog(vss or [], overlay or [])
    except HomeboundError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None


@app.command()
def info(vss: VssOption = None, overlay: OverlayOption = None) -> None:
    """Count the catalog's leaf signals by kind and by datatype."""
    catalog = _load(vss, overlay)
    source = ", ".join(str(p) for p in (vss or [])) or "built-in catalog"
    console.print(f"[bold]Catalog:[/bold] {source}", highlight=False)
    kinds = Table(title="By kind", title_justify="left")
    kinds.add_column("kind")
    kinds.add_column("count", justify="right")
    for kind, count in catalog.counts_by_kind().items():
        kinds.add_row(kind, str(count))
    kinds.add_row("[bold]total leaf signals[/bold]", f"[bold]{len(catalog)}[/bold]")
    console.print(kinds)
    datatypes = Table(title="By datatype", title_justify="left")
    datatypes.add_column("datatype")
    datatypes.add_column("count", justify="right")
    for datatype, count in catalog.counts_by_datatype().items():
        datatypes.add_row(datatype, str(count))
    console.print(datatypes)


@app.command()
def show(path: Annotated[str, typer.Argument(help="A leaf path, e.g. Vehicle.Speed")],
         vss: VssOption = None, overlay: OverlayOption = None) -> None:
    """Print one signal's metadata."""
    catalog = _load(vss, overlay)
    try:
        meta = catalog.get(path)
    except UnknownPath as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None
    table = Table(show_header=False, title=meta.path, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in meta.to_json().items():
        if key != "path":
            table.add_row(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    console.print(table)
