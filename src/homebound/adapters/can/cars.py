"""Cars that work out of the box: mappings shipped in the package, on DBC files from opendbc or shipped beside.

A car is a compact YAML mapping in `adapters/can/cars/` whose `dbc` entries name where each DBC file comes from:
`opendbc:NAME.dbc` is a file of the opendbc package (PyPI), `homebound:NAME.dbc` one shipped in `cars/dbc/` with
its license, and any other name is a path relative to the mapping file. `resolve_dbc` does the same for
`--dbc` on the command line, so a user's own mapping can also say `opendbc:toyota_nodsu_pt_generated.dbc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from homebound.adapters.can.dbc import LoadedDbc, load_dbc
from homebound.adapters.can.mapping import CanMapping, MappingError, read_mapping

CARS_PACKAGE = "homebound.adapters.can"


@dataclass(slots=True, frozen=True)
class CarInfo:
    name: str
    title: str
    dbc_files: tuple[str, ...]
    paths: int


def _cars_dir() -> Path:
    return Path(str(resources.files(CARS_PACKAGE).joinpath("cars")))


def list_cars() -> list[CarInfo]:
    """The shipped cars, by name."""
    cars = []
    for path in sorted(_cars_dir().glob("*.yaml")):
        mapping = read_mapping(path)
        cars.append(CarInfo(path.stem, mapping.name, tuple(mapping.dbc_files), len(mapping.paths())))
    return cars


def car_mapping(name: str) -> CanMapping:
    """The mapping of a shipped car; MappingError lists the known names."""
    path = _cars_dir() / f"{name}.yaml"
    if not name.replace("_", "").isalnum() or not path.is_file():
        known = ", ".join(car.name for car in list_cars())
        raise MappingError(f"no shipped car named {name!r}; known: {known} (or give --dbc FILE --mapping FILE)")
    return read_mapping(path)


def opendbc_dir() -> Path:
    import opendbc  # imported here: only a car that names an opendbc file needs it

    return Path(opendbc.DBC_PATH)


def resolve_dbc(reference: str, base: Path | None = None) -> Path:
    """The file a DBC reference names: `opendbc:NAME`, `homebound:NAME`, or a path (relative to `base`)."""
    if reference.startswith("opendbc:"):
        name = reference.removeprefix("opendbc:")
        path = opendbc_dir() / name
        if "/" in name or ".." in name or not path.is_file():
            raise MappingError(f"{reference}: opendbc has no DBC file {name!r} (see {opendbc_dir()})")
        return path
    if reference.startswith("homebound:"):
        name = reference.removeprefix("homebound:")
        path = _cars_dir() / "dbc" / name
        if "/" in name or ".." in name or not path.is_file():
            raise MappingError(f"{reference}: no DBC file {name!r} is shipped with Homebound")
        return path
    path = Path(reference)
    if not path.is_absolute() and base is not None:
        path = base / path
    return path


def load_mapping_dbcs(mapping: CanMapping, extra: list[Path] | None = None) -> list[LoadedDbc]:
    """The DBC files a mapping names, plus any given on the command line, each loaded (and repaired if needed)."""
    paths = [resolve_dbc(reference, mapping.base) for reference in mapping.dbc_files] + list(extra or [])
    if not paths:
        raise MappingError(f"{mapping.origin}: no DBC file: the mapping names none (`dbc:`) and none was given "
                           "(--dbc FILE)")
    origins = list(mapping.dbc_files) + [str(p) for p in extra or []]
    return [load_dbc(path, origin=origin) for path, origin in zip(paths, origins, strict=True)]
