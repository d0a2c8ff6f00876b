"""The sdv.databroker.v1 subscription query language, as the Kuksa databroker documents it (doc/QUERY.md)."""

from __future__ import annotations

import pytest

from homebound.adapters.kuksa.sdv_query import MAX_DEPTH, MAX_QUERY_CHARS, MISSING, QueryError, compile_query
from homebound.model.catalog import Catalog

SPEED = "Vehicle.Speed"
SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
DOOR = "Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"
START_STOP = "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging"


def names(reply: object) -> dict[str, object]:
    assert isinstance(reply, list)
    return {item.name: value for item, value in reply}


def test_select_one_signal_replies_with_its_value_under_its_path(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {SPEED}", catalog)
    assert query.inputs == (SPEED,)
    assert names(query.reply({SPEED: 42.0})) == {SPEED: 42.0}
    assert names(query.reply({})) == {SPEED: MISSING}


def test_select_several_with_aliases_and_keywords_in_any_case(catalog: Catalog) -> None:
    query = compile_query(f"select {SPEED} as speed, {SOC} AS soc", catalog)
    assert names(query.reply({SPEED: 10.0, SOC: 80.0})) == {"speed": 10.0, "soc": 80.0}


def test_where_decides_whether_a_reply_is_due(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {SOC} WHERE {SPEED} > 50", catalog)
    assert set(query.inputs) == {SOC, SPEED}
    assert query.reply({SPEED: 30.0, SOC: 80.0}) is None
    assert names(query.reply({SPEED: 60.0, SOC: 80.0})) == {SOC: 80.0}


def test_and_or_not_and_parentheses_combine_conditions(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {SPEED} WHERE ({SPEED} >= 10 AND {SPEED} <= 20) OR NOT {DOOR} = false", catalog)
    assert query.reply({SPEED: 15.0, DOOR: False}) is not None
    assert query.reply({SPEED: 25.0, DOOR: False}) is None
    assert query.reply({SPEED: 25.0, DOOR: True}) is not None


def test_between_and_not_between(catalog: Catalog) -> None:
    inside = compile_query(f"SELECT {SPEED} WHERE {SPEED} BETWEEN 50 AND 150", catalog)
    outside = compile_query(f"SELECT {SPEED} WHERE {SPEED} NOT BETWEEN 50 AND 150", catalog)
    assert inside.reply({SPEED: 50.0}) is not None and outside.reply({SPEED: 50.0}) is None
    assert inside.reply({SPEED: 151.0}) is None and outside.reply({SPEED: 151.0}) is not None


def test_strings_and_booleans_compare_for_equality(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {START_STOP} WHERE {START_STOP} = 'START' AND {DOOR} <> true", catalog)
    assert query.reply({START_STOP: "START", DOOR: False}) is not None
    assert query.reply({START_STOP: "STOP", DOOR: False}) is None


def test_a_selected_condition_is_replied_as_a_boolean(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {SPEED}, ({SPEED} = 0) AS stopped, ({SOC} < 20)", catalog)
    assert names(query.reply({SPEED: 0.0, SOC: 50.0})) == {SPEED: 0.0, "stopped": True, "field_2": False}


def test_a_comparison_with_a_signal_that_has_no_value_is_false(catalog: Catalog) -> None:
    query = compile_query(f"SELECT {SOC} WHERE {SPEED} < 10", catalog)
    assert query.reply({SOC: 50.0}) is None


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected SELECT at position 0"),
    ("SELECT", "expected a signal path"),
    ("SELECT Vehicle.Sped", "unknown signal 'Vehicle.Sped' at position 7; did you mean Vehicle.Speed"),
    (f"SELECT {SPEED} WHERE", "expected a signal path, a value or '('"),
    (f"SELECT {SPEED} WHERE {SPEED} > 'fast'", "cannot compare a number with a string"),
    (f"SELECT {SPEED} WHERE {START_STOP} < 'S'", "< compares numbers, not string values"),
    (f"SELECT {SPEED} WHERE {SPEED}", "the WHERE clause must be a condition"),
    (f"SELECT {SPEED} WHERE {SPEED} > 1 AND 5", "AND joins conditions, not a number value"),
    (f"SELECT {SPEED}; DROP TABLE x", "unexpected character ';' at position 20"),
    (f"SELECT {SPEED} {SOC}", "expected ',', WHERE or the end of the query"),
    (f"SELECT {SPEED} WHERE {SPEED} > 1e999", "out of range"),
    ("SELECT (1 = 1) AS always", "names no signal"),
])
def test_bad_queries_are_refused_with_what_and_where(catalog: Catalog, text: str, message: str) -> None:
    with pytest.raises(QueryError) as refused:
        compile_query(text, catalog)
    assert message in str(refused.value)


def test_huge_and_deeply_nested_queries_are_refused_before_any_work(catalog: Catalog) -> None:
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_CHARS}"):
        compile_query("SELECT " + "x" * MAX_QUERY_CHARS, catalog)
    nested = f"SELECT {SPEED} WHERE " + "(" * (MAX_DEPTH + 1) + f"{SPEED} > 1" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(QueryError, match="nests deeper than"):
        compile_query(nested, catalog)
    with pytest.raises(QueryError, match="nests deeper than"):
        compile_query(f"SELECT {SPEED} WHERE " + "NOT " * 100 + f"{DOOR} = true", catalog)
    with pytest.raises(QueryError, match="more than 1024 tokens"):
        compile_query("SELECT x WHERE " + " OR ".join(["x>1"] * 400), catalog)
