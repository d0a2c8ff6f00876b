"""A dynamic tariff fed over a real MQTT broker (Mosquitto), and over REST: prices arrive, bad ones are named
and counted, and the prices already known stay in force."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homebound.app.config import Config, load_config
from tests.mqtt.conftest import MQTT_URL, Observer, Topics, observer, topics  # noqa: F401 - fixtures
from tests.support.live import LiveServer, live_server

CONFIG = """
storage: {url: "sqlite:///%(db)s", flush_interval_s: 0.05}
kuksa: {enabled: false}
mqtt: {url: "%(url)s", discovery_prefix: "%(prefix)s", base_topic: "%(base)s"}
energy:
  timezone: Europe/Berlin
  interval_s: 1
  tariff: {kind: dynamic, price: 0.30, mqtt_topic: "%(topic)s"}
  charge_points:
    - name: garage
      wallbox: {thing: wallbox, plugged: BinarySensor.Plugged.State, power: Sensor.Power.Value,
                current_limit: Number.CurrentLimit.Value, enable: Switch.Charging.State}
"""


def series(*hours: tuple[str, float]) -> str:
    return json.dumps({"prices": [{"start": f"2099-06-10T{clock}:00+02:00", "price": price}
                                  for clock, price in hours]})


@pytest.fixture
def hub(tmp_path: Path, topics: Topics) -> Iterator[tuple[LiveServer, str]]:  # noqa: F811
    topic = f"{topics.sim_root}/tariff/prices"
    path = tmp_path / "homebound.yaml"
    path.write_text(CONFIG % {"db": tmp_path / "hub.db", "url": MQTT_URL, "prefix": topics.prefix,
                              "base": topics.base, "topic": topic})
    config: Config = load_config(path)
    with live_server(config) as live:
        yield live, topic


def known(live: LiveServer) -> list[float]:
    tariff = live.runtime.energy.tariff if live.runtime.energy else None
    return [slot.price for slot in tariff.known] if tariff is not None else []  # type: ignore[attr-defined]


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_prices_published_over_mqtt_reach_the_tariff(hub: tuple[LiveServer, str], observer: Observer) -> None:  # noqa: F811
    live, topic = hub
    observer.publish(topic, series(("00:00", 0.21), ("01:00", 0.19), ("02:00", 0.55)), retain=True)
    wait_for(lambda: live.run(known, live) == [0.21, 0.19, 0.55])
    metrics = httpx.get(f"{live.base_url}/api/v1/metrics").json()
    assert metrics["energy"]["price_feed"]["accepted"] == 3


def test_a_bad_price_message_is_counted_and_the_known_prices_stay(hub: tuple[LiveServer, str],
                                                                 observer: Observer) -> None:  # noqa: F811
    live, topic = hub
    observer.publish(topic, series(("00:00", 0.21), ("01:00", 0.19)))
    wait_for(lambda: live.run(known, live) == [0.21, 0.19])
    observer.publish(topic, b"\xff not json")
    observer.publish(topic, json.dumps({"prices": [{"start": "2099-06-10T03:00", "price": "NaN"}]}))
    wait_for(lambda: httpx.get(f"{live.base_url}/api/v1/metrics").json()["energy"]["price_feed"]["errors"] >= 2)
    feed = httpx.get(f"{live.base_url}/api/v1/metrics").json()["energy"]["price_feed"]
    assert "no numeric price" in feed["last_error"]
    assert live.run(known, live) == [0.21, 0.19]


def test_prices_put_over_rest_answer_what_was_kept(hub: tuple[LiveServer, str]) -> None:
    live, _topic = hub
    body = json.dumps({"prices": [{"start": "2099-06-10T00:00:00+02:00", "price": 0.2},
                                  {"start": "2099-06-10T01:00:00+02:00", "end": "2099-06-09T00:00:00+02:00",
                                   "price": 0.2}]})
    answer = httpx.put(f"{live.base_url}/api/v1/energy/tariff/prices", content=body).json()
    assert answer["accepted"] == 1
    assert len(answer["errors"]) == 1 and "before it starts" in answer["errors"][0]
    huge = httpx.put(f"{live.base_url}/api/v1/energy/tariff/prices", content=b"[" + b" " * 2_000_000 + b"]")
    assert huge.status_code == 413
    garbage = httpx.put(f"{live.base_url}/api/v1/energy/tariff/prices", content=b"{{{")
    assert garbage.status_code == 422 and "not JSON" in garbage.json()["error"]["message"]
    tariff = httpx.get(f"{live.base_url}/api/v1/energy/tariff").json()
    assert tariff["kind"] == "dynamic" and "prices known until" in tariff["describe"]
