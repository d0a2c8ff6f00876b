"""The audit log in the database: records appended in the caller's transaction, listed, and the chain verified.

`append` runs inside a transaction the caller already holds (the history recorder's group commit), so an audit
record is exactly as durable as the command it describes: both are committed, or neither. It reads the last
record's (seq, hash) once per call and chains the new records after it. On PostgreSQL a transaction-scoped
advisory lock makes concurrent appenders (several hub processes, a CLI) take turns; on SQLite the database's own
write lock does, and `seq` being the primary key means two writers can never fork the chain, only fail and retry.

`verify` walks the whole log in pages of `seq` (memory stays flat for any size) and names each record that was
edited, deleted, replaced or inserted. What a chain alone cannot see, a removed tail, an operator catches with an
anchor: `verify` prints the head (seq and hash); keep it elsewhere and pass it back later.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from homebound.hub.audit import (
    GENESIS,
    Anchor,
    AuditEntry,
    AuditRecord,
    ChainProblem,
    ChainWalk,
    ProblemKind,
    StoredRecord,
    chain,
    clean_text,
    fingerprints,
)
from homebound.model.canonical import canonical_json
from homebound.storage.database import Database
from homebound.storage.schema import audit_log

# Any constant works, as long as nothing else in the database takes the same advisory lock ("HBAudit" in ASCII).
ADVISORY_LOCK_KEY = 0x48424175646974
VERIFY_PAGE = 2000
MAX_PROBLEMS = 20
MAX_LISTED = 10_000


@dataclass(slots=True)
class AuditReport:
    """What `verify` found: how many records it checked, the head to keep as an anchor, and the problems."""

    checked: int
    head: tuple[int, str]
    problems: list[ChainProblem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "checked": self.checked, "head": {"seq": self.head[0], "hash": self.head[1]},
                "problems": [{"seq": p.seq, "kind": p.kind.value, "message": p.message} for p in self.problems],
                "more_problems": self.more_problems}


class AuditStore:
    """Appends to, lists and verifies the `audit_log` table."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # ---- writing ------------------------------------------------------------------------------------------

    def append(self, connection: sa.Connection, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        """Number, chain and insert `records` in the caller's open transaction; returns them as stored."""
        if not records:
            return []
        if self.database.dialect == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        last = connection.execute(
            sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()
        last_seq, last_hash = (int(last.seq), str(last.hash)) if last is not None else (0, GENESIS)
        entries = chain(list(records), last_seq, last_hash)
        connection.execute(audit_log.insert(), [_row(entry) for entry in entries])
        return entries

    def append_now(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        """`append` in a transaction of its own, for writers that have none (the command line)."""
        with self.database.engine.begin() as connection:
            return self.append(connection, records)

    # ---- reading ------------------------------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        """The last record's (seq, hash); (0, GENESIS) for an empty log."""
        query = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))

    def records(self, *, since: float | None = None, until: float | None = None, actor: str | None = None,
                thing: str | None = None, action: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The newest `limit` records matching every filter given, oldest first, as stored (not verified).

        `action` matches itself and the actions below it: `command` matches `command.created`, `command.failed`...
        """
        query = sa.select(audit_log)
        if since is not None:
            query = query.where(audit_log.c.ts >= since)
        if until is not None:
            query = query.where(audit_log.c.ts <= until)
        if actor is not None:
            query = query.where(audit_log.c.actor == actor)
        if thing is not None:
            query = query.where(audit_log.c.thing == thing)
        if action is not None:
            query = query.where(sa.or_(audit_log.c.action == action,
                                       audit_log.c.action.startswith(action + ".", autoescape=True)))
        query = query.order_by(audit_log.c.seq.desc()).limit(max(1, min(limit, MAX_LISTED)))
        with self.database.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [_entry(row) for row in reversed(rows)]

    def verify(self, anchor: Anchor | None = None, max_problems: int = MAX_PROBLEMS) -> AuditReport:
        """Walk the whole chain; the report names up to `max_problems` problems and counts the rest."""
        walk = ChainWalk(anchor)
        report = AuditReport(0, (0, GENESIS))
        for stored in self._stored_records():
            for problem in walk.feed(stored):
                _add(report, problem, max_problems)
        for problem in walk.finish():
            _add(report, problem, max_problems)
        report.checked, report.head = walk.checked, walk.head
        return report

    def _stored_records(self) -> Iterator[StoredRecord]:
        after: int | None = None
        while True:
            query = sa.select(audit_log).order_by(audit_log.c.seq).limit(VERIFY_PAGE)
            if after is not None:
                query = query.where(audit_log.c.seq > after)
            with self.database.engine.connect() as connection:
                rows = list(connection.execute(query))
            for row in rows:
                yield _stored(row)
            if len(rows) < VERIFY_PAGE:
                return
            after = int(rows[-1].seq)


def _add(report: AuditReport, problem: ChainProblem, max_problems: int) -> None:
    if len(report.problems) < max_problems:
        report.problems.append(problem)
    else:
        report.more_problems += 1


def _row(entry: AuditEntry) -> dict[str, object]:
    return {"seq": entry.seq, "ts": entry.ts, "actor": entry.actor, "action": entry.action, "thing": entry.thing,
            "path": entry.path, "detail_json": canonical_json(entry.detail).decode("utf-8"),
            "outcome": entry.outcome, "prev_hash": entry.prev_hash, "hash": entry.hash,
            "fingerprints": canonical_json(fingerprints(entry.hashed_fields())).decode("utf-8")}


def _detail(text: object) -> tuple[dict[str, object], bool]:
    """The stored detail and whether it was readable JSON (an unreadable one was edited by hand)."""
    try:
        value = json.loads(str(text))
    except (ValueError, RecursionError):
        return {"unreadable": clean_text(text, 200)}, False
    return (value, True) if isinstance(value, dict) else ({"unreadable": clean_text(text, 200)}, False)


def _stored(row: sa.Row[tuple[object, ...]]) -> StoredRecord:
    detail, readable = _detail(row.detail_json)
    fields: dict[str, object] = {
        "seq": int(row.seq), "ts": float(row.ts), "actor": row.actor, "action": row.action, "thing": row.thing,
        "path": row.path, "detail": detail if readable else str(row.detail_json), "outcome": row.outcome,
        "prev_hash": row.prev_hash}
    try:
        stored_fingerprints = json.loads(str(row.fingerprints))
    except (ValueError, RecursionError):
        stored_fingerprints = None
    return StoredRecord(fields, str(row.hash),
                        stored_fingerprints if isinstance(stored_fingerprints, dict) else None)


def _entry(row: sa.Row[tuple[object, ...]]) -> AuditEntry:
    detail, _readable = _detail(row.detail_json)
    return AuditEntry(seq=int(row.seq), ts=float(row.ts), actor=str(row.actor), action=str(row.action),
                      thing=None if row.thing is None else str(row.thing),
                      path=None if row.path is None else str(row.path), detail=detail,
                      outcome=None if row.outcome is None else str(row.outcome), prev_hash=str(row.prev_hash),
                      hash=str(row.hash))


__all__ = ["Anchor", "AuditReport", "AuditStore", "ProblemKind"]
