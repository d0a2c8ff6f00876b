"""A flood of bad messages beside good traffic: each bad one counted, no good value lost, the hub keeps going."""

from __future__ import annotations

import json
import time

import httpx

from tests.mqtt.conftest import Observer, Topics
from tests.mqtt.test_devices import wait
from tests.support.live import LiveServer

GOOD_UPDATES = 300


def test_flood_of_bad_payloads_loses_no_good_value(hub_server: LiveServer, observer: Observer,
                                                   topics: Topics) -> None:
    base = f"{topics.sim_root}/meter"
    observer.publish(f"{topics.prefix}/sensor/meter/power/config", json.dumps({
        "name": "Power", "stat_t": f"{base}/state", "val_tpl": "{{ value_json.power }}", "unit_of_meas": "W",
        "dev": {"ids": ["meter-1"], "name": "Meter"}}), retain=True)
    observer.publish(f"{topics.prefix}/number/meter/limit/config", json.dumps({
        "name": "Limit", "stat_t": f"{base}/limit", "cmd_t": f"{base}/set_limit", "min": 0, "max": 10,
        "dev": {"ids": ["meter-1"], "name": "Meter"}}), retain=True)
    wait(lambda: any(d["id"] == "meter-1" and d["entities"] == 2
                     for d in httpx.get(f"{hub_server.base_url}/api/v1/devices").json()))
    time.sleep(0.3)  # the bridge's subscriptions to the new state topics reach the broker
    bad = [
        (f"{topics.prefix}/switch/x/config", b"{not json"),                           # malformed JSON
        (f"{topics.prefix}/switch/y/config", b'{"name": "no command topic"}'),         # missing required key
        (f"{topics.prefix}/teleporter/z/config", b'{"cmd_t": "a"}'),                   # unsupported component
        (f"{base}/state", b"not json at all"),                                        # template fails
        (f"{base}/state", b'{"voltage": 230}'),                                       # template: missing key
        (f"{base}/state", b'{"power": "lots"}'),                                      # not a number
        (f"{base}/limit", b"42"),                                                     # out of range
        (f"{base}/state", b"\xff\xfe"),                                               # not UTF-8
    ]
    for number in range(GOOD_UPDATES):
        observer.publish(f"{base}/state", json.dumps({"power": float(number)}))
        topic, payload = bad[number % len(bad)]
        observer.publish(topic, payload)
    last = float(GOOD_UPDATES - 1)
    wait(lambda: hub_server.run(hub_server.runtime.hub.read, "meter-1", "Sensor.Power.Value")[0] == last, 20)
    history = hub_server.call(_history(hub_server))
    assert [v for _, v, _ in history] == [float(n) for n in range(GOOD_UPDATES)]
    metrics = httpx.get(f"{hub_server.base_url}/api/v1/metrics").json()["mqtt"]
    errors = metrics["errors"]
    per_kind = GOOD_UPDATES // len(bad)
    assert errors["discovery"] >= 3 * per_kind
    assert errors["template"] >= 2 * per_kind
    assert errors["payload"] >= 2 * per_kind and errors["value"] >= per_kind
    shown = httpx.get(f"{hub_server.base_url}/api/v1/devices/meter-1").json()
    assert shown["errors"] >= 5 * per_kind and shown["last_error"]
    assert httpx.get(f"{hub_server.base_url}/api/v1/health").json()["status"] == "ok"


async def _history(server: LiveServer) -> list[tuple[float, object, str]]:
    await server.runtime.recorder.flush()
    return server.runtime.store.history("meter-1", "Sensor.Power.Value", limit=10_000)
