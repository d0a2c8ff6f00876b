"""YAML as people write it, read with bounded work: limited size, depth and number of nodes, aliases included.

Automation files can be posted by any page the owner's browser visits (`/automations/check`), so YAML is hostile
input. An 800-byte "billion laughs" document of anchors and aliases expands to a billion nodes in whatever walks
it (PyYAML itself shares the aliased nodes, the schema validation behind it does not). So the document's size as
it would be walked, aliases expanded, is counted on the composed node graph (each node once, by memo) and
refused over `MAX_YAML_NODES` or `MAX_YAML_DEPTH`, before anything walks it; a recursive alias is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_YAML_CHARS = 1_048_576
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000


class YamlRefused(yaml.YAMLError):
    """A document Homebound will not read; `problem` and `problem_mark` say what and where, like PyYAML's."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._nodes = 0

    def _here(self) -> yaml.Mark | None:
        mark: yaml.Mark | None = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return mark

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise YamlRefused(f"more than {MAX_YAML_NODES} YAML nodes", self._here())
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YamlRefused(f"YAML nested deeper than {MAX_YAML_DEPTH} levels", self._here())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class ParsedYaml:
    document: object
    root: Node | None


def parse_yaml(text: str) -> ParsedYaml:
    """The document and its node tree (for line numbers); yaml.YAMLError (or YamlRefused) when it cannot be read."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlRefused(f"a YAML document of {len(text)} characters is over the limit of {MAX_YAML_CHARS}")
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_expanded(root)
        document = None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()
    return ParsedYaml(document, root)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded(root: Node) -> None:
    """Count nodes and depth as a walk with aliases expanded would meet them, visiting each node once."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(kid)] for kid in kids)
            depth[key] = 1 + max((depth[id(kid)] for kid in kids), default=0)
            if size[key] > MAX_YAML_NODES:
                raise YamlRefused(f"the document expands to more than {MAX_YAML_NODES} YAML nodes "
                                  "(aliases counted each time they are used)", node.start_mark)
            if depth[key] > MAX_YAML_DEPTH:
                raise YamlRefused(f"YAML nested deeper than {MAX_YAML_DEPTH} levels (aliases expanded)",
                                  node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlRefused("a YAML alias refers to a node that contains it", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node) if id(kid) not in size)
