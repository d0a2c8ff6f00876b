"""The cluster's durable progress in PostgreSQL: who holds each partition, and how far its input log is applied,
moved forward together with the rows that applying it produced, in one transaction.

A worker applies a partition's input log (a JetStream subject) to its hub and writes history, latest values and
commands here. `commit` writes them with the partition's `applied_seq` in one transaction, fenced by the holder's
`epoch`:

- a message delivered again (its sequence is at most `applied_seq`) is skipped, so nothing is applied twice;
- a worker that lost its lease (a newer epoch claimed the partition) cannot write any more: its commit raises
  `Fenced` and is rolled back, so a worker that paused and woke up never writes behind its successor's back.

The rows go in with one COPY into a staging table, and from there into history and latest values inside PostgreSQL:
the least Python work per row (measured: sending latest values as arrays cost more than the COPY itself).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from homebound.hub.commands import Command, CommandState
from homebound.hub.events import ChangeBatch, Field
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.storage.database import Database, DatabaseError
from homebound.storage.schema import cluster_partitions, commands, latest_values
from homebound.storage.state_store import StateStore, ThingSnapshot, stored_command

# Rows are copied once into a session-local staging table; history and latest values are filled from it inside
# PostgreSQL, which costs far less Python than sending them twice (or as arrays).
_STAGE = ("CREATE TEMP TABLE IF NOT EXISTS homebound_stage (n integer, thing varchar(128), path varchar(255), "
          "field varchar(8), value_json text, ts double precision, principal varchar(128)) ON COMMIT DELETE ROWS")
_COPY_STAGE = "COPY homebound_stage (n, thing, path, field, value_json, ts, principal) FROM STDIN"
_HISTORY_FROM_STAGE = ("INSERT INTO history (thing, path, field, value_json, ts, principal) "
                       "SELECT thing, path, field, value_json, ts, principal FROM homebound_stage ORDER BY n")
_LATEST_FROM_STAGE = (
    "INSERT INTO latest_values (thing, path, field, value_json, ts, principal) "
    "SELECT DISTINCT ON (thing, path, field) thing, path, field, value_json, ts, principal FROM homebound_stage "
    "ORDER BY thing, path, field, n DESC "
    "ON CONFLICT (thing, path, field) DO UPDATE SET value_json = EXCLUDED.value_json, ts = EXCLUDED.ts, "
    "principal = EXCLUDED.principal")


class Fenced(HomeboundError):
    """The partition was claimed by a newer holder: this worker's writes for it are refused."""

    code = ErrorCode.UNAVAILABLE


@dataclass(frozen=True, slots=True)
class PartitionProgress:
    partition: int
    epoch: int
    worker: str
    applied_seq: int
    updated_at: float


class PartitionStore:
    """Claims, fenced commits and the reads a worker needs when it takes a partition over."""

    def __init__(self, database: Database, cluster_id: str) -> None:
        if database.dialect != "postgresql":
            raise DatabaseError(f"a cluster keeps its state in PostgreSQL, not {database.dialect}: give "
                                "--storage postgresql://...")
        self.database = database
        self.cluster_id = cluster_id
        self._state = StateStore(database)

    def claim(self, partition: int, epoch: int, worker: str) -> int | None:
        """Take the partition with a fencing epoch; returns its applied sequence, or None if a holder with a newer
        epoch has it (this claim is stale)."""
        insert = postgresql.insert(cluster_partitions).values(
            cluster=self.cluster_id, partition=partition, epoch=epoch, worker=worker, applied_seq=0,
            updated_at=time.time())
        statement = insert.on_conflict_do_update(
            index_elements=["cluster", "partition"],
            set_={"epoch": insert.excluded.epoch, "worker": insert.excluded.worker,
                  "updated_at": insert.excluded.updated_at},
            where=cluster_partitions.c.epoch < insert.excluded.epoch,
        ).returning(cluster_partitions.c.applied_seq)
        with self.database.engine.begin() as connection:
            row = connection.execute(statement).first()
        return None if row is None else int(row.applied_seq)

    def commit(self, partition: int, epoch: int, applied_seq: int, batches: Sequence[ChangeBatch],
               command_rows: Sequence[dict[str, object]]) -> int:
        """Write the rows and move the partition to `applied_seq`, all or nothing; `Fenced` if the partition has a
        newer holder. Returns the number of history rows."""
        rows: list[tuple[int, str, str, str, str, float, str]] = []
        dumps = orjson.dumps
        for batch in batches:
            thing, field, ts, principal = batch.thing, batch.field.value, batch.ts, batch.principal
            for path, value in batch.changes:
                rows.append((len(rows), thing, path, field, dumps(value).decode(), ts, principal))
        with self.database.engine.begin() as connection:
            moved = connection.execute(
                sa.update(cluster_partitions)
                .where(cluster_partitions.c.cluster == self.cluster_id, cluster_partitions.c.partition == partition,
                       cluster_partitions.c.epoch == epoch)
                .values(applied_seq=sa.func.greatest(cluster_partitions.c.applied_seq, applied_seq),
                        updated_at=time.time()))
            if moved.rowcount != 1:
                raise Fenced(f"partition {partition}: epoch {epoch} no longer holds it (claimed by a newer worker)")
            raw = connection.connection.driver_connection
            assert raw is not None
            if rows:
                with raw.cursor() as cursor:
                    cursor.execute(_STAGE)
                    with cursor.copy(_COPY_STAGE) as copy:
                        for row in rows:
                            copy.write_row(row)
                    cursor.execute(_HISTORY_FROM_STAGE)
                    cursor.execute(_LATEST_FROM_STAGE)
            if command_rows:
                upsert = postgresql.insert(commands)
                upsert = upsert.on_conflict_do_update(
                    index_elements=["id"],
                    set_={"state": upsert.excluded.state, "updated_at": upsert.excluded.updated_at,
                          "reason": upsert.excluded.reason})
                connection.execute(upsert, list(command_rows))
        return len(rows)

    # ---- what a worker reads when it takes a partition over ----------------------------------------------

    def load_snapshots(self, things: Sequence[str]) -> dict[str, ThingSnapshot]:
        out = {thing: ThingSnapshot({}, {}) for thing in things}
        if not things:
            return out
        query = sa.select(latest_values).where(latest_values.c.thing.in_(list(things)))
        with self.database.engine.connect() as connection:
            for row in connection.execute(query):
                snapshot = out[row.thing]
                side = snapshot.current if row.field == Field.VALUE.value else snapshot.targets
                side[row.path] = (orjson.loads(row.value_json), row.ts, row.principal)
        return out

    def load_pending_commands(self, things: Sequence[str]) -> list[Command]:
        if not things:
            return []
        query = sa.select(commands).where(commands.c.state == CommandState.PENDING.value,
                                          commands.c.thing.in_(list(things)))
        with self.database.engine.connect() as connection:
            return [stored_command(row) for row in connection.execute(query)]

    def load_command(self, command_id: str) -> Command | None:
        return self._state.load_command(command_id)

    def progress(self) -> list[PartitionProgress]:
        query = (sa.select(cluster_partitions).where(cluster_partitions.c.cluster == self.cluster_id)
                 .order_by(cluster_partitions.c.partition))
        with self.database.engine.connect() as connection:
            return [PartitionProgress(int(row.partition), int(row.epoch), str(row.worker), int(row.applied_seq),
                                      float(row.updated_at)) for row in connection.execute(query)]
