"""`homebound audit list|verify`, run as an operator runs them, straight on the database (no hub running)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from homebound.hub.audit import AuditAction, AuditRecord
from homebound.storage.audit_store import AuditStore
from homebound.storage.database import Database
from tests.cli.test_cli import run


@pytest.fixture
def audited(database_url: str) -> str:
    """A database whose log holds a sign-in, two commands and a refusal (the newest an hour ago)."""
    database = Database(database_url)
    database.migrate()
    now = time.time()
    AuditStore(database).append_now([
        AuditRecord(AuditAction.SIGN_IN, "rest:ana", outcome="ok", ts=now - 86_400 * 3),
        AuditRecord(AuditAction.COMMAND_CREATED, "rest:ana", "car1", "Vehicle.Body.Trunk.Rear.IsOpen",
                    {"target": True}, "pending", ts=now - 7200),
        AuditRecord(AuditAction.COMMAND_CONFIRMED, "rest:ana", "car1", "Vehicle.Body.Trunk.Rear.IsOpen",
                    outcome="confirmed", ts=now - 7100),
        AuditRecord(AuditAction.ACCESS_REFUSED, "rest:[bold]guest\x1b[2J", "car1", "Vehicle.Speed",
                    {"reason": "outside its window"}, "refused", ts=now - 3600),
    ])
    database.dispose()
    return database_url


def test_list_prints_the_records_as_json(audited: str) -> None:
    result = run("audit", "list", "--storage", audited, "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["action"] for r in records] == ["sign_in", "command.created", "command.confirmed", "access.refused"]
    assert records[1]["detail"] == {"target": True} and len(records[1]["hash"]) == 64


def test_list_filters_by_actor_thing_action_and_since(audited: str) -> None:
    def seqs(*options: str) -> list[int]:
        result = run("audit", "list", "--storage", audited, "--json", *options)
        assert result.returncode == 0, result.stderr
        return [r["seq"] for r in json.loads(result.stdout)]

    assert seqs("--actor", "rest:ana") == [1, 2, 3]
    assert seqs("--thing", "car1", "--action", "command") == [2, 3]
    assert seqs("--since", "1d") == [2, 3, 4]
    assert seqs("--since", "90m") == [4]


def test_list_shows_a_table_without_obeying_markup_or_escape_codes_in_the_records(audited: str) -> None:
    result = run("audit", "list", "--storage", audited)
    assert result.returncode == 0, result.stderr
    assert "4 audit records" in result.stdout and "access.refused" in result.stdout
    assert "[bold]guest" in result.stdout and "\x1b" not in result.stdout


def test_verify_says_ok_and_prints_the_head_to_keep(audited: str) -> None:
    result = run("audit", "verify", "--storage", audited)
    assert result.returncode == 0, result.stderr
    assert "ok: 4 records, chain intact" in result.stdout
    head = json.loads(run("audit", "verify", "--storage", audited, "--json").stdout)["head"]
    assert f"Head 4:{head['hash']}" in result.stdout


def test_verify_names_a_deleted_record_and_exits_1(audited: str) -> None:
    database = Database(audited)
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        connection.exec_driver_sql("DELETE FROM audit_log WHERE seq = 2")
    database.dispose()
    result = run("audit", "verify", "--storage", audited)
    assert result.returncode == 1
    assert "record 2 (missing): record 2 is missing: deleted from the log" in result.stdout


def test_verify_with_an_anchor_finds_a_removed_tail(audited: str) -> None:
    head = json.loads(run("audit", "verify", "--storage", audited, "--json").stdout)["head"]
    database = Database(audited)
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        connection.exec_driver_sql("DELETE FROM audit_log WHERE seq = 4")
    database.dispose()
    assert run("audit", "verify", "--storage", audited).returncode == 0
    result = run("audit", "verify", "--storage", audited, "--anchor", f"{head['seq']}:{head['hash']}")
    assert result.returncode == 1 and "record 4 was anchored but is not in the log" in result.stdout


def test_a_missing_database_file_is_one_clear_line(tmp_path: Path) -> None:
    result = run("audit", "verify", "--storage", f"sqlite:///{tmp_path / 'nowhere.db'}")
    assert result.returncode == 2
    assert "no database at" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_a_malformed_anchor_is_refused_with_the_expected_form(audited: str) -> None:
    result = run("audit", "verify", "--storage", audited, "--anchor", "4:nothex")
    assert result.returncode == 2 and "SEQ:HASH" in result.stderr


def test_a_malformed_since_is_refused_with_examples(audited: str) -> None:
    result = run("audit", "list", "--storage", audited, "--since", "yesterday")
    assert result.returncode == 2 and "2h, 7d" in result.stderr
