"""No input freezes the hub: while each abusive input of issue 9 is sent, `/api/v1/health` keeps answering within
100 ms, and the abusive request gets a clear error.

Before the fixes: 100,000 unknown paths froze every door for 40 s, an 800-byte YAML alias bomb for 73 s, a
discovery template `10**10000000` for 13 s per message, a 1 MB device name for hours (the console logger), and a
wildcard of many `**` backtracked exponentially. The hub runs as `homebound serve` in a process of its own, so a
freeze is the hub's, never the test's.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import grpc
import httpx
import orjson
import paho.mqtt.client as mqtt
import pytest
from kuksa.val.v2 import val_pb2 as v2
from kuksa.val.v2 import val_pb2_grpc as v2_grpc
from paho.mqtt.enums import CallbackAPIVersion
from websockets.sync.client import connect

from tests.mqtt.conftest import HOST, PORT
from tests.robustness.conftest import assert_kept_answering
from tests.support.health_watch import HealthWatch
from tests.support.serve_process import ServedHub

ABUSE_TIMEOUT_S = 20.0
SETTLE_S = 0.3  # the watch goes on a little after the answer: work left on the loop would show there


def write(hub: ServedHub, body: bytes) -> httpx.Response:
    return httpx.post(f"{hub.base_url}/api/v1/vehicles/car1/signals", content=body,
                      headers={"content-type": "application/json"}, timeout=ABUSE_TIMEOUT_S)


def unknown_paths(count: int) -> bytes:
    return orjson.dumps({"values": {f"Vehicle.Made.Up.Signal{n}": n for n in range(count)}})


# ---- REST writes ------------------------------------------------------------------------------------------------


def test_a_write_of_100000_unknown_paths_is_refused_whole_without_freezing(hub: ServedHub) -> None:
    body = unknown_paths(100_000)
    with HealthWatch(hub.base_url) as watch:
        response = write(hub, body)
        time.sleep(SETTLE_S)
    assert response.status_code == 413, response.text[:500]
    error = response.json()["error"]
    assert error["code"] == "too_large" and "limits.max_batch" in error["message"]
    assert_kept_answering(watch.report)


def test_a_write_of_10000_unknown_paths_names_each_without_freezing(hub: ServedHub) -> None:
    body = unknown_paths(10_000)
    with HealthWatch(hub.base_url) as watch:
        response = write(hub, body)
        time.sleep(SETTLE_S)
    assert response.status_code == 422, response.text[:500]
    rejected = response.json()["rejected"]
    assert len(rejected) == 10_000 and {r["code"] for r in rejected} == {"unknown_path"}
    assert sum(1 for r in rejected if r["suggestions"]) <= 10  # suggestions are capped per request
    assert_kept_answering(watch.report)


def test_a_100_megabyte_body_is_refused_before_it_is_read(hub: ServedHub) -> None:
    size = 100 * 1024 * 1024
    with HealthWatch(hub.base_url) as watch:
        status, answer, sent = post_huge_body(hub, "/api/v1/vehicles/car1/signals", size)
        time.sleep(SETTLE_S)
    assert status == 413, answer[:500]
    error = orjson.loads(answer)["error"]
    assert error["code"] == "too_large" and "limits.max_body_bytes" in error["message"]
    assert sent < size // 4  # answered long before the client could send it all
    assert_kept_answering(watch.report)


def test_a_chunked_body_over_the_limit_is_cut_off(hub: ServedHub) -> None:
    size = 100 * 1024 * 1024
    with HealthWatch(hub.base_url) as watch:
        status, answer, sent = post_huge_body(hub, "/api/v1/vehicles/car1/signals", size, chunked=True)
        time.sleep(SETTLE_S)
    assert status == 413, answer[:500]
    assert orjson.loads(answer)["error"]["code"] == "too_large"
    assert sent < size // 4
    assert_kept_answering(watch.report)


def test_deeply_nested_json_is_refused_without_freezing(hub: ServedHub) -> None:
    depth = 100_000
    body = b'{"values": {"Vehicle.Speed": ' + b"[" * depth + b"]" * depth + b"}}"
    with HealthWatch(hub.base_url) as watch:
        response = write(hub, body)
        time.sleep(SETTLE_S)
    assert response.status_code == 422, response.text[:500]
    assert response.json()["error"]["code"] == "invalid_request"
    assert_kept_answering(watch.report)


def post_huge_body(hub: ServedHub, path: str, size: int, chunked: bool = False) -> tuple[int, bytes, int]:
    """POST `size` bytes of JSON (one huge string value), with a Content-Length or chunked, stopping as soon as
    the server answers; returns the status, the answer's body and how many body bytes went out."""
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{length}\r\n"
            "Connection: close\r\n\r\n").encode()
    piece = b"x" * 65_536
    framed = b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece
    sent = 0
    received = b""
    deadline = time.monotonic() + ABUSE_TIMEOUT_S
    with socket.create_connection(("127.0.0.1", hub.port), timeout=ABUSE_TIMEOUT_S) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        pending = b'{"values": {"Vehicle.Speed": "'
        if chunked:
            pending = b"%x\r\n%b\r\n" % (len(pending), pending)
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if sent < size else [], [], 1.0)
            if readable:
                data = sock.recv(65_536)
                if not data:
                    break
                received += data
                if _complete(received):
                    break
                continue
            if writable:
                if not pending:
                    pending = framed
                try:
                    count = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += count
                pending = pending[count:]
    head_part, _, body = received.partition(b"\r\n\r\n")
    assert head_part, f"no answer to a {size}-byte body after {sent} bytes"
    return int(head_part.split()[1]), body, sent


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if separator and line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


# ---- YAML to /automations/check ---------------------------------------------------------------------------------

# Nine lists of nine, seven deep: 540 bytes that stand for 4.8 million values once the aliases are expanded. Where
# an automation's condition holds it, validation walks every one (4.5 s on the old code; two levels more: minutes).
ALIAS_BOMB = "\n".join([
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
      for previous, name in zip("abcdef", "bcdefg", strict=True)),
    "automations:",
    "  - id: bomb",
    "    triggers: [{trigger: state, thing: car1, path: Vehicle.Speed}]",
    "    conditions: [{condition: state, thing: car1, path: Vehicle.Speed, state: *g}]",
    "    actions: [{action: notify, thing: car1, message: hi}]",
])


def check_automations(hub: ServedHub, text: str) -> httpx.Response:
    return httpx.post(f"{hub.base_url}/api/v1/automations/check", content=text.encode(),
                      headers={"content-type": "text/plain"}, timeout=ABUSE_TIMEOUT_S)


def test_a_yaml_alias_bomb_is_refused_without_freezing(hub: ServedHub) -> None:
    assert len(ALIAS_BOMB) < 1000
    with HealthWatch(hub.base_url) as watch:
        response = check_automations(hub, ALIAS_BOMB)
        time.sleep(SETTLE_S)
    assert response.status_code == 200, response.text[:500]
    problems = response.json()["problems"]
    assert len(problems) == 1 and "nodes" in problems[0], problems
    assert_kept_answering(watch.report)


def test_a_deeply_nested_yaml_document_is_refused_without_freezing(hub: ServedHub) -> None:
    with HealthWatch(hub.base_url) as watch:
        response = check_automations(hub, "[" * 500_000)
        time.sleep(SETTLE_S)
    assert response.status_code == 200, response.text[:500]
    problems = response.json()["problems"]
    assert len(problems) == 1 and "deeper than" in problems[0], problems
    assert_kept_answering(watch.report)


# ---- wildcards that would backtrack -----------------------------------------------------------------------------

# The costliest patterns found for the path automaton: each state of `*****`/`**` stays alive down every branch.
CRAFTED = [("**." + "*****.**." * 30)[:250] + f".{n}" for n in range(20)]  # 20 = limits.max_wildcards
# What made the old regular expression backtrack: n consecutive `**` before a name that matches nothing.
BACKTRACKING = "Vehicle." + "**." * 16 + "Nope"


def test_crafted_wildcards_over_the_websocket_do_not_freeze(hub: ServedHub) -> None:
    query = "&".join(f"path={p}" for p in [*CRAFTED[:19], BACKTRACKING, "Vehicle.Speed"])
    with HealthWatch(hub.base_url) as watch:
        with connect(f"{hub.ws_url}/api/v1/vehicles/car1/stream?{query}", open_timeout=ABUSE_TIMEOUT_S) as websocket:
            hello = json.loads(websocket.recv(timeout=ABUSE_TIMEOUT_S))
        time.sleep(SETTLE_S)
    assert hello["type"] == "subscribed" and hello["paths"] == 1
    assert len(hello["unknown_paths"]) == 20
    assert_kept_answering(watch.report)


def test_crafted_wildcards_over_kuksa_v2_do_not_freeze(hub: ServedHub) -> None:
    request = v2.SubscribeRequest(signal_paths=[*CRAFTED[:19], BACKTRACKING, "Vehicle.Speed"])
    with HealthWatch(hub.base_url) as watch, grpc.insecure_channel(f"127.0.0.1:{hub.grpc_port}") as channel:
        stream = v2_grpc.VALStub(channel).Subscribe(request, timeout=ABUSE_TIMEOUT_S)
        first = next(stream)
        stream.cancel()
        time.sleep(SETTLE_S)
    assert list(first.entries) == ["Vehicle.Speed"]
    assert_kept_answering(watch.report)


# ---- MQTT discovery ---------------------------------------------------------------------------------------------


@pytest.fixture
def device_client() -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-device-{uuid.uuid4().hex[:8]}")
    client.connect(HOST, int(PORT))
    client.loop_start()
    yield client
    client.loop_stop()
    client.disconnect()


def publish(client: mqtt.Client, topic: str, payload: str | bytes, retain: bool = False) -> None:
    client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)


def device_detail(hub: ServedHub, device_id: str) -> dict[str, object] | None:
    response = httpx.get(f"{hub.base_url}/api/v1/devices/{device_id}", timeout=ABUSE_TIMEOUT_S)
    return response.json() if response.status_code == 200 else None


def wait_until(condition: object, timeout: float = ABUSE_TIMEOUT_S, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_discovery_template_building_a_huge_number_is_refused_without_freezing(
        mqtt_hub: ServedHub, mqtt_tag: str, device_client: mqtt.Client) -> None:
    device = f"power-{mqtt_tag}"
    state = f"hbprobe-dev-{mqtt_tag}/power"
    config = {"name": "Power", "stat_t": state, "val_tpl": "{{ 10**10000000 }}", "unit_of_meas": "W",
              "dev": {"ids": [device], "name": "Power meter"}}
    with HealthWatch(mqtt_hub.base_url) as watch:
        publish(device_client, f"hbprobe-{mqtt_tag}/sensor/{device}/config", json.dumps(config))
        wait_until(lambda: device_detail(mqtt_hub, device) is not None, what="the device to join")
        for _ in range(3):
            publish(device_client, state, "1")
        wait_until(lambda: (device_detail(mqtt_hub, device) or {}).get("errors") == 3, what="three refusals")
        time.sleep(SETTLE_S)
    detail = device_detail(mqtt_hub, device)
    assert detail is not None and "exponent" in str(detail["last_error"]), detail
    assert_kept_answering(watch.report)


def test_a_long_device_name_is_logged_cut_without_freezing(
        mqtt_hub: ServedHub, mqtt_tag: str, device_client: mqtt.Client) -> None:
    """As long a name as a discovery config can carry (configs are limited to 64 KiB)."""
    device = f"named-{mqtt_tag}"
    name = "N" * 60_000
    config = {"name": "Temperature", "stat_t": f"hbprobe-dev-{mqtt_tag}/named", "unit_of_meas": "°C",
              "dev": {"ids": [device], "name": name}}
    log_before = len(mqtt_hub.output())
    with HealthWatch(mqtt_hub.base_url) as watch:
        publish(device_client, f"hbprobe-{mqtt_tag}/sensor/{device}/config", json.dumps(config))
        wait_until(lambda: device_detail(mqtt_hub, device) is not None, what="the device to join")
        wait_until(lambda: device in mqtt_hub.output()[log_before:], what="the device's log line")
        time.sleep(SETTLE_S)
    logged = mqtt_hub.output()[log_before:]
    assert logged.count("N") < 5_000, f"{len(logged)} characters logged"
    assert_kept_answering(watch.report)


LOG_A_MEGABYTE = """
import io, json, logging, time
from rich.console import Console
from homebound.app.log_output import configure_logging
output = io.StringIO()
configure_logging(Console(file=output, width=120), logging.INFO)
started = time.monotonic()
logging.getLogger("homebound.adapters.mqtt").warning("device %s joined", "\\x1b[2J" + "N" * 1_000_000)
print(json.dumps({"took": time.monotonic() - started, "printed": output.getvalue()}))
"""


def test_the_console_logger_cuts_a_megabyte_of_untrusted_text_at_once() -> None:
    """The real logging of `homebound serve` (rich, every line cleaned), in a process of its own: rich wraps every
    line it prints, and a megabyte-long line took it hours (a regression shows as the timeout, not a hung run)."""
    try:
        result = subprocess.run([sys.executable, "-c", LOG_A_MEGABYTE], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("logging one megabyte-long line took more than 30 s")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    printed = report["printed"]
    assert printed.count("N") < 5_000 and "\x1b" not in printed, f"{len(printed)} characters printed"
    assert report["took"] < 2.0, f"one log line took {report['took']:.1f} s"
