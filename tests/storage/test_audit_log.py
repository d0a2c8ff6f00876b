"""The audit log: records are appended in the caller's transaction and chained; `verify` names every record that
was edited, deleted, replaced or forged, and an anchor finds a removed tail.

Each test runs against SQLite and against PostgreSQL. Tampering is done with plain SQL, as someone with the
database's password would do it (dropping the append-only triggers first).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from homebound.hub.audit import GENESIS, Anchor, AuditAction, AuditError, AuditRecord
from homebound.model.canonical import canonical_json
from homebound.storage.audit_store import AuditStore, ProblemKind
from homebound.storage.database import Database

RECORDS = [
    AuditRecord(AuditAction.ACCOUNT_CREATED, "cli:owner", detail={"account": "ana", "role": "family"}, ts=100.0),
    AuditRecord(AuditAction.SIGN_IN, "rest:ana", outcome="ok", ts=101.0),
    AuditRecord(AuditAction.COMMAND_CREATED, "rest:ana", "car1", "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked",
                {"target": False, "command": "c-1"}, "pending", ts=102.0),
    AuditRecord(AuditAction.COMMAND_CONFIRMED, "rest:ana", "car1", "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked",
                {"command": "c-1"}, "confirmed", ts=103.5),
    AuditRecord(AuditAction.ACCESS_REFUSED, "rest:guest", "car1", "Vehicle.CurrentLocation.Latitude",
                {"reason": "outside the guest's scope"}, "refused", ts=104.0),
]


@pytest.fixture
def store(database_url: str) -> Iterator[AuditStore]:
    database = Database(database_url)
    database.migrate()
    yield AuditStore(database)
    database.dispose()


def logged(store: AuditStore) -> AuditStore:
    store.append_now(RECORDS)
    return store


def tamper(store: AuditStore, *statements: str) -> None:
    """Run SQL as an intruder would: drop the append-only triggers, then change the table."""
    drops = (["DROP TRIGGER audit_log_append_only ON audit_log"] if store.database.dialect == "postgresql"
             else ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"])
    with store.database.engine.begin() as connection:
        for statement in (*drops, *statements):
            connection.exec_driver_sql(statement)


def row(store: AuditStore, seq: int) -> dict[str, object]:
    with store.database.engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT * FROM audit_log WHERE seq = :seq"), {"seq": seq})
                    .one()._mapping)


# ---- appending ----------------------------------------------------------------------------------------------

def test_records_are_numbered_and_each_carries_the_hash_of_the_one_before(store: AuditStore) -> None:
    entries = store.append_now(RECORDS)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(after.prev_hash == before.hash for before, after in itertools.pairwise(entries))
    assert store.head() == (5, entries[-1].hash)


def test_the_hash_is_sha256_of_the_canonical_json_of_the_record_without_its_hash(store: AuditStore) -> None:
    entry = store.append_now(RECORDS[:1])[0]
    document = {"seq": 1, "ts": 100.0, "actor": "cli:owner", "action": "account.created", "thing": None,
                "path": None, "detail": {"account": "ana", "role": "family"}, "outcome": None, "prev_hash": GENESIS}
    expected = hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert entry.hash == expected


def test_a_second_append_continues_the_chain(store: AuditStore) -> None:
    first = store.append_now(RECORDS[:2])
    second = store.append_now(RECORDS[2:])
    assert second[0].seq == 3 and second[0].prev_hash == first[-1].hash
    assert store.verify().ok


def test_records_appended_in_a_transaction_that_rolls_back_are_not_kept(store: AuditStore) -> None:
    store.append_now(RECORDS[:1])
    with pytest.raises(RuntimeError), store.database.engine.begin() as connection:
        store.append(connection, RECORDS[1:3])
        raise RuntimeError("the recorder's group commit failed")
    assert store.head()[0] == 1
    assert store.append_now(RECORDS[3:4])[0].seq == 2
    assert store.verify().ok


def test_the_database_refuses_to_update_or_delete_audit_records(store: AuditStore) -> None:
    logged(store)
    for statement in ("UPDATE audit_log SET actor = 'rest:nobody' WHERE seq = 2", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.database.engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert store.verify().ok and store.verify().checked == 5


def test_hostile_text_is_stored_cleaned_and_still_verifies(store: AuditStore) -> None:
    store.append_now([AuditRecord(
        AuditAction.SIGN_IN_FAILED, "rest:\x1b[31mroot\x00\ud800" + "x" * 10_000, "car\n1", "Vehicle.Speed\x00",
        {"user": "\u202egnp.exe", "nan": float("nan"), "deep": [[[[[["down"]]]]]], "big": 10**400,
         "many": list(range(1000)), "text": "y" * 100_000},
        "refused")])
    entry = store.records()[0]
    assert entry.actor.startswith("rest:\\u001b[31mroot\\u0000?") and len(entry.actor) == 255
    assert entry.thing == "car\\u000a1" and entry.path == "Vehicle.Speed\\u0000"
    assert len(canonical_json(entry.detail)) <= 4096
    assert store.verify().ok


def test_an_action_must_be_a_dotted_lower_case_name() -> None:
    with pytest.raises(AuditError, match="dotted lower-case name"):
        AuditRecord("Command Created; DROP TABLE", "rest:ana")


# ---- verifying ----------------------------------------------------------------------------------------------

def test_an_untouched_log_verifies_and_reports_its_head(store: AuditStore) -> None:
    entries = logged(store).records()
    report = store.verify()
    assert report.ok and report.checked == 5 and report.head == (5, entries[-1].hash)


def test_an_empty_log_verifies(store: AuditStore) -> None:
    report = store.verify()
    assert report.ok and report.checked == 0 and report.head == (0, GENESIS)


def test_an_edited_record_is_named_with_the_field_that_changed(store: AuditStore) -> None:
    tamper(logged(store), "UPDATE audit_log SET outcome = 'refused' WHERE seq = 4")
    report = store.verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(4, ProblemKind.EDITED)]
    assert "record 4 was edited: outcome changed" in report.problems[0].message


def test_an_edited_detail_is_named(store: AuditStore) -> None:
    tamper(logged(store), """UPDATE audit_log SET detail_json = '{"target":true,"command":"c-1"}' WHERE seq = 3""")
    assert [p.message for p in store.verify().problems] == [
        "record 3 was edited: detail changed (its hash no longer matches its contents)"]


def test_an_edit_with_its_hash_recomputed_breaks_the_link_to_the_next_record(store: AuditStore) -> None:
    logged(store)
    original = row(store, 2)
    forged = {name: original[name] for name in ("seq", "ts", "action", "thing", "path", "outcome", "prev_hash")}
    forged |= {"actor": "rest:mallory", "detail": json.loads(str(original["detail_json"]))}
    digest = hashlib.sha256(canonical_json(forged)).hexdigest()
    tamper(store, f"UPDATE audit_log SET actor = 'rest:mallory', hash = '{digest}' WHERE seq = 2")
    report = store.verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(3, ProblemKind.BROKEN_LINK)]
    assert "the chain breaks between record 2 and record 3" in report.problems[0].message


def test_a_deleted_record_is_named(store: AuditStore) -> None:
    tamper(logged(store), "DELETE FROM audit_log WHERE seq = 3")
    report = store.verify()
    assert [(p.seq, p.kind, p.message) for p in report.problems] == [
        (3, ProblemKind.MISSING, "record 3 is missing: deleted from the log")]


def test_several_deleted_records_are_named_as_a_range(store: AuditStore) -> None:
    tamper(logged(store), "DELETE FROM audit_log WHERE seq IN (1, 2)")
    assert [p.message for p in store.verify().problems] == ["records 1 to 2 are missing: deleted from the log"]


def test_a_forged_record_in_place_of_a_real_one_is_found_even_with_a_correct_hash(store: AuditStore) -> None:
    logged(store)
    real = row(store, 3)
    forged = {"seq": 3, "ts": 102.0, "actor": "rest:ana", "action": "command.created", "thing": "car1",
              "path": "Vehicle.Body.Trunk.Rear.IsOpen", "detail": {}, "outcome": "pending",
              "prev_hash": real["prev_hash"]}
    digest = hashlib.sha256(canonical_json(forged)).hexdigest()
    tamper(store, "DELETE FROM audit_log WHERE seq = 3",
           "INSERT INTO audit_log (seq, ts, actor, action, thing, path, detail_json, outcome, prev_hash, hash, "
           f"fingerprints) VALUES (3, 102.0, 'rest:ana', 'command.created', 'car1', 'Vehicle.Body.Trunk.Rear.IsOpen', "
           f"'{{}}', 'pending', '{real['prev_hash']}', '{digest}', '{{}}')")
    report = store.verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(4, ProblemKind.BROKEN_LINK)]


def test_a_forged_record_appended_with_a_made_up_hash_is_named(store: AuditStore) -> None:
    logged(store)
    head = store.head()[1]
    tamper(store, "INSERT INTO audit_log (seq, ts, actor, action, thing, path, detail_json, outcome, prev_hash, "
                  f"hash, fingerprints) VALUES (6, 105.0, 'rest:ana', 'grant.created', NULL, NULL, "
                  f"'{{\"grantee\":\"mallory\"}}', 'ok', '{head}', '{'ab' * 32}', '{{}}')")
    report = store.verify()
    assert [(p.seq, p.kind) for p in report.problems] == [(6, ProblemKind.EDITED)]
    assert "forged" in report.problems[0].message


def test_a_record_inserted_before_the_first_is_named(store: AuditStore) -> None:
    logged(store)
    tamper(store, "INSERT INTO audit_log (seq, ts, actor, action, thing, path, detail_json, outcome, prev_hash, "
                  f"hash, fingerprints) VALUES (0, 99.0, 'rest:ana', 'sign_in', NULL, NULL, '{{}}', 'ok', "
                  f"'{GENESIS}', '{'cd' * 32}', '{{}}')")
    kinds = {(p.seq, p.kind) for p in store.verify().problems}
    assert (0, ProblemKind.OUT_OF_ORDER) in kinds and (1, ProblemKind.BROKEN_LINK) in kinds


def test_a_removed_tail_passes_the_chain_but_not_the_anchor(store: AuditStore) -> None:
    logged(store)
    anchor = Anchor(*store.verify().head)
    tamper(store, "DELETE FROM audit_log WHERE seq >= 4")
    assert store.verify().ok, "a chain alone cannot see records removed from its end"
    report = store.verify(anchor)
    assert [(p.seq, p.kind) for p in report.problems] == [(5, ProblemKind.ANCHOR)]
    assert "record 5 was anchored but is not in the log (it ends at record 3)" in report.problems[0].message


def test_a_rewritten_log_does_not_match_its_anchor(store: AuditStore) -> None:
    logged(store)
    anchor = Anchor(*store.verify().head)
    tamper(store, "DELETE FROM audit_log WHERE seq = 5")
    store.append_now([AuditRecord(AuditAction.SIGN_IN, "rest:mallory", ts=104.0)])
    report = store.verify(anchor)
    assert [(p.seq, p.kind) for p in report.problems] == [(5, ProblemKind.ANCHOR)]


def test_verify_walks_past_one_page(store: AuditStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("homebound.storage.audit_store.VERIFY_PAGE", 2)
    tamper(logged(store), "DELETE FROM audit_log WHERE seq = 4")
    report = store.verify()
    assert report.checked == 4 and [p.seq for p in report.problems] == [4]


def test_concurrent_appenders_take_turns_and_never_fork_the_chain(store: AuditStore) -> None:
    if store.database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time by construction; this is about PostgreSQL's advisory lock")
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(20):
                store.append_now([AuditRecord(AuditAction.SIGN_IN, f"rest:{name}", detail={"n": n})])
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(f"writer{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    report = store.verify()
    assert report.ok and report.checked == 80 and report.head[0] == 80


# ---- listing ------------------------------------------------------------------------------------------------

def test_records_are_listed_by_actor_thing_action_and_time(store: AuditStore) -> None:
    logged(store)
    assert [e.seq for e in store.records(actor="rest:ana")] == [2, 3, 4]
    assert [e.seq for e in store.records(thing="car1")] == [3, 4, 5]
    assert [e.seq for e in store.records(action="command")] == [3, 4]
    assert [e.seq for e in store.records(action="sign_in")] == [2]
    assert [e.seq for e in store.records(since=103.0)] == [4, 5]
    assert [e.seq for e in store.records(limit=2)] == [4, 5]


def test_a_wildcard_in_an_action_filter_is_taken_literally(store: AuditStore) -> None:
    logged(store)
    assert store.records(action="%") == [] and store.records(action="command_") == []
