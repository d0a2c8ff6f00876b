"""Open the database a URL names, tune it, and bring its schema up to date with Alembic.

SQLite runs in WAL mode, so readers (the REST API) never wait for the recorder's writes, with
`synchronous=NORMAL`, the usual pairing for WAL: a power cut can lose the last commit, never corrupt the file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig

from homebound.model.errors import HomeboundError

DEFAULT_URL = "sqlite:///homebound.db"
DB_THREADS = 8
CONNECT_TIMEOUT_S = 5

P = ParamSpec("P")
T = TypeVar("T")
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


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, object], None]:
    def pragmas(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return pragmas


def redact(url: str) -> str:
    """A database URL fit to print: the password replaced, whatever the URL looks like."""
    try:
        return sa.engine.make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        head, at, tail = url.rpartition("@")
        return f"{head.split(':', 1)[0]}:***@{tail}" if at else url


class Database:
    """An engine with the schema migrated to the newest revision, and threads of its own for its I/O.

    With `durable` (the default), SQLite commits with `synchronous=FULL`, so a committed write survives a power
    cut as well as a crash; `buffered` keeps the WAL's usual `NORMAL` (a crash loses nothing committed, a power
    cut may lose the last commits). PostgreSQL commits durably either way.
    """

    def __init__(self, url: str = DEFAULT_URL, durable: bool = True) -> None:
        self.url = normalise_url(url)
        try:
            parsed = sa.engine.make_url(self.url)
        except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise DatabaseError(f"storage url {redact(url)!r} is not a database URL: expected sqlite:///FILE or "
                                "postgresql://USER@HOST/DB") from None
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise DatabaseError(f"storage url {redact(url)!r}: only sqlite:/// and postgresql:// are supported")
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if self.dialect == "postgresql":
            options = {"pool_pre_ping": True, "pool_timeout": CONNECT_TIMEOUT_S,
                       "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}}
        self.engine = sa.create_engine(self.url, **options)
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas("FULL" if durable else "NORMAL"))
        self._executor = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="database")

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking database work on the database's own threads (a stuck database cannot starve the others)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: function(*args, **kwargs))

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
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()
