"""CAN fixtures: a small body-controller DBC and its mapping in both forms (data/), the shared real-car data."""

from __future__ import annotations

from pathlib import Path

import cantools
import pytest
from cantools.database.can import Database

from homebound.hub.core import Hub
from homebound.model.catalog import Catalog
from tests.conftest import shared_data

DATA = Path(__file__).parent / "data"
KONA_LOG = "can/hyundai_kona_ev_2019/230112-7-2019-pcan-ccan-power-off-on-ready-off.candump.log"


@pytest.fixture(scope="session")
def body_db() -> Database:
    database = cantools.database.load_file(DATA / "body.dbc")
    assert isinstance(database, Database)
    return database


@pytest.fixture
def hub(catalog: Catalog) -> Hub:
    hub = Hub(default_command_timeout=5)
    hub.add_vehicle("car1", catalog)
    return hub


@pytest.fixture(scope="session")
def kona_log() -> Path:
    """A real CAN recording of a parked Hyundai Kona EV (../shared/data/can)."""
    return shared_data(KONA_LOG)


def body_status(db: Database, latch: str = "LATCH_CLOSED", speed: float = 0.0, cabin: float = 21.0,
                tilt_volts: float = 2.5) -> bytes:
    """A BODY_STATUS frame as the car would send it."""
    return bytes(db.get_message_by_name("BODY_STATUS").encode(
        {"TrunkLatch": latch, "VehicleSpeed": speed, "CabinTemp": cabin, "MirrorTilt": tilt_volts}))
