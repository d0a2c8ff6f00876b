"""Any body a stranger posts to the write and command endpoints is answered, never with a 500: a 2xx with the
documented result, or a 4xx whose body is the documented `{"error": {"code", "message"}}`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homebound.app.config import CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.model.vss_loader import builtin_catalog
from tests.properties.strategies import finite_json, numbers, text
from tests.support.live import live_server

CATALOG = builtin_catalog()
PATHS = sorted(CATALOG.signals)
ACTUATORS = sorted(p for p, m in CATALOG.signals.items() if m.kind.value == "actuator")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A real hub served by uvicorn (as in tests/http), one for the module: examples share it."""
    folder: Path = tmp_path_factory.mktemp("rest-properties")
    config = Config(storage=StorageConfig(url=f"sqlite:///{folder / 'hub.db'}", flush_interval_s=0.05),
                    commands=CommandsConfig(timeout_s=1, without_provider="wait"),
                    kuksa=KuksaConfig(enabled=False), vehicles=[VehicleConfig(id="car1")])
    with live_server(config) as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


def writes(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """WriteValues bodies: mostly well-formed with any values, sometimes any JSON at all."""
    batch = st.dictionaries(st.one_of(st.sampled_from(PATHS), text), values, max_size=6)
    body = st.fixed_dictionaries({"values": batch}, optional={"ts": st.one_of(numbers, values), "extra": values})
    return st.one_of(body, body, body, values)


def commands(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """SendCommand bodies: an actuator (or anything) and any target, id and timeout."""
    body = st.fixed_dictionaries({"path": st.one_of(st.sampled_from(ACTUATORS), st.sampled_from(ACTUATORS), values),
                                  "target": values},
                                 optional={"id": st.one_of(st.text(min_size=1, max_size=70), values),
                                           "timeout_s": st.one_of(numbers, values)})
    return st.one_of(body, body, body, values)


def assert_answered(response: object, results: dict[int, set[str]]) -> None:
    """Below 500; a documented result for the statuses in `results` (status: its keys), else the error shape."""
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, f"{status}: {response.text[:500]}"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    if status in results and isinstance(body, dict) and results[status] <= set(body):
        return
    assert status >= 400, f"{status}: {body}"
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


WRITE_RESULT = {200: {"accepted", "rejected"}, 422: {"accepted", "rejected"}}  # 422: none of the values was kept
COMMAND_RESULT = {202: {"id", "state", "path", "target"}}
# Any id a URL can carry ("." and ".." the client itself resolves away).
vehicle_ids = st.one_of(st.just("car1"), st.text(st.characters(blacklist_categories=["Cs"]), min_size=1,
                                                 max_size=10).filter(lambda v: v not in (".", "..")))


def post(client: httpx.Client, url: str, body: object) -> object:
    return client.post(url, content=json.dumps(body), headers={"content-type": "application/json"})


@given(body=writes(finite_json))
def test_any_write_body_is_answered_without_a_500(client: httpx.Client, body: object) -> None:
    response = post(client, "/api/v1/vehicles/car1/signals", body)
    assert_answered(response, WRITE_RESULT)
    result = response.json()  # type: ignore[attr-defined]
    if "accepted" in result:
        assert result["accepted"] + len(result["rejected"]) == len(body["values"])  # type: ignore[index]


@given(body=commands(finite_json), vehicle=vehicle_ids)
def test_any_command_body_is_answered_without_a_500(client: httpx.Client, body: object, vehicle: str) -> None:
    assert_answered(post(client, f"/api/v1/vehicles/{quote(vehicle, safe='')}/commands", body), COMMAND_RESULT)


# Any bytes, text, and JSON cut in half.
bodies = st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                   finite_json.map(json.dumps).map(lambda t: t[: len(t) // 2].encode()))


@given(raw=bodies, url=st.sampled_from(["/api/v1/vehicles/car1/signals", "/api/v1/vehicles/car1/commands"]))
def test_any_bytes_as_a_body_are_answered_without_a_500(client: httpx.Client, raw: bytes, url: str) -> None:
    response = client.post(url, content=raw, headers={"content-type": "application/json"})
    assert_answered(response, {**WRITE_RESULT, **COMMAND_RESULT})


@pytest.mark.parametrize(("url", "raw"), [
    ("/api/v1/vehicles/car1/signals", b"\x80"),
    ("/api/v1/vehicles/car1/signals", "\x00\U00010000".encode()),
    ("/api/v1/vehicles/car1/signals", b"[" * 5000),
    ("/api/v1/vehicles/car1/nothing-here", b"{}"),
    ("/api/v1/vehicles/a%2Fb/commands", b'{"path": "Vehicle.Speed", "target": 1}'),
])
def test_the_servers_own_refusals_are_in_the_documented_error_shape(client: httpx.Client, url: str,
                                                                     raw: bytes) -> None:
    response = client.post(url, content=raw, headers={"content-type": "application/json"})
    assert_answered(response, {})


@pytest.mark.parametrize("raw", [
    b'{"values": {"Vehicle.Speed": NaN}}', b'{"values": {"Vehicle.Speed": Infinity}}',
    b'{"values": {"Vehicle.Powertrain.TractionBattery.Temperature.CellTemperature": [-Infinity]}}'])
def test_a_write_with_nan_or_infinity_is_answered_without_a_500(client: httpx.Client, raw: bytes) -> None:
    try:
        response = client.post("/api/v1/vehicles/car1/signals", content=raw,
                               headers={"content-type": "application/json"})
    except httpx.TransportError as error:
        raise AssertionError(f"no answer at all: {error!r}") from None
    assert_answered(response, WRITE_RESULT)
