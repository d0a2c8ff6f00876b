"""Database outages: while PostgreSQL is down, writes are refused at once with 503 and Retry-After (never
acknowledged and then lost) and reads answer 503 quickly; while it is stuck, reads and writes answer 503 within
their timeouts, never hang, never 500; afterwards writes resume and every acknowledged value is in history.

PostgreSQL is reached through a proxy of the test's own (tests/support/tcp_proxy.py) that can refuse and reset
connections (down) or stop forwarding (stuck). Before the fixes, everything acknowledged while PostgreSQL was down
was lost, and history reads hung with the database.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from homebound.app.config import CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.history.config import HistoryConfig, RecordingConfig
from tests.support.live import LiveServer, live_server
from tests.support.tcp_proxy import TcpProxy

DISTANCE = "Vehicle.TraveledDistance"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
READ_TIMEOUT_S = 1.0
COMMIT_TIMEOUT_S = 2.0
AT_ONCE_S = 1.0     # "at once": one failed attempt at the database (a refused connection), then the answer
MARGIN_S = 1.5      # a timeout's answer may come this much later on a busy machine
RECOVERY_S = 20.0   # the recorder retries with backoff of at most 5 s
_numbers = itertools.count(1)

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    address = urlsplit(database_url)
    with TcpProxy(address.hostname or "127.0.0.1", address.port or 5432) as running:
        yield running


def through(proxy: TcpProxy, database_url: str) -> str:
    address = urlsplit(database_url)
    return address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}").geturl()


def server_config(tmp_path: Path, url: str, **storage: object) -> Config:
    return Config(storage=StorageConfig(url=url, read_timeout_s=READ_TIMEOUT_S, commit_timeout_s=COMMIT_TIMEOUT_S,
                                        **storage),
                  history=HistoryConfig(recording=RecordingConfig(deadband=False)),  # each accepted value: a row
                  commands=CommandsConfig(without_provider="wait"), kuksa=KuksaConfig(enabled=False),
                  vehicles=[VehicleConfig(id="car1")])


class Client:
    """Writes numbered values and remembers which ones the hub acknowledged."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.base_url, timeout=30)
        self.acknowledged: list[float] = []

    def write(self) -> tuple[httpx.Response, float]:
        value = float(next(_numbers))
        started = time.monotonic()
        response = self.http.post("/api/v1/vehicles/car1/signals", json={"values": {DISTANCE: value}})
        if response.status_code == 200:
            self.acknowledged.append(value)
        return response, time.monotonic() - started

    def timed(self, method: str, url: str, **options: object) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = self.http.request(method, url, **options)  # type: ignore[arg-type]
        return response, time.monotonic() - started

    def history(self) -> httpx.Response:
        return self.http.get(f"/api/v1/vehicles/car1/history/{DISTANCE}", params={"limit": 100_000})

    def wait_for_writes(self) -> None:
        deadline = time.monotonic() + RECOVERY_S
        while self.write()[0].status_code != 200:
            assert time.monotonic() < deadline, "writes did not resume after the database came back"
            time.sleep(0.2)

    def assert_nothing_acknowledged_is_missing(self) -> None:
        deadline = time.monotonic() + RECOVERY_S
        while (response := self.history()).status_code != 200:
            assert time.monotonic() < deadline, f"history did not come back: {response.text}"
            time.sleep(0.2)
        stored = {point["value"] for point in response.json()["points"]}
        missing = [value for value in self.acknowledged if value not in stored]
        assert not missing, f"acknowledged and not in history: {missing}"


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers.get("retry-after"), dict(response.headers)
    assert response.json()["error"]["code"] == "storage_unavailable", response.text


def test_while_postgresql_is_down_writes_and_reads_are_refused_at_once_and_nothing_acknowledged_is_lost(
        tmp_path: Path, database_url: str, proxy: TcpProxy) -> None:
    with live_server(server_config(tmp_path, through(proxy, database_url))) as server:
        client = Client(server)
        for _ in range(3):
            assert client.write()[0].status_code == 200
        proxy.down()
        for _ in range(5):
            response, took = client.write()
            assert_unavailable(response)
            assert took < AT_ONCE_S, f"a write took {took:.2f} s to be refused"
        response, took = client.timed("GET", f"/api/v1/vehicles/car1/history/{DISTANCE}")
        assert_unavailable(response)
        assert took < AT_ONCE_S, f"a history read took {took:.2f} s to be refused"
        response, took = client.timed("POST", "/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 80})
        assert_unavailable(response)
        assert took < AT_ONCE_S
        proxy.up()
        client.wait_for_writes()
        for _ in range(3):
            assert client.write()[0].status_code == 200
        client.assert_nothing_acknowledged_is_missing()


def test_while_postgresql_is_stuck_reads_and_writes_answer_503_within_their_timeouts(
        tmp_path: Path, database_url: str, proxy: TcpProxy) -> None:
    with live_server(server_config(tmp_path, through(proxy, database_url))) as server:
        client = Client(server)
        for _ in range(3):
            assert client.write()[0].status_code == 200
        proxy.stuck()
        response, took = client.timed("GET", f"/api/v1/vehicles/car1/history/{DISTANCE}")
        assert_unavailable(response)
        assert took < READ_TIMEOUT_S + MARGIN_S, f"a history read took {took:.2f} s"
        response, took = client.timed("GET", "/api/v1/commands/no-such-command-in-memory")
        assert_unavailable(response)
        assert took < READ_TIMEOUT_S + MARGIN_S, f"a command read took {took:.2f} s"
        for _ in range(2):
            response, took = client.write()
            assert_unavailable(response)
            assert took < COMMIT_TIMEOUT_S + MARGIN_S, f"a write took {took:.2f} s"
        proxy.unstick()
        client.wait_for_writes()
        client.assert_nothing_acknowledged_is_missing()


def test_a_history_read_giving_up_on_a_stuck_database_loses_nothing_it_was_writing(
        tmp_path: Path, database_url: str, proxy: TcpProxy) -> None:
    """The read writes what is buffered first; when it gives up after its timeout, that write must go on (or be
    retried), not vanish with the request. Buffered mode with a long interval makes the read the one that writes."""
    config = server_config(tmp_path, through(proxy, database_url), durability="buffered", flush_interval_s=60.0)
    with live_server(config) as server:
        client = Client(server)
        for _ in range(3):
            assert client.write()[0].status_code == 200  # acknowledged at once, buffered
        proxy.stuck()
        assert_unavailable(client.history())
        proxy.down()  # the stuck connection is reset: the write that was under way fails
        proxy.up()
        client.assert_nothing_acknowledged_is_missing()  # the read retries the write
        assert server.runtime.metrics()["history"]["rows_lost"] == 0  # type: ignore[index]
