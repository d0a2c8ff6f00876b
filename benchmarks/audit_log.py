"""What the audit log and command envelopes cost.

- `audit_append_*`: group commits per second that upsert one command row and append two audit records (the
  command and its outcome), against the same commits without the audit records (the baseline).
- `audit_verify_*`: records per second `verify` walks (hashing each), against reading the same rows unhashed.
- `envelope_verify`: envelopes per second `EnvelopeVerifier.verify` accepts (parsing, signature, ledger), against
  the bare Ed25519 signature check.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import sqlalchemy as sa

from benchmarks.common import Figure, figure
from homebound.hub.audit import AuditAction, AuditRecord
from homebound.hub.envelope_signing import new_member_key, sign_command
from homebound.hub.envelopes import EnvelopeVerifier, MemoryEnvelopeLedger
from homebound.storage.audit_store import AuditStore
from homebound.storage.database import Database
from homebound.storage.schema import audit_log
from homebound.storage.state_store import StateStore

POSTGRES_URL = os.environ.get("HOMEBOUND_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
COMMITS = 400
VERIFIED = 20_000
ENVELOPES = 2000
LOCK = "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"


def _command_row(n: int) -> dict[str, object]:
    return {"id": f"c-{n}", "thing": "car1", "path": LOCK, "target_json": "false", "principal": "rest:ana",
            "state": "pending", "created_at": 1000.0 + n, "updated_at": 1000.0 + n, "deadline": 1030.0 + n,
            "reason": None}


def _records(n: int) -> list[AuditRecord]:
    return [AuditRecord(AuditAction.COMMAND_CREATED, "rest:ana", "car1", LOCK, {"target": False, "command": f"c-{n}"},
                        "pending", ts=1000.0 + n),
            AuditRecord(AuditAction.COMMAND_CONFIRMED, "rest:ana", "car1", LOCK, {"command": f"c-{n}"},
                        "confirmed", ts=1001.0 + n)]


def _commits_per_second(database: Database, audited: bool, offset: int, commits: int = COMMITS) -> float:
    state, audit = StateStore(database), AuditStore(database)
    start = time.perf_counter()
    for n in range(offset, offset + commits):
        with database.engine.begin() as connection:
            state._upsert_commands(connection, [_command_row(n)])
            if audited:
                audit.append(connection, _records(n))
    return commits / (time.perf_counter() - start)


def _verify_rates(database: Database) -> tuple[float, float]:
    audit = AuditStore(database)
    for chunk in range(0, VERIFIED, 1000):
        audit.append_now([record for n in range(chunk, chunk + 500) for record in _records(n)])
    start = time.perf_counter()
    report = audit.verify()
    verify = report.checked / (time.perf_counter() - start)
    assert report.ok
    start = time.perf_counter()
    with database.engine.connect() as connection:
        count = len(list(connection.execute(sa.select(audit_log).order_by(audit_log.c.seq))))
    return verify, count / (time.perf_counter() - start)


def _database_figures(kind: str, url: str) -> list[Figure]:
    database = Database(url, durable=False)
    database.migrate()
    _commits_per_second(database, audited=True, offset=0, commits=50)  # warm-up: connections, compiled SQL
    _commits_per_second(database, audited=False, offset=100, commits=50)
    plain = _commits_per_second(database, audited=False, offset=1000)
    audited = _commits_per_second(database, audited=True, offset=2000)
    verify, read = _verify_rates(database)
    database.dispose()
    return [figure(f"audit_append_{kind}", audited, "commits/s", plain,
                   "one command row + two audit records per commit, vs the command row alone"),
            figure(f"audit_verify_{kind}", verify, "records/s", read, "hash-chain walk vs reading the rows")]


def _with_postgres(run: Callable[[str], list[Figure]]) -> list[Figure]:
    name = f"homebound_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return []
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}")
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _envelope_figure() -> Figure:
    key = new_member_key()
    public = key.public_key()
    now = time.time()
    envelopes = [sign_command(key, "ana-phone", "car1", LOCK, False, counter=n + 1, now=now) for n in range(ENVELOPES)]
    verifier = EnvelopeVerifier({"ana-phone": public}, MemoryEnvelopeLedger())

    async def verify_all() -> None:
        for signed in envelopes:
            await verifier.verify(signed, "car1", LOCK, False)

    start = time.perf_counter()
    asyncio.run(verify_all())
    rate = ENVELOPES / (time.perf_counter() - start)
    start = time.perf_counter()
    for signed in envelopes:
        public.verify(signed.signature, signed.payload)
    bare = ENVELOPES / (time.perf_counter() - start)
    return figure("envelope_verify", rate, "envelopes/s", bare, "full verification vs the bare Ed25519 check")


def audit_figures() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        figures = _database_figures("sqlite", f"sqlite:///{Path(folder) / 'audit.db'}")
    figures += _with_postgres(lambda url: _database_figures("postgresql", url))
    figures.append(_envelope_figure())
    return figures
