"""Reads and writes of the hub's persisted state: latest values and targets, history rows and commands.

Writes come in batches from the history recorder, in a worker thread, off the ingest path.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from homebound.hub.commands import Command, CommandState
from homebound.hub.events import ChangeBatch, Field
from homebound.model.errors import shown
from homebound.storage.database import Database
from homebound.storage.errors import RowRefused, describe, refuses_rows
from homebound.storage.schema import commands, history, latest_values, quarantine

log = logging.getLogger(__name__)

Entry = tuple[object, float, str]
Refusal = tuple[dict[str, object], str]
MAX_THING_CHARS = 128
MAX_PATH_CHARS = 255


@dataclass(slots=True)
class WriteReport:
    written: int
    refused: list[str]


def storable(text: str) -> bool:
    """Whether both databases can hold `text` in a text column: PostgreSQL refuses NUL, SQLite and PostgreSQL
    refuse lone surrogates (not UTF-8). Names of things and principals reach us from devices and tokens."""
    if text.isascii():
        return "\x00" not in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def printable(text: object, limit: int) -> str:
    """`text` cut to `limit` and made storable (NUL and lone surrogates shown as escapes), for the quarantine and
    for command rows, which are kept even when a name in them is not clean text."""
    value = str(text)[:limit]
    if storable(value):
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")[:limit]


def _check(row: dict[str, object], value: object) -> None:
    """What the database would refuse, found before it is asked (the same in SQLite and PostgreSQL)."""
    ts = row["ts"]
    if not isinstance(ts, float | int) or not math.isfinite(ts):
        raise RowRefused(f"timestamp {shown(ts)} is not a finite number")
    if len(str(row["thing"])) > MAX_THING_CHARS or len(str(row["path"])) > MAX_PATH_CHARS:
        raise RowRefused("thing or path longer than the database columns")
    for column in ("thing", "path", "principal"):
        if not storable(str(row[column])):
            raise RowRefused(f"{column} {shown(row[column])} holds a NUL or a lone surrogate, which databases refuse")
    numbers = value if isinstance(value, list) else [value]
    if any(isinstance(n, float) and not math.isfinite(n) for n in numbers):
        raise RowRefused(f"value {shown(value)} is not finite")


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

    def write(self, batches: Sequence[ChangeBatch], command_rows: Sequence[dict[str, object]],
              latest_batches: Sequence[ChangeBatch] | None = None) -> WriteReport:
        """Write change batches (history and latest values) and command states.

        `latest_batches`, when given, are what the latest values are taken from instead of `batches`: every
        accepted value, also those the history's deadband leaves out of the history rows, so an acknowledged
        value is durable even when history does not keep it.

        Everything is one transaction when the database takes it. Rows it refuses (or that cannot be stored at
        all) are found by halving the batch, set aside in the `quarantine` table with the reason, and the rest is
        written. An error that is not about the rows (the database is away) is raised, and nothing is lost: the
        recorder keeps the batches and tries again.
        """
        rows, refused = self._rows(batches)
        latest_rows = None
        if latest_batches is not None:
            latest_rows, _refused_again = self._rows(latest_batches)
        try:
            with self.database.engine.begin() as connection:
                self._insert_rows(connection, rows, latest_rows)
                self._upsert_commands(connection, command_rows)
            written = len(rows)
        except Exception as error:
            if not refuses_rows(error):
                raise
            written, more = self._isolate(rows)
            refused += more
            with self.database.engine.begin() as connection:
                if latest_rows:
                    refused_ids = {id(row) for row, _reason in more}
                    self._upsert_latest(connection, [r for r in latest_rows if id(r) not in refused_ids])
                self._upsert_commands(connection, command_rows)
        if refused:
            self._quarantine(refused)
        return WriteReport(written, [reason for _row, reason in refused])

    def _rows(self, batches: Sequence[ChangeBatch]) -> tuple[list[dict[str, object]], list[Refusal]]:
        rows: list[dict[str, object]] = []
        refused: list[Refusal] = []
        for batch in batches:
            thing, field, ts, principal = batch.thing, batch.field.value, batch.ts, batch.principal[:128]
            for path, value in batch.changes:
                row: dict[str, object] = {"thing": thing, "path": path, "field": field, "ts": ts,
                                          "principal": principal}
                try:
                    row["value_json"] = _dumps(value)
                    _check(row, value)
                except (RowRefused, TypeError, ValueError, orjson.JSONEncodeError) as error:
                    refused.append((row | {"value": value}, describe(error)))
                    continue
                rows.append(row)
        return rows, refused

    def _insert_rows(self, connection: sa.Connection, rows: list[dict[str, object]],
                     latest_rows: list[dict[str, object]] | None = None) -> None:
        if rows:
            connection.execute(history.insert(), rows)
        self._upsert_latest(connection, rows if latest_rows is None else latest_rows)

    def _upsert_latest(self, connection: sa.Connection, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        latest = {(row["thing"], row["path"], row["field"]): row for row in rows}
        statement = self._insert(latest_values)
        statement = statement.on_conflict_do_update(
            index_elements=["thing", "path", "field"],
            set_={"value_json": statement.excluded.value_json, "ts": statement.excluded.ts,
                  "principal": statement.excluded.principal},
        )
        connection.execute(statement, list(latest.values()))

    def _upsert_commands(self, connection: sa.Connection, command_rows: Sequence[dict[str, object]]) -> None:
        if not command_rows:
            return
        statement = self._insert(commands)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at,
                  "reason": statement.excluded.reason},
        )
        connection.execute(statement, list(command_rows))

    def _isolate(self, rows: list[dict[str, object]]) -> tuple[int, list[Refusal]]:
        """Write `rows` in halves until each refused row stands alone; returns (written, refused)."""
        try:
            with self.database.engine.begin() as connection:
                self._insert_rows(connection, rows)
            return len(rows), []
        except Exception as error:
            if not refuses_rows(error):
                raise
            if len(rows) == 1:
                return 0, [(rows[0], describe(error))]
        middle = len(rows) // 2
        first, refused_first = self._isolate(rows[:middle])
        second, refused_second = self._isolate(rows[middle:])
        return first + second, refused_first + refused_second

    def _quarantine(self, refused: list[Refusal]) -> None:
        now = time.time()
        records = [{"thing": printable(row.get("thing"), 255), "path": printable(row.get("path"), 1000),
                    "field": printable(row.get("field"), 8),
                    "value_repr": shown(row.get("value", row.get("value_json")), 1000),
                    "ts_repr": shown(row.get("ts")), "principal": printable(row.get("principal"), 255),
                    "reason": printable(reason, 1000), "quarantined_at": now} for row, reason in refused]
        try:
            with self.database.engine.begin() as connection:
                connection.execute(quarantine.insert(), records)
        except Exception as error:  # the quarantine itself refused: the rows are still counted and logged
            log.error("history: %d refused rows could not be quarantined either: %s", len(records), describe(error))

    def quarantined(self, limit: int = 100) -> list[dict[str, object]]:
        """The most recently quarantined rows, newest first."""
        query = sa.select(quarantine).order_by(quarantine.c.id.desc()).limit(limit)
        with self.database.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    @staticmethod
    def command_row(command: Command) -> dict[str, object]:
        """A command as stored. Commands are never set aside: a name the database cannot hold (a NUL in a client's
        command id, a lone surrogate in a token's subject) is stored with escapes instead of stopping every write."""
        return {"id": printable(command.id, 64), "thing": printable(command.thing, MAX_THING_CHARS),
                "path": printable(command.path, MAX_PATH_CHARS), "target_json": _dumps(command.target),
                "principal": printable(command.principal, 128), "state": command.state.value,
                "created_at": command.created_at, "updated_at": command.updated_at or command.created_at,
                "deadline": command.deadline, "reason": None if command.reason is None else printable(command.reason,
                                                                                                       10_000)}

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


    def count_history(self, thing: str | None = None) -> int:
        """Rows of raw history kept (of one thing, or all): `homebound history stats` and its tests."""
        query = sa.select(sa.func.count()).select_from(history)
        if thing is not None:
            query = query.where(history.c.thing == thing)
        with self.database.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def stored_command(row: sa.Row[tuple[object, ...]]) -> Command:
    """A command read back from its row."""
    return Command(
        id=str(row.id), thing=str(row.thing), path=str(row.path), target=orjson.loads(str(row.target_json)),
        principal=str(row.principal), created_at=float(row.created_at), deadline=float(row.deadline),
        state=CommandState(row.state), updated_at=float(row.updated_at),
        reason=None if row.reason is None else str(row.reason),
    )


