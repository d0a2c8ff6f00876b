"""CAN <-> VSS mappings: which DBC signal feeds which VSS path, and which actuator writes which DBC signal.

Two file forms are read into the same `CanMapping`:

- **Kuksa's CAN-provider format**, unchanged: a VSS JSON export (nested `children`) or a vspec overlay (YAML,
  keys are dotted VSS paths) whose signals carry `dbc2vss` (synonym `dbc`) and `vss2dbc` blocks with `signal`,
  `interval_ms`, `on_change`, `transform` (`math` or `mapping`) and `multiplexer`. Defaults follow Kuksa: neither
  `interval_ms` nor `on_change` means every 1000 ms; `on_change: true` alone means interval 0.
- **Homebound's compact YAML**: `signals:` and `actuators:` keyed by VSS path, plus the car's `dbc` files,
  `channel`, and `defaults` for the other signals of a command frame (see docs/can.md).

Reading checks the file's own shape (each problem named by file and path); `decoder.bind` then checks it against
the DBC files and the VSS catalog.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from homebound.adapters.can.transforms import Transform, TransformError
from homebound.model.errors import HomeboundError
from homebound.model.yaml_text import parse_yaml

MAX_MAPPING_BYTES = 50_000_000
DEFAULT_INTERVAL_MS = 1000
MAX_INTERVAL_MS = 86_400_000
_RULE_KEYS = {"signal", "interval_ms", "on_change", "transform", "multiplexer"}
_COMPACT_KEYS = {"name", "car", "description", "dbc", "channel", "signals", "actuators", "defaults", "source"}


class MappingError(HomeboundError):
    """A mapping file that cannot be read, or entries in it that do not fit the format, the DBC or the catalog."""


@dataclass(slots=True, frozen=True)
class SignalRule:
    """dbc2vss: a DBC signal's decoded value becomes a VSS path's current value."""

    path: str
    signal: str
    interval_ms: int
    on_change: bool
    transform: Transform
    multiplexer: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True, frozen=True)
class ActuatorRule:
    """vss2dbc: a command's target for a VSS actuator becomes a DBC signal in the frame that carries it."""

    path: str
    signal: str
    transform: Transform


@dataclass(slots=True)
class CanMapping:
    """Everything a mapping file says, in one form whatever the file's."""

    origin: str
    name: str = ""
    dbc_files: list[str] = field(default_factory=list)
    channel: str | None = None
    signals: list[SignalRule] = field(default_factory=list)
    actuators: list[ActuatorRule] = field(default_factory=list)
    defaults: dict[str, int | float | str] = field(default_factory=dict)
    base: Path | None = None

    def paths(self) -> list[str]:
        return sorted({r.path for r in self.signals} | {r.path for r in self.actuators})


def read_mapping(path: Path | str) -> CanMapping:
    """Read a mapping file of either form (chosen by content, JSON or YAML by suffix)."""
    path = Path(path)
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MAPPING_BYTES:
            raise MappingError(f"{origin}: {size:,} bytes is more than a mapping file may have "
                               f"({MAX_MAPPING_BYTES:,})")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(f"{origin}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise MappingError(f"{origin}: not UTF-8 text (byte {error.start})") from None
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else parse_yaml(text).document
    except json.JSONDecodeError as error:
        raise MappingError(f"{origin}: not valid JSON at line {error.lineno} column {error.colno}: "
                           f"{error.msg}") from None
    except yaml.YAMLError as error:
        raise MappingError(f"{origin}: not valid YAML: {' '.join(str(error).split())[:300]}") from None
    except RecursionError:
        raise MappingError(f"{origin}: nested too deeply") from None
    mapping = parse_mapping(document, origin)
    mapping.base = path.parent
    return mapping


def parse_mapping(document: object, origin: str) -> CanMapping:
    """A mapping from a parsed document: compact (`signals`/`actuators`) or Kuksa's (VSS tree or overlay)."""
    if not isinstance(document, Mapping):
        raise MappingError(f"{origin}: a mapping file must be a mapping, not {type(document).__name__}")
    if "signals" in document or "actuators" in document:
        return _parse_compact(document, origin)
    return _parse_kuksa(document, origin)


# ---- Kuksa's format ------------------------------------------------------------------------------------------

def _parse_kuksa(document: Mapping[object, object], origin: str) -> CanMapping:
    mapping = CanMapping(origin, name=Path(origin).stem)
    problems: list[str] = []
    seen = 0
    for path, node in _kuksa_leaves(document, origin):
        seen += 1
        where = f"{origin}: {path}"
        try:
            if "dbc" in node and "dbc2vss" in node:
                raise MappingError(f"{where}: has both `dbc` and `dbc2vss`; they mean the same, give one")
            incoming = node.get("dbc2vss", node.get("dbc"))
            if incoming is not None:
                mapping.signals.append(_signal_rule(path, incoming, where))
            outgoing = node.get("vss2dbc")
            if outgoing is not None:
                if node.get("type") not in (None, "actuator"):
                    raise MappingError(f"{where}: vss2dbc is only for actuators (a command's target becomes a "
                                       f"CAN signal), and this is a {node.get('type')}")
                mapping.actuators.append(_actuator_rule(path, outgoing, where))
        except (MappingError, TransformError) as error:
            problems.append(str(error))
    if problems:
        raise MappingError("\n".join(problems))
    if not mapping.signals and not mapping.actuators:
        raise MappingError(f"{origin}: no signal has a `dbc2vss`, `dbc` or `vss2dbc` block ({seen} signals read)")
    return mapping


def _kuksa_leaves(document: Mapping[object, object], origin: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    """Leaves of a nested VSS tree, or of a flat overlay keyed by dotted path (as vspec overlays are written)."""
    stack: list[tuple[str, Mapping[object, object]]] = [("", document)]
    while stack:
        prefix, tree = stack.pop()
        for name, node in reversed(list(tree.items())):
            path = f"{prefix}.{name}" if prefix else str(name)
            if not isinstance(node, Mapping):
                continue  # a vspec overlay may carry scalars at the root (units, comments); they map nothing
            if node.get("type") == "branch" or ("children" in node and "type" not in node):
                children = node.get("children", {})
                if not isinstance(children, Mapping):
                    raise MappingError(f"{origin}: {path}: children must be a mapping")
                if path.count(".") > 64:
                    raise MappingError(f"{origin}: {path[:120]}...: nested more than 64 levels deep")
                stack.append((path, children))
            elif any(key in node for key in ("dbc", "dbc2vss", "vss2dbc", "type", "datatype")):
                yield path, node


def _signal_rule(path: str, node: object, where: str) -> SignalRule:
    if isinstance(node, str):
        node = {"signal": node}
    if not isinstance(node, Mapping):
        raise MappingError(f"{where}: dbc2vss must be a mapping with `signal`, not {type(node).__name__}")
    _check_keys(node, _RULE_KEYS, where)
    signal = _signal_name(node, where)
    on_change = node.get("on_change", False)
    if not isinstance(on_change, bool):
        raise MappingError(f"{where}: on_change must be true or false, not {on_change!r}")
    interval = node.get("interval_ms")
    if interval is None:
        interval = 0 if on_change else DEFAULT_INTERVAL_MS
    if isinstance(interval, bool) or not isinstance(interval, int) or not 0 <= interval <= MAX_INTERVAL_MS:
        raise MappingError(f"{where}: interval_ms must be a whole number of milliseconds from 0 to "
                           f"{MAX_INTERVAL_MS}, not {interval!r}")
    return SignalRule(path, signal, interval, on_change, Transform.parse(node.get("transform"), where),
                      _multiplexer(node.get("multiplexer"), where))


def _actuator_rule(path: str, node: object, where: str) -> ActuatorRule:
    if isinstance(node, str):
        node = {"signal": node}
    if not isinstance(node, Mapping):
        raise MappingError(f"{where}: vss2dbc must be a mapping with `signal`, not {type(node).__name__}")
    _check_keys(node, _RULE_KEYS, where)
    # Kuksa ignores interval_ms and on_change for vss2dbc (a command is sent when it comes); so do we.
    return ActuatorRule(path, _signal_name(node, where), Transform.parse(node.get("transform"), where))


def _multiplexer(node: object, where: str) -> tuple[tuple[str, int], ...]:
    if node is None:
        return ()
    if not isinstance(node, list) or not node or len(node) > 8:
        raise MappingError(f"{where}: multiplexer must be a list of 1 to 8 {{signal, value}} entries")
    entries = []
    for item in node:
        if not isinstance(item, Mapping) or not isinstance(item.get("signal"), str):
            raise MappingError(f"{where}: each multiplexer entry needs a `signal` name")
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int):
            raise MappingError(f"{where}: multiplexer {item['signal']}: value must be an integer, not {value!r}")
        entries.append((str(item["signal"]), value))
    return tuple(entries)


def _signal_name(node: Mapping[object, object], where: str) -> str:
    signal = node.get("signal")
    if not isinstance(signal, str) or not signal.strip() or len(signal) > 128:
        raise MappingError(f"{where}: `signal` must name a DBC signal, not {str(signal)[:60]!r}")
    return signal.strip()


def _check_keys(node: Mapping[object, object], allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in node if k not in allowed)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


# ---- compact YAML --------------------------------------------------------------------------------------------

def _parse_compact(document: Mapping[object, object], origin: str) -> CanMapping:
    _check_keys(document, _COMPACT_KEYS, origin)
    dbc = document.get("dbc", [])
    if isinstance(dbc, str):
        dbc = [dbc]
    if not isinstance(dbc, list) or not all(isinstance(d, str) for d in dbc):
        raise MappingError(f"{origin}: dbc must be a file name or a list of them")
    channel = document.get("channel")
    if channel is not None and not isinstance(channel, str):
        raise MappingError(f"{origin}: channel must be a text such as can1, not {channel!r}")
    name = document.get("name") or document.get("car") or Path(origin).stem
    mapping = CanMapping(origin, name=str(name), dbc_files=list(dbc), channel=channel)
    problems: list[str] = []
    for key, build in (("signals", _signal_rule), ("actuators", _actuator_rule)):
        section = document.get(key) or {}
        if not isinstance(section, Mapping):
            raise MappingError(f"{origin}: {key} must be a mapping of VSS path to rule")
        for path, node in section.items():
            where = f"{origin}: {key}: {path}"
            try:
                if not isinstance(path, str) or "." not in path:
                    raise MappingError(f"{where}: keys must be VSS paths such as Vehicle.Speed")
                rule = build(path, node, where)
            except (MappingError, TransformError) as error:
                problems.append(str(error))
                continue
            if isinstance(rule, SignalRule):
                mapping.signals.append(rule)
            else:
                mapping.actuators.append(rule)
    if problems:
        raise MappingError("\n".join(problems))
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int | float | str) for k, v in defaults.items()):
        raise MappingError(f"{origin}: defaults must map DBC signal names to numbers or value names")
    mapping.defaults = {str(k): v for k, v in defaults.items()}
    return mapping


def read_defaults(path: Path | str) -> dict[str, int | float | str]:
    """Kuksa's `dbc_default_values.json`: the values of a command frame's other signals, by DBC signal name."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MappingError(f"{path}: cannot read the default values: {error}") from None
    if not isinstance(document, dict) or not all(isinstance(v, int | float | str) for v in document.values()):
        raise MappingError(f"{path}: default values must be a JSON object of signal name to number or name")
    return {str(k): v for k, v in document.items()}
