"""Shared fixtures: the built-in catalog, the public test data in ../shared/data, and databases to run against.

Tests that need PostgreSQL use the server on 127.0.0.1:5432 (override with HOMEBOUND_TEST_POSTGRES_URL). When it
cannot be reached they are skipped with the reason printed, unless HOMEBOUND_REQUIRE_SERVICES=1 (as in CI), where
a missing service is a failure. The same holds for the files of ../shared/data: every test reaches them through
`shared_data`, so a missing one skips on a developer's machine and fails in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from homebound.model.catalog import Catalog
from homebound.model.vss_loader import builtin_catalog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("HOMEBOUND_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("HOMEBOUND_REQUIRE_SERVICES") == "1"


def service_missing(message: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) with a message saying what to start."""
    if REQUIRE_SERVICES:
        pytest.fail(message + " (HOMEBOUND_REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return builtin_catalog()


def shared_data(relative: str) -> Path:
    """A file or folder of the public test data in ../shared/data; skips, or fails in CI, when it is missing."""
    path = SHARED_DATA / relative
    if not path.exists():
        service_missing(f"{path} is missing: the public test data comes in ../shared/data beside the project "
                        "(see its README.md)")
    return path


def vss_release(file_name: str) -> Path:
    """One official VSS export, e.g. `vss_release_6.0.json`."""
    return shared_data(f"vss/{file_name}")


@pytest.fixture(scope="session")
def vss_dir() -> Path:
    """The folder of the official VSS exports (releases 4.0, 5.1 and 6.0)."""
    return shared_data("vss")


def _postgres_database() -> Iterator[str]:
    name = f"homebound_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_missing(f"PostgreSQL is not reachable at {POSTGRES_URL}: {str(error).strip()}. "
                        "Start it (pg_ctlcluster 15 main start) or set HOMEBOUND_TEST_POSTGRES_URL")
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind Homebound supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'homebound.db'}"
    else:
        yield from _postgres_database()
