"""The envelope ledger in the database: what each member key has spent survives a restart, and two hub processes
sharing the database never both accept the same envelope.

`accept` is one transaction: the nonce is inserted (its primary key refuses a second use) and the key's counter
raised only if the new one is higher (an upsert with a condition); if either fails, nothing is kept. Nonces older
than `nonce_retention_s` are pruned as new ones arrive: an envelope lives minutes, and the counter, which only
rises, refuses an old one anyway.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from homebound.storage.database import Database
from homebound.storage.schema import envelope_counters, envelope_nonces

NONCE_RETENTION_S = 86_400.0


class SqlEnvelopeLedger:
    """An `EnvelopeLedger` (hub/envelopes.py) on the hub's database; its I/O runs on the database's threads."""

    def __init__(self, database: Database, nonce_retention_s: float = NONCE_RETENTION_S) -> None:
        self.database = database
        self.nonce_retention_s = nonce_retention_s
        self._insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert

    async def last_counter(self, key_id: str) -> int | None:
        return await self.database.run(self._last_counter, key_id)

    async def accept(self, key_id: str, counter: int, nonce: str) -> bool:
        return await self.database.run(self._accept, key_id, counter, nonce)

    def _last_counter(self, key_id: str) -> int | None:
        query = sa.select(envelope_counters.c.counter).where(envelope_counters.c.key_id == key_id)
        with self.database.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return None if value is None else int(value)

    def _accept(self, key_id: str, counter: int, nonce: str) -> bool:
        now = time.time()
        insert = self._insert(envelope_counters).values(key_id=key_id, counter=counter, updated_at=now)
        upsert = insert.on_conflict_do_update(
            index_elements=["key_id"], set_={"counter": insert.excluded.counter, "updated_at": now},
            where=envelope_counters.c.counter < insert.excluded.counter).returning(envelope_counters.c.counter)
        try:
            with self.database.engine.begin() as connection:
                connection.execute(envelope_nonces.insert().values(nonce=nonce, key_id=key_id, accepted_at=now))
                if connection.execute(upsert).first() is None:  # the condition kept the higher counter
                    raise _NotHigher
                connection.execute(sa.delete(envelope_nonces).where(
                    envelope_nonces.c.accepted_at < now - self.nonce_retention_s))
        except (_NotHigher, sa.exc.IntegrityError):
            return False
        return True


class _NotHigher(Exception):
    """Rolls the nonce back when the counter was not raised."""
