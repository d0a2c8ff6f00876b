"""Shared fixtures: the built-in catalog, the VSS releases in ../shared/data, and databases to run against.

Tests that need PostgreSQL use the server on 127.0.0.1:5432 (override with HOMEBOUND_TEST_POSTGRES_URL). When it
cannot be reached they are skipped with the reason printed, unless HOMEBOUND_REQUIRE_SERVICES=1 (as in CI), where
a missing service is a failure.
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
VSS_DIR = SHARED_DATA / "vss"
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


@pytest.fixture(scope="session")
def vss_dir() -> Path:
    if not VSS_DIR.is_dir():
        pytest.skip(f"the official VSS exports are not at {VSS_DIR} (they come with the project's shared data)")
    return VSS_DIR


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
