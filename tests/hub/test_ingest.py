"""`Hub.ingest`: valid values are stored with time and principal; bad ones are reported, the rest kept."""

from __future__ import annotations

import pytest

from homebound.hub import ChangeBatch, Field, Hub
from homebound.hub.errors import RejectedValue, UnknownThing
from homebound.model.errors import UnknownPath

SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"


def test_accepted_value_is_stored_with_timestamp_and_principal(hub: Hub) -> None:
    result = hub.ingest("car1", {"Vehicle.Speed": 42}, ts=1000.0, principal="gateway")
    assert result.ok and result.accepted == 1
    assert hub.read("car1", "Vehicle.Speed") == (42.0, 1000.0, "gateway")


def test_a_batch_keeps_good_values_and_reports_each_bad_one(hub: Hub) -> None:
    result = hub.ingest("car1", {
        "Vehicle.Speed": 30.0,
        SOC: 120,
        "Vehicle.Sped": 1,
        "Vehicle.Powertrain.TractionBattery.Charging.IsCharging": "yes",
        "Vehicle.Exterior.AirTemperature": 4.5,
    })
    assert result.accepted == 2
    assert hub.read("car1", "Vehicle.Speed")[0] == 30.0  # type: ignore[index]
    assert hub.read("car1", "Vehicle.Exterior.AirTemperature")[0] == 4.5  # type: ignore[index]
    assert hub.read("car1", SOC) is None
    messages = [str(e) for e in result.errors]
    assert len(messages) == 3
    soc_error = next(e for e in result.errors if isinstance(e, RejectedValue))
    assert soc_error.thing == "car1" and soc_error.path == SOC and soc_error.value == 120
    assert "car1" in str(soc_error) and SOC in str(soc_error) and "120" in str(soc_error)
    assert "[0..100]" in str(soc_error)
    unknown = next(e for e in result.errors if isinstance(e, UnknownPath))
    assert unknown.thing == "car1" and "Vehicle.Speed" in unknown.suggestions
    assert hub.rejected_values == 3


def test_vehicle_can_be_addressed_by_vin(hub: Hub) -> None:
    hub.ingest("5YJ3E1EA7KF000001", {"Vehicle.Speed": 10})
    assert hub.read("car1", "Vehicle.Speed")[0] == 10.0  # type: ignore[index]


def test_unknown_thing_names_the_known_ones(hub: Hub) -> None:
    with pytest.raises(UnknownThing, match="unknown thing 'car9'; known: car1"):
        hub.ingest("car9", {"Vehicle.Speed": 1})


def test_listeners_get_one_batch_per_ingest_with_only_accepted_values(hub: Hub) -> None:
    batches: list[ChangeBatch] = []
    hub.add_listener(batches.append)
    hub.ingest("car1", {"Vehicle.Speed": 5, SOC: 500, "Vehicle.IsMoving": True}, ts=7.0, principal="sim")
    hub.ingest("car1", {SOC: -1})
    assert len(batches) == 1
    assert batches[0].field is Field.VALUE and batches[0].principal == "sim" and batches[0].ts == 7.0
    assert batches[0].changes == [("Vehicle.Speed", 5.0), ("Vehicle.IsMoving", True)]


def test_reading_an_unknown_path_suggests(hub: Hub) -> None:
    with pytest.raises(UnknownPath, match=r"did you mean Vehicle\.Speed"):
        hub.read("car1", "Vehicle.Sped")
