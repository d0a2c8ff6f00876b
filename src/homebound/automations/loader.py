"""Read automation files (YAML): every error names the file, the line, the automation id and what is wrong.

A file is a list of automations, or a mapping with `automations:` (and optionally `zones:`). A bad automation
is reported and skipped; the others still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from homebound.automations.schema import Automation, ZoneConfig
from homebound.model.errors import shown
from homebound.model.yaml_text import parse_yaml

MAX_AUTOMATIONS = 1000
PROBLEMS_PER_AUTOMATION = 10


@dataclass
class LoadResult:
    automations: list[Automation] = field(default_factory=list)
    zones: list[ZoneConfig] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.automations += other.automations
        self.zones += other.zones
        self.errors += other.errors


def _child(node: yaml.Node, key: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        child: yaml.Node = node.value[key]
        return child
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key or (isinstance(key, str) and key_node.value == key.rstrip("_")):
                found: yaml.Node = value_node
                return found
    return None


# The discriminator values pydantic puts in error locations; they are not keys of the document.
_UNION_TAGS = {"numeric_state", "zone", "proximity", "arrival", "device_event", "car", "time", "interval",
               "command", "notify", "delay", "wait_for_trigger", "choose", "if", "parallel", "stop", "and", "or",
               "not"}


def _locate(node: yaml.Node, loc: tuple[int | str, ...]) -> tuple[int, str]:
    """The line and the readable path (`triggers[0].above`) of a pydantic error location in the YAML.

    Steps that are not in the document (pydantic's union tags) are skipped.
    """
    current = node
    where = ""
    for part in loc:
        child = _child(current, part)
        if child is None:
            if isinstance(part, str) and part == loc[-1] and part not in _UNION_TAGS and not where.endswith(part):
                where += f".{part.rstrip('_')}" if where else part.rstrip("_")
            continue
        current = child
        where += f"[{part}]" if isinstance(part, int) else (f".{part.rstrip('_')}" if where else part.rstrip("_"))
    return current.start_mark.line + 1, where or "(automation)"


def load_text(text: str, origin: str) -> LoadResult:
    result = LoadResult()
    try:
        parsed = parse_yaml(text)
        root, document = parsed.root, parsed.document
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        result.errors.append(f"{origin}{at}: not valid YAML: {getattr(error, 'problem', error)}")
        return result
    if document is None or root is None:
        return result
    automations_node: yaml.Node = root
    items: object = document
    if isinstance(document, dict):
        zones = document.get("zones", [])
        zones_node = _child(root, "zones")
        for index, zone in enumerate(zones if isinstance(zones, list) else []):
            try:
                result.zones.append(ZoneConfig.model_validate(zone))
            except ValidationError as error:
                for problem in error.errors():
                    line, where = _locate(zones_node, (index, *problem["loc"])) if zones_node else (1, "")
                    result.errors.append(f"{origin}:{line}: zone {where}: {problem['msg']}")
        items = document.get("automations", [])
        automations_node = _child(root, "automations") or root
    if not isinstance(items, list):
        result.errors.append(f"{origin}:1: expected a list of automations (or a mapping with 'automations:')")
        return result
    if len(items) > MAX_AUTOMATIONS:
        result.errors.append(f"{origin}:1: {len(items)} automations in one file is over the limit of "
                             f"{MAX_AUTOMATIONS}; split them into several files")
        return result
    seen: set[str] = set()
    for index, item in enumerate(items):
        item_node = _child(automations_node, index) or automations_node
        ident: object = item.get("id") if isinstance(item, dict) else None
        label = f"automation {shown(ident)}" if ident else f"automation [{index}]"
        try:
            automation = Automation.model_validate(item)
        except ValidationError as error:
            for problem in error.errors()[:PROBLEMS_PER_AUTOMATION]:
                line, where = _locate(item_node, tuple(problem["loc"]))
                result.errors.append(f"{origin}:{line}: {label}: {where[:120]}: {problem['msg']}")
            continue
        if automation.id in seen:
            result.errors.append(f"{origin}:{item_node.start_mark.line + 1}: {label}: the id is used twice")
            continue
        seen.add(automation.id)
        result.automations.append(automation)
    return result


def load_file(path: Path) -> LoadResult:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return LoadResult(errors=[f"{path}: cannot read: {error.strerror or error}"])
    return load_text(text, str(path))


def load_paths(paths: list[Path]) -> LoadResult:
    """Load files and folders (every *.yaml in a folder, in name order)."""
    result = LoadResult()
    for path in paths:
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        for file in files:
            result.extend(load_file(file))
    return result
