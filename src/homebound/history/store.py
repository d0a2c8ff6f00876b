"""The sessions in the database (SQLAlchemy Core, SQLite and PostgreSQL alike): written in batches by the
session writer in a worker thread, read by the queries.

A write batch is one transaction: finished sessions with their last points, new track and curve points of the
open ones, and each vehicle's open-session state (the last one given wins), so the database never holds a
finished drive that is also still open.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from homebound.history.charges import Charge
from homebound.history.drives import Drive
from homebound.history.parked import ParkedPeriod
from homebound.storage.database import Database
from homebound.storage.schema import charge_points, charges, drive_points, drives, history_meta, open_sessions, parked

MAX_ROWS = 100_000
Row = dict[str, object]
Points = list[list[float | None]]


@dataclass(slots=True)
class Write:
    """One change for the database; `kind` says which of the fields are used."""

    kind: str  # drive, charge, parked, track, curve, checkpoint
    vehicle: str = ""
    row: Row | None = None
    session: str = ""
    points: Points | None = None
    state: str | None = None  # a vehicle's open sessions, as JSON

    @classmethod
    def drive(cls, drive: Drive, track: Points) -> Write:
        return cls("drive", drive.vehicle, drive.to_row(), drive.id, track)

    @classmethod
    def charge(cls, charge: Charge, curve: Points) -> Write:
        return cls("charge", charge.vehicle, charge.to_row(), charge.id, curve)

    @classmethod
    def parked(cls, period: ParkedPeriod) -> Write:
        return cls("parked", period.vehicle, period.to_row(), period.id)


def _track_rows(drive_id: str, points: Points) -> list[Row]:
    return [{"drive_id": drive_id, "ts": p[0], "latitude": p[1], "longitude": p[2], "speed_kmh": p[3], "soc": p[4]}
            for p in points if p[0] is not None and p[1] is not None and p[2] is not None]


def _curve_rows(charge_id: str, points: Points) -> list[Row]:
    return [{"charge_id": charge_id, "ts": p[0], "power_kw": p[1], "soc": p[2]} for p in points if p[0] is not None]


class SessionStore:
    """Drives, charges, parked periods and open sessions in the database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert

    # ---- writing ------------------------------------------------------------------------------------------

    def write(self, writes: Sequence[Write]) -> None:
        """Apply writes in one transaction, in order (the last open state per vehicle is the one kept)."""
        states: dict[str, str | None] = {}
        finished: dict[sa.Table, list[Row]] = {drives: [], charges: [], parked: []}
        tracks: list[Row] = []
        curves: list[Row] = []
        for write in writes:
            if write.kind == "checkpoint":
                states[write.vehicle] = write.state
            elif write.kind == "drive" and write.row is not None:
                finished[drives].append(write.row)
                tracks += _track_rows(write.session, write.points or [])
            elif write.kind == "charge" and write.row is not None:
                finished[charges].append(write.row)
                curves += _curve_rows(write.session, write.points or [])
            elif write.kind == "parked" and write.row is not None:
                finished[parked].append(write.row)
            elif write.kind == "track":
                tracks += _track_rows(write.session, write.points or [])
            elif write.kind == "curve":
                curves += _curve_rows(write.session, write.points or [])
        with self.database.engine.begin() as connection:
            for table, rows in finished.items():
                if rows:
                    statement = self._insert(table).on_conflict_do_nothing(index_elements=["id"])
                    connection.execute(statement, rows)
            if tracks:
                connection.execute(drive_points.insert(), tracks)
            if curves:
                connection.execute(charge_points.insert(), curves)
            for vehicle, state in states.items():
                if state is None:
                    connection.execute(sa.delete(open_sessions).where(open_sessions.c.vehicle == vehicle))
                    continue
                statement = self._insert(open_sessions).values(vehicle=vehicle, state_json=state,
                                                               updated_at=time.time())
                connection.execute(statement.on_conflict_do_update(
                    index_elements=["vehicle"], set_={"state_json": statement.excluded.state_json,
                                                      "updated_at": statement.excluded.updated_at}))

    def set_meta(self, key: str, value: object) -> None:
        with self.database.engine.begin() as connection:
            statement = self._insert(history_meta).values(key=key, value_json=orjson.dumps(value).decode())
            connection.execute(statement.on_conflict_do_update(
                index_elements=["key"], set_={"value_json": statement.excluded.value_json}))

    # ---- reading ------------------------------------------------------------------------------------------

    def open_states(self) -> dict[str, dict[str, object]]:
        with self.database.engine.connect() as connection:
            rows = connection.execute(sa.select(open_sessions.c.vehicle, open_sessions.c.state_json))
            out: dict[str, dict[str, object]] = {}
            for row in rows:
                try:
                    state = orjson.loads(row.state_json)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(state, dict):
                    out[str(row.vehicle)] = state
            return out

    def meta(self, key: str) -> object:
        with self.database.engine.connect() as connection:
            value = connection.execute(sa.select(history_meta.c.value_json).where(history_meta.c.key == key)).scalar()
        return None if value is None else orjson.loads(value)

    def sessions(self, kind: str, vehicle: str, since: float | None = None, until: float | None = None,
                 limit: int = 50, offset: int = 0, newest_first: bool = True) -> tuple[list[Row], int]:
        """A page of one kind of session (`drives`, `charges`, `parked`) starting in [since, until), and how many
        there are in all."""
        table = _TABLES[kind]
        conditions = [table.c.vehicle == vehicle]
        if since is not None:
            conditions.append(table.c.start_ts >= since)
        if until is not None:
            conditions.append(table.c.start_ts < until)
        order = table.c.start_ts.desc() if newest_first else table.c.start_ts.asc()
        query = (sa.select(table).where(*conditions).order_by(order, table.c.id)
                 .limit(max(1, min(limit, MAX_ROWS))).offset(max(0, offset)))
        with self.database.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
            total = int(connection.execute(sa.select(sa.func.count()).select_from(table).where(*conditions))
                        .scalar_one())
        return rows, total

    def session(self, kind: str, vehicle: str, session_id: str) -> Row | None:
        table = _TABLES[kind]
        query = sa.select(table).where(table.c.vehicle == vehicle, table.c.id == session_id)
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else dict(row._mapping)

    def track(self, drive_id: str, limit: int = MAX_ROWS) -> list[Row]:
        query = (sa.select(drive_points.c.ts, drive_points.c.latitude, drive_points.c.longitude,
                           drive_points.c.speed_kmh, drive_points.c.soc)
                 .where(drive_points.c.drive_id == drive_id).order_by(drive_points.c.ts, drive_points.c.id)
                 .limit(limit))
        with self.database.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def curve(self, charge_id: str, limit: int = MAX_ROWS) -> list[Row]:
        query = (sa.select(charge_points.c.ts, charge_points.c.power_kw, charge_points.c.soc)
                 .where(charge_points.c.charge_id == charge_id).order_by(charge_points.c.ts, charge_points.c.id)
                 .limit(limit))
        with self.database.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def capacity_estimates(self, vehicle: str, limit: int = 1000) -> list[tuple[float, float]]:
        """(end of charge, estimated usable capacity kWh), oldest first."""
        query = (sa.select(charges.c.end_ts, charges.c.capacity_kwh)
                 .where(charges.c.vehicle == vehicle, charges.c.capacity_kwh.is_not(None))
                 .order_by(charges.c.end_ts.desc()).limit(limit))
        with self.database.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [(float(row.end_ts), float(row.capacity_kwh)) for row in reversed(rows)]

    def vehicles(self) -> list[str]:
        query = sa.union(sa.select(drives.c.vehicle), sa.select(charges.c.vehicle), sa.select(parked.c.vehicle),
                         sa.select(open_sessions.c.vehicle))
        with self.database.engine.connect() as connection:
            return sorted(str(row[0]) for row in connection.execute(query))

    def counts(self) -> dict[str, int]:
        with self.database.engine.connect() as connection:
            return {table.name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                    for table in (drives, drive_points, charges, charge_points, parked, open_sessions)}


_TABLES = {"drives": drives, "charges": charges, "parked": parked}

