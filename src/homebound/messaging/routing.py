"""Route a message to the handlers whose topic filters match it: a dict for exact topics, a trie for wildcards.

A hub with thousands of devices and vehicles subscribes to thousands of exact state topics and a few wildcard
filters per vehicle, so a message costs one dictionary lookup plus a walk down the trie (at most one branch per
topic level for `+`, and `#` at each level), never a scan of every filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homebound.messaging.bus import MessageHandler


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    handlers: list[MessageHandler] = field(default_factory=list)  # filters ending here
    rest: list[MessageHandler] = field(default_factory=list)      # filters ending here with `/#`


def is_wildcard(topic_filter: str) -> bool:
    return "+" in topic_filter or "#" in topic_filter


class TopicRouter:
    """Topic filters with their handlers; `handlers(topic)` gives every handler a message on `topic` reaches."""

    def __init__(self) -> None:
        self._exact: dict[str, list[MessageHandler]] = {}
        self._root = _Node()
        self._filters: dict[str, list[MessageHandler]] = {}

    def add(self, topic_filter: str, handler: MessageHandler) -> bool:
        """Add a handler; True when the filter is new (the broker must be asked to subscribe)."""
        handlers = self._filters.setdefault(topic_filter, [])
        new = not handlers
        if handler in handlers:
            return False
        handlers.append(handler)
        if not is_wildcard(topic_filter):
            self._exact.setdefault(topic_filter, []).append(handler)
            return new
        node = self._root
        levels = topic_filter.split("/")
        for index, level in enumerate(levels):
            if level == "#" and index == len(levels) - 1:
                node.rest.append(handler)
                return new
            node = node.children.setdefault(level, _Node())
        node.handlers.append(handler)
        return new

    def remove(self, topic_filter: str, handler: MessageHandler) -> bool:
        """Remove a handler; True when the filter has no handler left (the broker may unsubscribe)."""
        handlers = self._filters.get(topic_filter)
        if not handlers or handler not in handlers:
            return False
        handlers.remove(handler)
        if not is_wildcard(topic_filter):
            exact = self._exact[topic_filter]
            exact.remove(handler)
            if not exact:
                del self._exact[topic_filter]
        else:
            node: _Node | None = self._root
            levels = topic_filter.split("/")
            for index, level in enumerate(levels):
                assert node is not None
                if level == "#" and index == len(levels) - 1:
                    node.rest.remove(handler)
                    node = None
                    break
                node = node.children[level]
            if node is not None:
                node.handlers.remove(handler)
        if handlers:
            return False
        del self._filters[topic_filter]
        return True

    def has(self, topic_filter: str, handler: MessageHandler) -> bool:
        return handler in self._filters.get(topic_filter, ())

    def handlers(self, topic: str) -> list[MessageHandler]:
        found = list(self._exact.get(topic, ()))
        if self._root.children or self._root.rest:
            levels = topic.split("/")
            self._walk(self._root, levels, 0, found, topic.startswith("$"))
        return found

    def _walk(self, node: _Node, levels: list[str], index: int, found: list[MessageHandler], system: bool) -> None:
        # MQTT: wildcards at the first level never match topics starting with `$` ($SYS...).
        if node.rest and not (system and index == 0):
            found.extend(node.rest)
        if index == len(levels):
            found.extend(node.handlers)
            return
        child = node.children.get(levels[index])
        if child is not None:
            self._walk(child, levels, index + 1, found, system)
        plus = node.children.get("+")
        if plus is not None and not (system and index == 0):
            self._walk(plus, levels, index + 1, found, system)
