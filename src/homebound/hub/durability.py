"""When a door may say "done": after the hub's writes are durable.

A door acknowledges a write (REST 200, gRPC OK, MQTT PUBACK) only after `Hub.committed()` returns, and refuses
at once with `StorageUnavailable` (`Hub.check_writable()`) while the database is known to be down, instead of
acknowledging something that is then lost. The history recorder is the hub's `Durability` when there is a
database; a hub without one (tests, tools) keeps everything in memory and acknowledges at once.
"""

from __future__ import annotations

from typing import Protocol

from homebound.model.errors import ErrorCode, HomeboundError


class StorageUnavailable(HomeboundError):
    """The database cannot be reached, is stuck, or refuses every write: try again later."""

    code = ErrorCode.STORAGE_UNAVAILABLE


class Durability(Protocol):
    def check_writable(self) -> None:
        """Raise StorageUnavailable when writes cannot be stored now (the door answers 503 at once)."""

    async def committed(self, commands: bool = False) -> None:
        """Return once everything the hub accepted so far is durable (in buffered mode: at once, unless
        `commands`, which are always made durable before they are acknowledged). StorageUnavailable if the
        database refuses or does not answer in time."""


class InMemory:
    """No database: nothing to wait for."""

    def check_writable(self) -> None:
        return None

    async def committed(self, commands: bool = False) -> None:
        return None
