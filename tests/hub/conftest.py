from __future__ import annotations

import pytest

from homebound.hub import Hub
from homebound.model.catalog import Catalog


@pytest.fixture
def hub(catalog: Catalog) -> Hub:
    hub = Hub(default_command_timeout=5.0)
    hub.add_vehicle("car1", catalog, vin="5YJ3E1EA7KF000001")
    return hub
