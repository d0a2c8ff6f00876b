"""Charging sessions from recorded streams: energy, power, cost by the place's tariff, why they ended."""

from __future__ import annotations

import datetime as dt

from homebound.model.vss_loader import apply_overlay, builtin_catalog
from tests.history.conftest import (
    AC_CURRENT,
    BERLIN,
    CHARGED,
    DC_CURRENT,
    IS_CHARGING,
    LIMIT,
    PLUGGED,
    POWER,
    RANGE,
    SOC,
    T0,
    Batch,
    Story,
    ac_charge,
    at,
    commute,
    history_config,
    parked_at_home,
)

LOSS = "Vehicle.Powertrain.TractionBattery.Charging.PowerLoss"


def stop_with_last(batches: list[Batch], **values: object) -> list[Batch]:
    """The charger stops in the same batch as the last minute's readings."""
    t, last = batches[-1]
    return [*batches[:-1], (t, {**last, IS_CHARGING: False, **{k.replace("_", "."): v for k, v in values.items()}})]


async def test_ac_charge_at_work_to_the_limit(story: Story) -> None:
    story.send(commute())
    # At work from +670 at 71.0 %: plugged at +1000, charging +1010 .. +2810 at 12 kW, 30 minutes.
    charge = ac_charge(1000, 30, soc=71.0, limit=80)
    t, last = charge[-1]
    charge[-1] = (t, {**last, IS_CHARGING: False, RANGE: 324_000})
    story.send([*charge, (2900, {SOC: 81.0})])
    charges = await story.charges()
    assert len(charges) == 1
    session = charges[0]
    assert (session["start_ts"], session["end_ts"], session["duration_s"]) == (T0 + 1010, T0 + 2810, 1800.0)
    assert (session["energy_added_kwh"], session["energy_source"]) == (6.0, "counter")   # 1000.0 -> 1006.0 kWh
    assert session["energy_wall_kwh"] is None                    # the car reports no charger losses
    assert (session["soc_start"], session["soc_end"]) == (71.0, 81.0)
    assert (session["peak_power_kw"], session["mean_power_kw"]) == (12.0, 12.0)  # 6 kWh in half an hour
    assert session["charge_type"] == "AC"
    assert (session["cost"], session["currency"], session["tariff_zone"]) == (2.4, "EUR", "work")  # 6 x 0.40
    assert session["end_reason"] == "limit_reached"             # 81 % with the limit at 80 %
    assert session["capacity_kwh"] == 60.0                      # 6 kWh for 10 points
    assert session["range_at_100_km"] == 400.0                  # 324 km at 81 %
    assert session["place"] == "Work"
    assert session["interruptions"] == 0


async def test_the_power_curve_is_kept_with_the_session(story: Story) -> None:
    story.send([*commute(), *stop_with_last(ac_charge(1000, 30, soc=71.0)), (2900, {SOC: 81.0})])
    session = (await story.charges())[0]
    detail = await story.carlog.queries.charge("car1", str(session["id"]))
    curve = detail["power_curve"]
    assert isinstance(curve, list)
    assert curve[0]["power_kw"] == 12.0 and curve[0]["ts"] == T0 + 1010
    # A point each minute (the state of charge moves a third of a point; a point at least every 60 s).
    assert [p["ts"] for p in curve] == [T0 + 1010 + 60 * m for m in range(31)]


async def test_a_charger_that_stops_and_restarts_within_a_minute_is_one_session(story: Story) -> None:
    batches = ac_charge(0, 30, soc=60.0, limit=90)
    batches += [(610, {IS_CHARGING: False}), (650, {IS_CHARGING: True}),      # 40 s
                (1210, {IS_CHARGING: False}), (1260, {IS_CHARGING: True})]    # 50 s
    batches.sort(key=lambda batch: batch[0])
    story.send([*stop_with_last(batches), (1900, {SOC: 70.0})])
    charges = await story.charges()
    assert len(charges) == 1
    assert charges[0]["interruptions"] == 2
    assert charges[0]["charging_s"] == 1800 - 40 - 50
    assert charges[0]["end_reason"] == "stopped"                 # 70 % with the limit at 90 %
    assert [n for n in story.names() if n.startswith("charge")] == ["charge_started", "charge_ended"]


async def test_a_gap_of_more_than_a_minute_makes_two_sessions(story: Story) -> None:
    batches = [(t, values) for t, values in ac_charge(0, 30, soc=60.0, limit=90) if t != 670]  # nothing in the pause
    batches += [(610, {IS_CHARGING: False}), (700, {IS_CHARGING: True})]      # 90 s
    batches.sort(key=lambda batch: batch[0])
    story.send([*stop_with_last(batches), (1900, {SOC: 70.0})])
    charges = await story.charges()
    assert [(c["start_ts"], c["end_ts"], c["end_reason"]) for c in charges] == [
        (T0 + 10, T0 + 610, "stopped"), (T0 + 700, T0 + 1810, "stopped")]
    # The counter rose 2.0 kWh by +610 (10 minutes), stood still in the pause, and rose 4.0 kWh more by +1810.
    assert [c["energy_added_kwh"] for c in charges] == [2.0, 4.0]


async def test_unplugging_ends_the_session_at_once(story: Story) -> None:
    batches = ac_charge(0, 10, soc=60.0)
    t, last = batches[-1]
    batches[-1] = (t, {**last, IS_CHARGING: False, PLUGGED: False})
    story.send(batches)
    charges = await story.charges()
    assert (charges[0]["end_ts"], charges[0]["end_reason"]) == (T0 + 610, "unplugged")
    assert story.names() == ["charge_started", "unplugged", "charge_ended"]  # plugged before the stream began


async def test_a_charge_across_22_00_pays_the_night_rate_for_the_part_after(story: Story) -> None:
    # At home from 21:30 local: 12 kW for an hour, the counter each minute. 6 kWh before 22:00 at 0.30 EUR,
    # 6 kWh after at 0.20 EUR: 3.00 EUR.
    start = dt.datetime(2026, 11, 25, 21, 30, tzinfo=BERLIN).timestamp() - T0 - 10
    story.send([parked_at_home(start - 5), *stop_with_last(ac_charge(start, 60, soc=50.0, limit=100)),
                (start + 3700, {SOC: 70.0})])
    session = (await story.charges())[0]
    assert (session["energy_added_kwh"], session["tariff_zone"]) == (12.0, "home")
    assert session["cost"] == 6 * 0.30 + 6 * 0.20


async def test_dc_charge_without_counter_energy_from_power_and_wall_energy_from_losses(database_url: str) -> None:
    catalog = apply_overlay(builtin_catalog(), {LOSS: {"type": "sensor", "datatype": "float", "unit": "W"}},
                            "VSS 6.0 signal")
    story = await Story(database_url, history_config(), catalog).start()
    try:
        # 20 km north of home (no zone: the '*' tariff, 0.59 EUR/kWh): 90 kW into the battery, 6 kW lost in the
        # charger, for 10 minutes: 15 kWh added, 16 kWh from the charger, 16 x 0.59 = 9.44 EUR.
        batches: list[Batch] = [(0, {**at(20_000, bearing=0.0), SOC: 20.0, PLUGGED: True, IS_CHARGING: False,
                                     LIMIT: 80})]
        batches.append((5, {IS_CHARGING: True, POWER: 90_000.0, LOSS: 6000.0, DC_CURRENT: 230.0}))
        batches += [(5 + 60 * m, {SOC: 20.0 + 2.5 * m}) for m in range(1, 11)]
        batches.append((605, {IS_CHARGING: False, PLUGGED: False, POWER: 0.0, LOSS: 0.0}))
        story.send(batches)
        session = (await story.charges())[0]
        assert (session["energy_added_kwh"], session["energy_source"]) == (15.0, "power")
        assert session["energy_wall_kwh"] == 16.0
        assert (session["cost"], session["tariff_zone"]) == (9.44, "*")
        assert (session["charge_type"], session["peak_power_kw"]) == ("DC", 90.0)
        assert session["capacity_kwh"] == 60.0                   # 15 kWh for 25 points
        assert session["place"] == "48.31706, 11.57560"
    finally:
        await story.stop()


async def test_ac_is_told_by_the_phase_current(story: Story) -> None:
    story.send(stop_with_last(ac_charge(0, 5, soc=50.0)))
    story.send([(400, {SOC: 51.7, PLUGGED: False})])
    assert (await story.charges())[0]["charge_type"] == "AC"
    assert AC_CURRENT and CHARGED


async def test_a_blip_of_charging_is_not_a_session(story: Story) -> None:
    # IsCharging for 5 s at 2 kW: under 10 Wh. No session, no event.
    story.send([(0, {PLUGGED: True, IS_CHARGING: False, SOC: 80.0}), (10, {IS_CHARGING: True, POWER: 2000.0}),
                (15, {IS_CHARGING: False, POWER: 0.0}), (100, {SOC: 80.0})])
    assert await story.charges() == []
    assert "charge_started" not in story.names()
