"""The ledger: energy from the sun, the battery and the grid; cost and savings, worked by hand."""

from __future__ import annotations

import pytest

from homebound.energy.ledger import ChargeLedger
from tests.energy.simday import TZ, at


def test_an_hour_at_11_kw_with_6_kw_imported_is_split_and_priced_by_hand() -> None:
    ledger = ChargeLedger(TZ)
    ledger.plugged("garage", "car1", at("12:00"))
    for minute in range(0, 61, 5):
        ledger.record("garage", at("12:00") + minute * 60, charger_w=11_000, grid_w=6_000, battery_w=None,
                      price=0.30, feed_in=0.08, reference=0.30)
    session = ledger.sessions()[0]
    # By hand: 11 kWh in the hour; the grid gave 6 kWh, the sun 5 kWh.
    # Cost: 6 x 0.30 + 5 x 0.08 (feed-in given up) = 1.80 + 0.40 = 2.20; against 11 x 0.30 = 3.30: saved 1.10.
    assert session.energy_kwh == pytest.approx(11.0)
    assert (session.grid_kwh, session.solar_kwh) == (pytest.approx(6.0), pytest.approx(5.0))
    assert session.solar_share == pytest.approx(5 / 11)
    assert session.cost == pytest.approx(2.20)
    assert session.savings == pytest.approx(1.10)


def test_exporting_while_charging_means_all_of_it_came_from_the_sun() -> None:
    ledger = ChargeLedger(TZ)
    ledger.plugged("garage", None, at("12:00"))
    for minute in (0, 15, 30):
        ledger.record("garage", at("12:00") + minute * 60, 4_000, -1_500, None, 0.30, 0.08, 0.30)
    session = ledger.sessions()[0]
    assert (session.solar_kwh, session.grid_kwh) == (pytest.approx(2.0), 0.0)


def test_a_discharging_home_battery_is_counted_apart() -> None:
    ledger = ChargeLedger(TZ)
    ledger.plugged("garage", None, at("21:00"))
    for minute in range(0, 60, 10):
        ledger.record("garage", at("21:00") + minute * 60, 7_000, 4_000, 2_000, 0.30, 0.08, 0.30)
    ledger.record("garage", at("22:00"), 0, 0, 0, 0.30, 0.08, 0.30)
    session = ledger.sessions()[0]
    assert (session.grid_kwh, session.battery_kwh, session.solar_kwh) == (pytest.approx(4.0), pytest.approx(2.0),
                                                                         pytest.approx(1.0))


def test_a_gap_in_readings_is_not_filled_with_old_power() -> None:
    ledger = ChargeLedger(TZ)
    ledger.plugged("garage", None, at("12:00"))
    ledger.record("garage", at("12:00"), 11_000, 11_000, None, 0.30, 0.08, 0.30)
    ledger.record("garage", at("15:00"), 11_000, 11_000, None, 0.30, 0.08, 0.30)  # the hub was down for 3 h
    assert ledger.sessions()[0].energy_kwh == pytest.approx(11 * 0.25)  # 15 minutes at most


def test_months_add_up_their_sessions() -> None:
    ledger = ChargeLedger(TZ)
    for day, quarters in ((0, 1), (1, 2), (25, 1)):  # June 10, June 11, July 5
        ledger.plugged("garage", None, at("20:00", day))
        for quarter in range(quarters):
            ledger.record("garage", at("20:00", day) + quarter * 900, 10_000, 10_000, None, 0.20, 0.08, 0.30)
        ledger.record("garage", at("20:00", day) + quarters * 900, 0, 0, None, 0.20, 0.08, 0.30)
        ledger.unplugged("garage", at("23:00", day))
    months = ledger.months()
    assert [m.month for m in months] == ["2025-06", "2025-07"]
    june = months[0].to_json()
    assert june["sessions"] == 2
    assert june["energy_kwh"] == pytest.approx(7.5)  # 2.5 + 5.0 kWh
    assert june["cost"] == pytest.approx(1.5)
    assert june["savings"] == pytest.approx(0.75)
