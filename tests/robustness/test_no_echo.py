"""Never an echo: a huge path, value or name in a request comes back in the error cut to a short length, and
startup errors never print a password from a storage or MQTT URL.

Before the fixes, an error repeated the request's text whole (a 100 MB body could come back as a 100 MB error),
and a malformed MQTT URL was printed with its password.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import grpc
import httpx
import pytest
from kuksa.val.v2 import types_pb2 as t2
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from websockets.sync.client import connect

from tests.support.live import free_port
from tests.support.serve_process import ENV, HOMEBOUND, ServedHub

TRACK = "Vehicle.Cabin.Infotainment.Media.Played.Track"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
MEGABYTE = "P" * 1_000_000
LONG = "P" * 60_000  # what fits in a URL (httpx's own limit is 64 KiB)
SHORT_ANSWER = 1_000  # bytes of a whole error answer
SHOWN = 200  # the longest piece of the request's text an answer may repeat


def assert_cut(answer: str) -> None:
    longest = max((len(run) for run in re.findall("P+", answer)), default=0)
    assert len(answer.encode()) <= SHORT_ANSWER and longest <= SHOWN, \
        f"{len(answer)} characters, {longest} of them repeated from the request: {answer[:300]}"


def post(hub: ServedHub, path: str, body: object) -> httpx.Response:
    return httpx.post(f"{hub.base_url}{path}", json=body, timeout=30)


@pytest.mark.parametrize("values", [
    {"Vehicle." + MEGABYTE: 1},      # an unknown path
    {"Vehicle.Speed": MEGABYTE},     # a value of the wrong type
    {TRACK: MEGABYTE},               # a string over limits.max_value_chars
], ids=["path", "wrong-type", "too-long"])
def test_a_megabyte_in_a_write_comes_back_cut(hub: ServedHub, values: dict[str, object]) -> None:
    response = post(hub, "/api/v1/vehicles/car1/signals", {"values": values})
    assert response.status_code == 422
    assert_cut(response.text)


@pytest.mark.parametrize("body", [{"path": MEGABYTE, "target": 1}, {"path": LIMIT, "target": MEGABYTE}],
                         ids=["path", "target"])
def test_a_megabyte_in_a_command_comes_back_cut(hub: ServedHub, body: dict[str, object]) -> None:
    response = post(hub, "/api/v1/vehicles/car1/commands", body)
    assert response.status_code in (404, 422)
    assert_cut(response.text)


@pytest.mark.parametrize("url", [
    "/api/v1/vehicles/car1/signals/Vehicle.{}", "/api/v1/vehicles/{}", "/api/v1/vehicles/car1/history/{}",
    "/api/v1/commands/{}", "/api/v1/vss/{}", "/api/v1/devices/{}",
])
def test_a_long_name_in_the_url_comes_back_cut(hub: ServedHub, url: str) -> None:
    response = httpx.get(hub.base_url + url.format(LONG), timeout=30)
    assert response.status_code == 404
    assert_cut(response.text)


def test_a_long_unknown_path_in_a_websocket_subscription_comes_back_cut(hub: ServedHub) -> None:
    unknown = "P" * 7_000  # the handshake's request line is limited to 8 KiB
    with connect(f"{hub.ws_url}/api/v1/vehicles/car1/stream?path={unknown}&path=Vehicle.Speed") as websocket:
        hello = websocket.recv(timeout=10)
    assert json.loads(hello)["type"] == "subscribed"
    assert_cut(str(hello))


def test_a_megabyte_path_over_kuksa_v2_comes_back_cut(hub: ServedHub) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{hub.grpc_port}") as channel, pytest.raises(grpc.RpcError) as refused:
        v2_grpc.VALStub(channel).GetValue(v2.GetValueRequest(signal_id=t2.SignalID(path="Vehicle." + MEGABYTE)),
                                          timeout=10)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    assert_cut(str(refused.value.details()))


# ---- startup errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", [
    "--storage=postgresql://ana:secret@no-such-host.invalid/homebound",
    "--storage=postgresql://ana:secret@127.0.0.1:notaport/homebound",
    "--storage=mysql://ana:secret@127.0.0.1/homebound",
    "--mqtt=mqtt://ana:secret@127.0.0.1:1",
    "--mqtt=mqtt://ana:secret@127.0.0.1:notaport",
    "--mqtt=mqtt://ana:secret@",
    "--mqtt=mqtt://ana:secret@[::1",
])
def test_startup_errors_never_print_a_password(tmp_path: Path, option: str) -> None:
    result = subprocess.run([HOMEBOUND, "serve", "--port", str(free_port()), "--no-grpc", option], cwd=tmp_path,
                            env=ENV, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "error" in output and "Traceback" not in output, output
    assert "secret" not in output, output
