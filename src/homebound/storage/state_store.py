"""Reads and writes of the hub's persisted state: latest values and targets, history rows and commands.

Writes come in batches from the history recorder, in a worker thread, off the ingest path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from homebound.hub.commands import Command, CommandState
from homebound.hub.events import ChangeBatch, Field
from homebound.storage.database import Database
from homebound.storage.schema import commands, history, latest_values

Entry = tuple[object, float, str]


@dataclass(slots=True)
class ThingSnapshot:
    current: dict[str, Entry]
    targets: dict[str, Entry]


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


class StateStore:
    """The hub's tables, read at start-up and written by the recorder."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert

    # ---- writing ------------------------------------------------------------------------------------------

    def write(self, batches: Sequence[ChangeBatch], command_rows: Sequence[dict[str, object]]) -> int:
        """Write change batches (history and latest) and command states in one transaction; returns rows."""
        history_rows: list[dict[str, object]] = []
        latest: dict[tuple[str, str, str], dict[str, object]] = {}
        for batch in batches:
            thing, field, ts, principal = batch.thing, batch.field.value, batch.ts, batch.principal
            for path, value in batch.changes:
                row = {"thing": thing, "path": path, "field": field, "value_json": _dumps(value), "ts": ts,
                       "principal": principal}
                history_rows.append(row)
                latest[(thing, path, field)] = row
        with self.database.engine.begin() as connection:
            if history_rows:
                connection.execute(history.insert(), history_rows)
            if latest:
                statement = self._insert(latest_values)
                statement = statement.on_conflict_do_update(
                    index_elements=["thing", "path", "field"],
                    set_={"value_json": statement.excluded.value_json, "ts": statement.excluded.ts,
                          "principal": statement.excluded.principal},
                )
                connection.execute(statement, list(latest.values()))
            if command_rows:
                statement = self._insert(commands)
                statement = statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at,
                          "reason": statement.excluded.reason},
                )
                connection.execute(statement, list(command_rows))
        return len(history_rows)

    @staticmethod
    def command_row(command: Command) -> dict[str, object]:
        return {"id": command.id, "thing": command.thing, "path": command.path,
                "target_json": _dumps(command.target), "principal": command.principal,
                "state": command.state.value, "created_at": command.created_at,
                "updated_at": command.updated_at or command.created_at, "deadline": command.deadline,
                "reason": command.reason}

    # ---- reading ------------------------------------------------------------------------------------------

    def load_snapshot(self, thing: str) -> ThingSnapshot:
        snapshot = ThingSnapshot({}, {})
        query = sa.select(latest_values).where(latest_values.c.thing == thing)
        with self.database.engine.connect() as connection:
            for row in connection.execute(query):
                side = snapshot.current if row.field == Field.VALUE.value else snapshot.targets
                side[row.path] = (orjson.loads(row.value_json), row.ts, row.principal)
        return snapshot

    def load_pending_commands(self) -> list[Command]:
        query = sa.select(commands).where(commands.c.state == CommandState.PENDING.value)
        with self.database.engine.connect() as connection:
            return [stored_command(row) for row in connection.execute(query)]

    def load_command(self, command_id: str) -> Command | None:
        query = sa.select(commands).where(commands.c.id == command_id)
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else stored_command(row)

    def history(self, thing: str, path: str, since: float | None = None, until: float | None = None,
                limit: int = 1000, field: Field = Field.VALUE) -> list[tuple[float, object, str]]:
        """Past values of one datapoint, oldest first, as (ts, value, principal)."""
        query = (sa.select(history.c.ts, history.c.value_json, history.c.principal)
                 .where(history.c.thing == thing, history.c.path == path, history.c.field == field.value))
        if since is not None:
            query = query.where(history.c.ts >= since)
        if until is not None:
            query = query.where(history.c.ts <= until)
        query = query.order_by(history.c.ts.desc(), history.c.id.desc()).limit(limit)
        with self.database.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [(row.ts, orjson.loads(row.value_json), row.principal) for row in reversed(rows)]


def stored_command(row: sa.Row[tuple[object, ...]]) -> Command:
    """A command read back from its row."""
    return Command(
        id=str(row.id), thing=str(row.thing), path=str(row.path), target=orjson.loads(str(row.target_json)),
        principal=str(row.principal), created_at=float(row.created_at), deadline=float(row.deadline),
        state=CommandState(row.state), updated_at=float(row.updated_at),
        reason=None if row.reason is None else str(row.reason),
    )


