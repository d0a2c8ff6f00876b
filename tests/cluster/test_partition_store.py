"""The partition table in PostgreSQL: a claim carries an epoch, and a commit of an older epoch writes nothing."""

from __future__ import annotations

import psycopg
import pytest

from homebound.hub.events import ChangeBatch, Field
from homebound.storage.database import Database, DatabaseError
from homebound.storage.partition_store import Fenced, PartitionStore


@pytest.fixture
def store(database: str) -> PartitionStore:
    db = Database(database)
    db.migrate()
    return PartitionStore(db, "cluster-a")


def batch(thing: str, value: float, ts: float) -> ChangeBatch:
    return ChangeBatch(thing, Field.VALUE, ts, "test", [("Vehicle.Speed", value)])


def rows(database: str) -> list[tuple[str, str]]:
    with psycopg.connect(database) as connection:
        return [(t, v) for t, v in connection.execute("SELECT thing, value_json FROM history ORDER BY id")]


def test_a_claim_returns_how_far_the_partition_was_applied(store: PartitionStore) -> None:
    assert store.claim(3, epoch=10, worker="w1") == 0
    store.commit(3, 10, 41, [batch("car1", 1.0, 1.0)], [])
    assert store.claim(3, epoch=12, worker="w2") == 41


def test_an_older_epoch_cannot_claim_back(store: PartitionStore) -> None:
    assert store.claim(0, epoch=5, worker="w2") == 0
    assert store.claim(0, epoch=4, worker="w1") is None


def test_a_fenced_commit_writes_nothing(store: PartitionStore, database: str) -> None:
    store.claim(1, epoch=7, worker="w1")
    store.commit(1, 7, 1, [batch("car1", 1.0, 1.0)], [])
    store.claim(1, epoch=8, worker="w2")
    with pytest.raises(Fenced, match="epoch 7 no longer holds it"):
        store.commit(1, 7, 2, [batch("car1", 2.0, 2.0)], [])
    assert rows(database) == [("car1", "1.0")]
    assert [p.applied_seq for p in store.progress()] == [1]


def test_history_keeps_the_order_of_the_batches_and_latest_the_last_value(store: PartitionStore,
                                                                           database: str) -> None:
    store.claim(2, epoch=1, worker="w1")
    store.commit(2, 1, 3, [batch("car1", float(n), 100.0 - n) for n in range(300)], [])
    assert [float(v) for _, v in rows(database)] == [float(n) for n in range(300)]
    assert store.load_snapshots(["car1"])["car1"].current["Vehicle.Speed"][0] == 299.0


def test_a_cluster_needs_postgresql(tmp_path: object) -> None:
    with pytest.raises(DatabaseError, match="keeps its state in PostgreSQL"):
        PartitionStore(Database("sqlite:///:memory:"), "c")
