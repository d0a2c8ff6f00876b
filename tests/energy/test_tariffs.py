"""Tariffs: the price at an instant, slots split where the price changes, and hostile dynamic price series."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from homebound.energy.price_series import MAX_PAYLOAD_BYTES, PriceSeriesError, parse_price_series
from homebound.energy.tariffs import DynamicTariff, FixedTariff, PriceSlot, PriceZone, TimeOfDayTariff
from tests.energy.simday import TZ, at


def night_tariff() -> TimeOfDayTariff:
    return TimeOfDayTariff([PriceZone(dt.time(22), dt.time(6), 0.18)], default=0.35, tz=TZ, feed_in=0.08)


def test_a_fixed_tariff_has_one_price_and_one_slot() -> None:
    tariff = FixedTariff(0.30, feed_in=0.08)
    assert tariff.price_at(at("03:00")) == 0.30
    assert tariff.slots(at("00:00"), at("12:00")) == [PriceSlot(at("00:00"), at("12:00"), 0.30)]
    assert tariff.reference_price() == 0.30


def test_a_night_zone_runs_across_midnight() -> None:
    tariff = night_tariff()
    assert tariff.price_at(at("23:30")) == 0.18
    assert tariff.price_at(at("05:59")) == 0.18
    assert tariff.price_at(at("06:00")) == 0.35
    assert tariff.price_at(at("12:00")) == 0.35


def test_time_of_day_slots_split_where_the_price_changes() -> None:
    slots = night_tariff().slots(at("20:00"), at("08:00", 1))
    assert [(s.start, s.end, s.price) for s in slots] == [
        (at("20:00"), at("22:00"), 0.35), (at("22:00"), at("06:00", 1), 0.18), (at("06:00", 1), at("08:00", 1), 0.35)]


def test_a_zone_on_some_weekdays_only() -> None:
    weekend = TimeOfDayTariff([PriceZone(dt.time(0), dt.time(23, 59), 0.10, frozenset({5, 6}))], 0.30, TZ)
    assert weekend.price_at(at("12:00")) == 0.30      # the test day is a Tuesday
    assert weekend.price_at(at("12:00", 4)) == 0.10   # Saturday


def test_the_reference_price_of_time_of_day_is_the_weighted_mean() -> None:
    # By hand: 8 h at 0.18 and 16 h at 0.35 a day: (1.44 + 5.60) / 24 = 0.29333
    assert night_tariff().reference_price() == pytest.approx(0.293333, abs=1e-5)


def test_a_dynamic_tariff_uses_its_series_and_falls_back_beyond_it() -> None:
    tariff = DynamicTariff(fallback=0.30)
    result = tariff.update([PriceSlot(at("00:00"), at("01:00"), 0.12), PriceSlot(at("01:00"), at("02:00"), 0.40)],
                           now=at("00:00"))
    assert (result.accepted, result.errors) == (2, [])
    assert tariff.price_at(at("00:30")) == 0.12
    assert tariff.price_at(at("01:30")) == 0.40
    assert tariff.price_at(at("03:00")) == 0.30
    assert [s.price for s in tariff.slots(at("00:30"), at("03:00"))] == [0.12, 0.40, 0.30]


def test_a_new_series_replaces_the_prices_it_covers_and_keeps_the_rest() -> None:
    tariff = DynamicTariff(fallback=0.30)
    tariff.update([PriceSlot(at(f"{h:02d}:00"), at(f"{h:02d}:00") + 3600, 0.15) for h in range(6)], now=at("00:00"))
    tariff.update([PriceSlot(at("04:00"), at("05:00"), 0.95)], now=at("00:00"))
    assert [tariff.price_at(at(f"{h:02d}:30")) for h in range(6)] == [0.15, 0.15, 0.15, 0.15, 0.95, 0.15]


def test_bad_price_slots_are_named_and_the_good_ones_kept() -> None:
    tariff = DynamicTariff(fallback=0.30)
    result = tariff.update([
        PriceSlot(at("00:00"), at("01:00"), 0.20),
        PriceSlot(at("01:00"), at("02:00"), math.nan),
        PriceSlot(at("03:00"), at("02:30"), 0.20),
        PriceSlot(at("04:00"), at("04:00", 2), 0.20),
        PriceSlot(at("05:00"), at("06:00"), 5_000.0),
        PriceSlot(at("00:30"), at("00:45"), 0.10),
        "07:00 0.20",
    ], now=at("00:00"))
    assert result.accepted == 1
    text = "\n".join(result.errors)
    assert "slot 1: price nan is not a finite number" in text
    assert "slot 2: ends" in text and "before it starts" in text
    assert "slot 3: lasts 48 h" in text
    assert "slot 4: price 5000.0 per kWh is outside" in text
    assert "overlaps the one before it" in text
    assert "slot 6: not a price slot" in text
    assert tariff.price_at(at("00:40")) == 0.20


def test_a_series_from_outside_reads_like_tibber_or_a_bare_list() -> None:
    tibber = json.dumps({"prices": [{"startsAt": "2025-06-10T00:00:00+02:00", "total": 0.21},
                                    {"startsAt": "2025-06-10T01:00:00+02:00", "total": 0.19}]})
    slots, errors = parse_price_series(tibber, TZ)
    assert errors == []
    assert [(s.start, s.end, s.price) for s in slots] == [(at("00:00"), at("01:00"), 0.21),
                                                          (at("01:00"), at("02:00"), 0.19)]
    bare = json.dumps([{"start": at("02:00"), "end": at("02:15"), "price": 0.3}])
    assert parse_price_series(bare, TZ)[0] == [PriceSlot(at("02:00"), at("02:15"), 0.3)]


def test_a_hostile_price_series_is_refused_with_the_reason() -> None:
    with pytest.raises(PriceSeriesError, match="not JSON"):
        parse_price_series(b"\xff\xfe nonsense", TZ)
    with pytest.raises(PriceSeriesError, match="larger than"):
        parse_price_series(b"[" + b" " * MAX_PAYLOAD_BYTES + b"]", TZ)
    with pytest.raises(PriceSeriesError, match="not JSON"):
        parse_price_series("[" * 100_000 + "]" * 100_000, TZ)
    with pytest.raises(PriceSeriesError, match="list of prices"):
        parse_price_series('{"prices": 3}', TZ)
    slots, errors = parse_price_series(json.dumps([1, {"start": "yesterday", "price": 1},
                                                   {"start": "2025-06-10T00:00", "price": "cheap"},
                                                   {"start": "2025-06-10T00:00", "price": 0.2}]), TZ)
    assert len(slots) == 1
    assert errors == ["price 0: not an object", "price 1: 'yesterday' is not an ISO date and time",
                      "price 2: no numeric price (price, total, value)"]
