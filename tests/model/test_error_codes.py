"""Every error code means something at every door: each door's table maps all of them (a new code that a door
forgot would turn a clear refusal into a crash there)."""

from __future__ import annotations

import pytest

from homebound.adapters.http.errors import HTTP_STATUS
from homebound.adapters.kuksa.common import SDV_ERRORS, V1_ERRORS, V2_ERRORS
from homebound.model.errors import ErrorCode


@pytest.mark.parametrize("table", [HTTP_STATUS, V1_ERRORS, V2_ERRORS, SDV_ERRORS],
                         ids=["http", "kuksa v1", "kuksa v2", "sdv.databroker.v1"])
def test_each_door_maps_every_error_code(table: dict[ErrorCode, object]) -> None:
    assert set(table) == set(ErrorCode)
