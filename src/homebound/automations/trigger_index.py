"""The trigger index: which handlers watch which (thing, path), so an update nobody watches costs one lookup.

Each handler receives `(value, previous, ts)`, where `previous` is the last value the index saw for that
datapoint (the value before this batch), and decides itself whether its trigger fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from homebound.hub.events import ChangeBatch, Field

log = logging.getLogger(__name__)

Handler = Callable[[object, object, float], None]


class TriggerIndex:
    """Handlers by thing and path, each with the owner (an automation, a wait) that added it."""

    def __init__(self) -> None:
        self._index: dict[str, dict[str, list[tuple[str, Handler]]]] = {}
        self._last: dict[str, dict[str, object]] = {}

    def add(self, owner: str, thing: str, path: str, handler: Handler) -> None:
        self._index.setdefault(thing, {}).setdefault(path, []).append((owner, handler))

    def remove(self, owner: str) -> None:
        for paths in self._index.values():
            for path in list(paths):
                paths[path] = [(o, h) for o, h in paths[path] if o != owner]
                if not paths[path]:
                    del paths[path]

    def seed(self, thing: str, path: str, value: object) -> None:
        """Set the value a datapoint had before the next update (when a saved timer resumes)."""
        self._last.setdefault(thing, {})[path] = value

    def dispatch(self, batch: ChangeBatch) -> None:
        """Run the handlers of every watched datapoint in an accepted batch of values."""
        index = self._index.get(batch.thing)
        if index is None or batch.field is not Field.VALUE:
            return
        thing = batch.thing
        last = self._last.get(thing)
        if last is None:
            last = self._last[thing] = {}
        ts = batch.ts
        for path, value in batch.changes:
            handlers = index.get(path)
            if handlers is None:
                continue
            previous = last.get(path)
            last[path] = value
            # Handlers never add or remove watches synchronously (runs start as tasks), so no copy is needed.
            for _owner, handler in handlers:
                try:
                    handler(value, previous, ts)
                except Exception:
                    log.exception("trigger on %s %s failed", thing, path)
