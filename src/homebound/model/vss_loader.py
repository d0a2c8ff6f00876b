"""Read VSS catalogs: the standard's JSON export, and overlays of custom or changed signals (JSON or YAML).

The export is a nested tree keyed by node name, as `vss-tools` writes it. An overlay is either the same nested
shape or a flat mapping keyed by dotted path (the way vspec overlays are usually written by hand); for a signal
the catalog already has, an overlay may give only the fields it changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path

import yaml

from homebound.model.catalog import Catalog
from homebound.model.datatypes import DATATYPE_NAMES, DataType
from homebound.model.errors import CatalogError
from homebound.model.signal import Scalar, SignalKind, SignalMetadata, Value
from homebound.model.yaml_text import parse_yaml

LEAF_KINDS = {kind.value for kind in SignalKind}
_KNOWN_KEYS = {"type", "datatype", "description", "unit", "min", "max", "allowed", "default", "comment",
               "deprecation", "uuid", "children"}


def read_document(path: Path) -> object:
    """Parse a JSON or YAML file, with an error that names the file and where it broke."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return parse_yaml(text).document
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogError(f"{path}: not valid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {error}") from None


def _leaf(path: str, node: Mapping[str, object], origin: str) -> SignalMetadata:
    kind = node.get("type")
    datatype = node.get("datatype")
    if kind not in LEAF_KINDS:
        raise CatalogError(f"{origin}: {path}: type {kind!r} is not one of sensor, actuator, attribute, branch")
    if not isinstance(datatype, str) or datatype not in DATATYPE_NAMES:
        raise CatalogError(f"{origin}: {path}: datatype {datatype!r} is not a VSS datatype "
                           f"(one of {', '.join(sorted(DATATYPE_NAMES))})")
    meta = SignalMetadata(path=path, kind=SignalKind(kind), datatype=DataType(datatype),
                          description=str(node.get("description", "")))
    return _apply_fields(meta, node, origin)


def _number(path: str, key: str, value: object, origin: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(f"{origin}: {path}: {key} {value!r} is not a number")
    return value


def _apply_fields(meta: SignalMetadata, node: Mapping[str, object], origin: str) -> SignalMetadata:
    path = meta.path
    changes: dict[str, object] = {}
    if "type" in node and node["type"] != meta.kind.value:
        if node["type"] not in LEAF_KINDS:
            raise CatalogError(f"{origin}: {path}: type {node['type']!r} is not one of sensor, actuator, attribute")
        changes["kind"] = SignalKind(str(node["type"]))
    if "datatype" in node:
        if node["datatype"] not in DATATYPE_NAMES:
            raise CatalogError(f"{origin}: {path}: datatype {node['datatype']!r} is not a VSS datatype")
        changes["datatype"] = DataType(str(node["datatype"]))
    for key in ("min", "max"):
        if key in node:
            changes[key] = _number(path, key, node[key], origin)
    if "allowed" in node:
        allowed = node["allowed"]
        if not isinstance(allowed, list) or not allowed:
            raise CatalogError(f"{origin}: {path}: allowed must be a non-empty list, not {allowed!r}")
        changes["allowed"] = tuple(allowed)
    for key in ("description", "unit", "comment", "deprecation", "uuid"):
        if key in node and node[key] is not None:
            changes[key] = str(node[key])
    if "default" in node:
        changes["default"] = node["default"]
    extra = {k: v for k, v in node.items() if k not in _KNOWN_KEYS}
    if extra:
        changes["extra"] = {**meta.extra, **extra}
    return replace(meta, **changes) if changes else meta  # type: ignore[arg-type]


def _walk_tree(tree: Mapping[str, object], prefix: str, origin: str) -> Iterable[tuple[str, Mapping[str, object]]]:
    for name, node in tree.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if not isinstance(node, Mapping):
            raise CatalogError(f"{origin}: {path}: a node must be a mapping, not {type(node).__name__}")
        kind = node.get("type")
        if kind is None and "children" in node:
            kind = "branch"
        if kind == "branch":
            children = node.get("children", {})
            if not isinstance(children, Mapping):
                raise CatalogError(f"{origin}: {path}: children must be a mapping")
            yield from _walk_tree(children, path, origin)
        else:
            yield path, node


def _is_flat(document: Mapping[str, object]) -> bool:
    return any("." in str(key) for key in document)


def parse_catalog(document: object, origin: str) -> list[SignalMetadata]:
    """The leaves of a nested VSS export, in file order."""
    if not isinstance(document, Mapping):
        raise CatalogError(f"{origin}: a VSS catalog must be a mapping of root branches, not {type(document).__name__}")
    return [_leaf(path, node, origin) for path, node in _walk_tree(document, "", origin)]


def load_vss_file(path: Path | str) -> Catalog:
    """Load an official VSS JSON export (or a YAML file of the same shape)."""
    path = Path(path)
    return Catalog(parse_catalog(read_document(path), str(path)), name=path.name)


def apply_overlay(catalog: Catalog, document: object, origin: str) -> Catalog:
    """Add or change signals from an overlay document (nested or flat)."""
    if not isinstance(document, Mapping):
        raise CatalogError(f"{origin}: an overlay must be a mapping, not {type(document).__name__}")
    if _is_flat(document):
        entries: Iterable[tuple[str, Mapping[str, object]]] = []
        flat: list[tuple[str, Mapping[str, object]]] = []
        for key, node in document.items():
            if not isinstance(node, Mapping):
                raise CatalogError(f"{origin}: {key}: an overlay entry must be a mapping")
            if node.get("type") != "branch":
                flat.append((str(key), node))
        entries = flat
    else:
        entries = _walk_tree(document, "", origin)
    changed: dict[str, SignalMetadata] = {}
    for path, node in entries:
        if path in catalog.signals:
            changed[path] = _apply_fields(catalog.signals[path], node, origin)
        else:
            changed[path] = _leaf(path, node, origin)
    return catalog.merged(changed)


def load_overlay_file(catalog: Catalog, path: Path | str) -> Catalog:
    path = Path(path)
    return apply_overlay(catalog, read_document(path), str(path))


def builtin_catalog() -> Catalog:
    """The VSS signals Homebound uses, shipped with the package (the standard's facts, our descriptions)."""
    text = resources.files("homebound.model").joinpath("data/vss_builtin.json").read_text(encoding="utf-8")
    return Catalog(parse_catalog(json.loads(text), "built-in catalog"), name="built-in")


def load_catalog(vss_files: Iterable[Path | str] = (), overlays: Iterable[Path | str] = ()) -> Catalog:
    """The catalog a configuration asks for: the given exports merged (or the built-in one), then overlays."""
    files = list(vss_files)
    catalog = builtin_catalog() if not files else load_vss_file(files[0])
    for extra in files[1:]:
        catalog = catalog.merged(load_vss_file(extra).signals)
    for overlay in overlays:
        catalog = load_overlay_file(catalog, overlay)
    return catalog


__all__ = ["Scalar", "Value", "apply_overlay", "builtin_catalog", "load_catalog", "load_overlay_file",
           "load_vss_file", "parse_catalog"]
