"""Retention of raw history: every recorded value for `raw_days`, then the last value of each signal per
`downsample_s`, and nothing older than `keep_days` (when set). Sessions (drives, charges, parked periods, their
tracks and curves) are not touched: they are the story, and small.

Work is done one signal and one day at a time, through the `(thing, path, ts)` index, so a first run over a
year of data is many small transactions, never one that locks the database for minutes. How far downsampling
has got is kept in `history_meta`, so each later run only looks at the day that just aged out.
Also here: `storage_stats`, what `homebound history stats` prints.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from homebound.history.config import RecordingConfig
from homebound.history.store import SessionStore
from homebound.storage.database import Database
from homebound.storage.schema import history, latest_values

log = logging.getLogger(__name__)
DAY_S = 86_400.0
WATERMARK = "retention.downsampled_until"


@dataclass(slots=True)
class RetentionResult:
    downsampled_rows: int = 0
    deleted_rows: int = 0
    downsampled_until: float | None = None

    def to_json(self) -> dict[str, object]:
        return {"downsampled_rows": self.downsampled_rows, "deleted_rows": self.deleted_rows,
                "downsampled_until": self.downsampled_until}


class Retention:
    """Applies the recording section's age rules to the `history` table."""

    def __init__(self, database: Database, config: RecordingConfig) -> None:
        self.database = database
        self.config = config
        self.sessions = SessionStore(database)

    def _bucket(self) -> sa.ColumnElement[int]:
        ratio = history.c.ts / self.config.downsample_s
        if self.database.dialect == "postgresql":
            return sa.cast(sa.func.floor(ratio), sa.BigInteger())
        return sa.cast(ratio, sa.Integer())  # SQLite truncates towards zero: the floor for positive times

    def _signals(self) -> list[tuple[str, str]]:
        query = sa.select(latest_values.c.thing, latest_values.c.path).where(latest_values.c.field == "value")
        with self.database.engine.connect() as connection:
            return [(str(row.thing), str(row.path)) for row in connection.execute(query)]

    def run(self, now: float | None = None) -> RetentionResult:
        """Downsample what aged past `raw_days`, delete what aged past `keep_days`; returns what was done."""
        now = time.time() if now is None else now
        result = RetentionResult()
        cutoff = now - self.config.raw_days * DAY_S
        start = self.sessions.meta(WATERMARK)
        signals = self._signals()
        if not isinstance(start, int | float):
            start = self._oldest()
        if start is not None and start < cutoff:
            day = float(start)
            while day < cutoff:
                until = min(day + DAY_S, cutoff)
                for thing, path in signals:
                    result.downsampled_rows += self._downsample(thing, path, day, until)
                self.sessions.set_meta(WATERMARK, until)
                day = until
            result.downsampled_until = cutoff
        if self.config.keep_days is not None:
            oldest = now - self.config.keep_days * DAY_S
            for thing, path in signals:
                with self.database.engine.begin() as connection:
                    deleted = connection.execute(sa.delete(history).where(
                        history.c.thing == thing, history.c.path == path, history.c.ts < oldest))
                    result.deleted_rows += max(0, deleted.rowcount or 0)
        if result.downsampled_rows or result.deleted_rows:
            log.info("history retention: %d rows downsampled, %d deleted", result.downsampled_rows,
                     result.deleted_rows)
        return result

    def _oldest(self) -> float | None:
        with self.database.engine.connect() as connection:
            value = connection.execute(sa.select(sa.func.min(history.c.ts))).scalar()
        return None if value is None else float(value)

    def _downsample(self, thing: str, path: str, since: float, until: float) -> int:
        where = (history.c.thing == thing, history.c.path == path, history.c.field == "value",
                 history.c.ts >= since, history.c.ts < until)
        keep = sa.select(sa.func.max(history.c.id)).where(*where).group_by(self._bucket())
        with self.database.engine.begin() as connection:
            deleted = connection.execute(sa.delete(history).where(*where, history.c.id.not_in(keep)))
        return max(0, deleted.rowcount or 0)


def storage_stats(database: Database, top: int = 10) -> dict[str, object]:
    """How much is stored: raw history rows (by signal), sessions, and the database's size on disk."""
    with database.engine.connect() as connection:
        rows = int(connection.execute(sa.select(sa.func.count()).select_from(history)).scalar_one())
        oldest, newest = connection.execute(sa.select(sa.func.min(history.c.ts), sa.func.max(history.c.ts))).one()
        by_path = connection.execute(
            sa.select(history.c.path, sa.func.count().label("rows")).group_by(history.c.path)
            .order_by(sa.desc("rows")).limit(top))
        top_paths = [{"path": str(row.path), "rows": int(row.rows)} for row in by_path]
        things = int(connection.execute(sa.select(sa.func.count(sa.distinct(history.c.thing)))).scalar_one())
        size = _size(database, connection)
    sessions = SessionStore(database)
    days = (float(newest) - float(oldest)) / DAY_S if oldest is not None and newest is not None else 0.0
    return {"database": database.engine.url.render_as_string(hide_password=True), **size,
            "history_rows": rows, "things": things,
            "oldest_ts": oldest, "newest_ts": newest, "days": round(days, 3),
            "top_paths": top_paths, "sessions": sessions.counts(),
            "downsampled_until": sessions.meta(WATERMARK)}


def _size(database: Database, connection: sa.Connection) -> dict[str, object]:
    if database.dialect == "postgresql":
        total = connection.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
        raw = connection.execute(sa.text("SELECT pg_total_relation_size('history')")).scalar_one()
        return {"size_bytes": int(total), "history_bytes": int(raw), "free_bytes": None}
    page_size = int(connection.execute(sa.text("PRAGMA page_size")).scalar_one())
    pages = int(connection.execute(sa.text("PRAGMA page_count")).scalar_one())
    free = int(connection.execute(sa.text("PRAGMA freelist_count")).scalar_one())
    name = database.engine.url.database
    wal = Path(f"{name}-wal") if name and name != ":memory:" else None
    return {"size_bytes": page_size * pages, "history_bytes": None, "free_bytes": page_size * free,
            "wal_bytes": wal.stat().st_size if wal is not None and wal.exists() else 0}
