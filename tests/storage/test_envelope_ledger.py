"""The envelope ledger in the database: a spent envelope stays spent across a restart, and copies racing through
several connections are accepted once. Each test runs against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from homebound.hub.envelope_signing import new_member_key, sign_command
from homebound.hub.envelopes import EnvelopeVerifier, ReplayedEnvelope
from homebound.storage.database import Database
from homebound.storage.envelope_ledger import SqlEnvelopeLedger
from homebound.storage.schema import envelope_nonces

KEY = new_member_key()
UNLOCK = ("car1", "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked", False)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


async def test_a_key_starts_with_no_counter_and_accepting_raises_it(database: Database) -> None:
    ledger = SqlEnvelopeLedger(database)
    assert await ledger.last_counter("ana-phone") is None
    assert await ledger.accept("ana-phone", 5, "nonce-00000000000001")
    assert await ledger.last_counter("ana-phone") == 5
    assert await ledger.accept("ana-phone", 6, "nonce-00000000000002")
    assert await ledger.last_counter("ana-phone") == 6


async def test_a_counter_not_above_the_last_is_refused_and_its_nonce_not_kept(database: Database) -> None:
    ledger = SqlEnvelopeLedger(database)
    assert await ledger.accept("ana-phone", 5, "nonce-00000000000001")
    assert not await ledger.accept("ana-phone", 5, "nonce-00000000000002")
    assert not await ledger.accept("ana-phone", 4, "nonce-00000000000002")
    assert await ledger.accept("ana-phone", 7, "nonce-00000000000002")


async def test_a_spent_nonce_is_refused_whatever_the_counter(database: Database) -> None:
    ledger = SqlEnvelopeLedger(database)
    assert await ledger.accept("ana-phone", 1, "nonce-00000000000001")
    assert not await ledger.accept("ana-phone", 2, "nonce-00000000000001")
    assert await ledger.last_counter("ana-phone") == 1


async def test_counters_are_kept_per_key(database: Database) -> None:
    ledger = SqlEnvelopeLedger(database)
    assert await ledger.accept("ana-phone", 100, "nonce-00000000000001")
    assert await ledger.accept("bob-phone", 1, "nonce-00000000000002")


async def test_a_replay_after_a_restart_is_refused(database: Database) -> None:
    signed = sign_command(KEY, "ana-phone", *UNLOCK)
    first = EnvelopeVerifier({"ana-phone": KEY.public_key()}, SqlEnvelopeLedger(database))
    await first.verify(signed, *UNLOCK)
    restarted = EnvelopeVerifier({"ana-phone": KEY.public_key()}, SqlEnvelopeLedger(Database(database.url)))
    with pytest.raises(ReplayedEnvelope):
        await restarted.verify(signed, *UNLOCK)


async def test_copies_racing_through_several_connections_are_accepted_once(database: Database) -> None:
    ledgers = [SqlEnvelopeLedger(Database(database.url)) for _ in range(4)]
    results = await asyncio.gather(*(ledger.accept("ana-phone", 9, f"nonce-racing-{n:08d}")
                                     for n in range(8) for ledger in ledgers))
    assert sum(results) == 1
    for ledger in ledgers:
        ledger.database.dispose()


async def test_old_nonces_are_pruned_as_new_ones_arrive(database: Database) -> None:
    ledger = SqlEnvelopeLedger(database, nonce_retention_s=0.0)
    assert await ledger.accept("ana-phone", 1, "nonce-00000000000001")
    assert await ledger.accept("ana-phone", 2, "nonce-00000000000002")
    with database.engine.connect() as connection:
        kept = connection.execute(sa.select(envelope_nonces.c.nonce)).scalars().all()
    assert kept == ["nonce-00000000000002"]
