"""What the automation engine keeps across a restart, under one documented, typed key format.

| key                          | value (`SavedTimer`, `SavedDelay`, `SavedZone`)                              |
|------------------------------|------------------------------------------------------------------------------|
| `for:<automation>:<trigger>` | a `for:` timer counting: its deadline, length and the trigger's details      |
| `resume:<automation>:<run>`  | a run waiting in a top-level `delay`: the next action, deadline, trigger      |
| `zone:<thing>:<zone>`        | a thing's presence and proximity trackers for one zone                       |

Values are JSON (the store keeps them as text); writes are queued and applied in order off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypedDict


class KeyValueStore(Protocol):
    """Where the saved state lives (the database's `automation_state` table, see storage/automation_store)."""

    def load(self) -> dict[str, object]: ...

    def put(self, key: str, value: object) -> None: ...

    def delete(self, key: str) -> None: ...

    async def flush(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ForTimerKey:
    owner: str
    trigger_index: int

    def __str__(self) -> str:
        return f"for:{self.owner}:{self.trigger_index}"


@dataclass(frozen=True, slots=True)
class ResumeKey:
    automation: str
    run_id: str

    def __str__(self) -> str:
        return f"resume:{self.automation}:{self.run_id}"


@dataclass(frozen=True, slots=True)
class ZoneKey:
    thing: str
    zone: str

    def __str__(self) -> str:
        return f"zone:{self.thing}:{self.zone}"


SavedKey = ForTimerKey | ResumeKey | ZoneKey


class SavedTimer(TypedDict):
    deadline: float
    seconds: float
    details: dict[str, object]


class SavedDelay(TypedDict):
    automation: str
    next: int
    deadline: float
    trigger: dict[str, object]


class SavedZone(TypedDict):
    presence: dict[str, object]
    proximity: dict[str, object]


def parse_key(text: str) -> SavedKey | None:
    """The key a stored string stands for; None for anything else (it is then left alone)."""
    kind, _, rest = text.partition(":")
    if kind == "for":
        owner, _, number = rest.rpartition(":")
        return ForTimerKey(owner, int(number)) if owner and number.isdigit() else None
    if kind == "resume":
        automation, _, run_id = rest.rpartition(":")
        return ResumeKey(automation, run_id) if automation and run_id else None
    if kind == "zone":
        thing, _, zone = rest.rpartition(":")
        return ZoneKey(thing, zone) if thing and zone else None
    return None


class SavedState:
    """The engine's saved state: read once at start, then kept in memory and written through to the store."""

    def __init__(self, store: KeyValueStore | None) -> None:
        self.store = store
        self._values: dict[str, object] = {}

    def load(self) -> None:
        """Read everything (in a worker thread: it is database I/O)."""
        if self.store is not None:
            self._values = self.store.load()

    def get(self, key: SavedKey) -> object:
        return self._values.get(str(key))

    def put(self, key: SavedKey, value: SavedTimer | SavedDelay | SavedZone) -> None:
        self._values[str(key)] = value
        if self.store is not None:
            self.store.put(str(key), value)

    def remember(self, key: SavedKey, value: object) -> None:
        """Keep a value read back from the store in memory without writing it again."""
        self._values[str(key)] = value

    def drop(self, key: SavedKey) -> None:
        if self._values.pop(str(key), None) is not None and self.store is not None:
            self.store.delete(str(key))

    def items(self) -> list[tuple[SavedKey, object]]:
        out: list[tuple[SavedKey, object]] = []
        for text, value in list(self._values.items()):
            key = parse_key(text)
            if key is not None:
                out.append((key, value))
        return out

    async def flush(self) -> None:
        if self.store is not None:
            await self.store.flush()
