"""Open the database a URL names, tune it, and bring its schema up to date with Alembic.

SQLite runs in WAL mode, so readers (the REST API) never wait for the recorder's writes, with
`synchronous=NORMAL`, the usual pairing for WAL: a power cut can lose the last commit, never corrupt the file.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig

from homebound.model.errors import HomeboundError

DEFAULT_URL = "sqlite:///homebound.db"
MIGRATION_LOCK = 0x486F6D65  # "Home": the advisory lock every node takes while migrating

# Alembic narrates every step at INFO; the hub logs one line of its own instead.
logging.getLogger("alembic").setLevel(logging.WARNING)


class DatabaseError(HomeboundError):
    pass


def normalise_url(url: str) -> str:
    """Accept the URLs people write (`postgresql://`, `postgres://`) and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """An engine with the schema migrated to the newest revision."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = normalise_url(url)
        try:
            parsed = sa.engine.make_url(self.url)
        except sa.exc.ArgumentError as error:
            raise DatabaseError(f"storage url {url!r} is not a database URL: {error}") from None
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise DatabaseError(f"storage url {url!r}: only sqlite:/// and postgresql:// are supported")
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, pool_pre_ping=self.dialect == "postgresql")
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def migrate(self) -> None:
        """Create or upgrade the schema; a database that cannot be reached is a clear error."""
        config = AlembicConfig()
        config.set_main_option("script_location", str(resources.files("homebound.storage") / "migrations"))
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    # Several workers of a cluster start at once: one migrates, the others wait and find it done.
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                alembic_command.upgrade(config, "head")
        except sa.exc.OperationalError as error:
            raise DatabaseError(f"cannot open database {self.engine.url.render_as_string(hide_password=True)}: "
                                f"{error.orig}") from None

    def dispose(self) -> None:
        self.engine.dispose()
