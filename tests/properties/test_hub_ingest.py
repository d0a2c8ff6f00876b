"""`Hub.ingest` under any batch a door can hand it: every value is either kept (readable, and delivered once to
subscribers) or answered with its own error naming its path, and a bad value never costs the good ones; only a
timestamp no car could report refuses the batch whole, before anything is stored."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homebound.hub import Hub
from homebound.hub.errors import RejectedValue
from homebound.model.errors import UnknownPath
from homebound.model.limits import InvalidTimestamp
from homebound.model.vss_loader import builtin_catalog
from tests.properties.strategies import json_with_non_finite, text

CATALOG = builtin_catalog()
PATHS = sorted(CATALOG.signals)
paths = st.one_of(st.sampled_from(PATHS), st.sampled_from(PATHS), text,
                  st.sampled_from(PATHS).map(lambda p: p.lower()), st.sampled_from(["Vehicle", "Vehicle.*", ""]))
batches = st.dictionaries(paths, json_with_non_finite, min_size=1, max_size=12)
NOW = time.time()
# Epoch seconds a car can report (from 1970 to now), or none (the hub's clock); and ones it cannot.
car_times = st.one_of(st.none(), st.floats(0, NOW - 60), st.integers(0, int(NOW) - 60))
impossible_times = st.one_of(st.floats(max_value=-0.001), st.floats(min_value=NOW + 3 * 86_400),
                             st.sampled_from([math.nan, math.inf, -math.inf]))


@given(batch=batches, ts=car_times)
def test_every_value_of_a_batch_is_kept_or_answered_with_its_own_error(batch: dict[str, object],
                                                                        ts: float | None) -> None:
    hub = Hub()
    hub.add_vehicle("car1", CATALOG)
    watcher = hub.subscribe("car1", ["Vehicle"])
    result = hub.ingest("car1", batch, ts, principal="rest:prop")
    refused = {}
    for error in result.errors:
        assert isinstance(error, UnknownPath | RejectedValue)
        assert error.path in batch and error.path not in refused and str(error)
        refused[error.path] = error
    kept = {path: value for path, value in batch.items() if path not in refused}
    assert result.accepted == len(kept)
    for path, raw in batch.items():
        if path in kept:
            reading = hub.read("car1", path)
            assert reading is not None
            assert reading.value == CATALOG.validators[path](raw) and reading.principal == "rest:prop"
            assert ts is None or reading.ts == ts
        elif isinstance(refused[path], RejectedValue):
            assert hub.read("car1", path) is None
        else:
            assert path not in CATALOG.signals
    delivered = watcher.get_nowait()
    if kept:
        assert delivered is not None and {u.path for u in delivered} == set(kept)
        assert watcher.get_nowait() is None  # one batch per ingest call
    else:
        assert delivered is None


@given(batch=batches, ts=impossible_times)
def test_a_timestamp_no_car_could_report_refuses_the_batch_whole(batch: dict[str, object], ts: float) -> None:
    hub = Hub()
    hub.add_vehicle("car1", CATALOG)
    watcher = hub.subscribe("car1", ["Vehicle"])
    with pytest.raises(InvalidTimestamp, match="is not a time a car could report"):
        hub.ingest("car1", batch, ts)
    assert hub.known_values("car1") == {} and watcher.get_nowait() is None
