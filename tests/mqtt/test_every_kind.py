"""Every kind of device Home Assistant's MQTT discovery defines joins the hub through a real Mosquitto, from
Home Assistant's own documented examples: the hub lists the device with its datapoints, holds what the device
reports, and carries out a command of each commandable kind, confirmed by the device's state."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homebound.hub import CommandState
from tests.mqtt.conftest import Observer, Topics, mqtt_config
from tests.mqtt.ha_examples import EXAMPLES, PNG_1X1, Example
from tests.mqtt.test_devices import wait
from tests.support.live import LiveServer, live_server


@pytest.fixture(scope="module")
def module_topics(tmp_path_factory: pytest.TempPathFactory) -> Topics:
    tag = uuid.uuid4().hex[:8]
    return Topics(f"hbtest-ha-{tag}", f"hbtest-car-{tag}", f"hbtest-dev-{tag}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, module_topics: Topics) -> Iterator[LiveServer]:
    from tests.conftest import service_missing
    from tests.mqtt.conftest import broker_reachable

    if not broker_reachable():
        service_missing("Mosquitto is not reachable at 127.0.0.1:1883: start it or set HOMEBOUND_TEST_MQTT_URL")
    path: Path = tmp_path_factory.mktemp("kinds")
    with live_server(mqtt_config(path, module_topics)) as live:
        yield live


def under(root: str, config: dict[str, object]) -> dict[str, object]:
    """The documented config with every topic moved under this run's prefix."""
    out: dict[str, object] = {}
    for key, value in config.items():
        if isinstance(value, str) and (key.endswith("_topic") or key == "topic"):
            out[key] = f"{root}/{value}"
        elif key == "availability" and isinstance(value, list):
            out[key] = [{**item, "topic": f"{root}/{item['topic']}"} for item in value]
        else:
            out[key] = value
    return out


def discover(observer: Observer, topics: Topics, example: Example) -> str:
    """Publish the example's discovery message; returns the device id the hub will give it."""
    root = f"{topics.sim_root}/{example.kind}"
    config = under(root, example.config)
    if example.kind != "tag":  # the tag scanner's documented example names no device: keep it so
        config.setdefault("device", {"identifiers": [f"ex-{example.kind}"], "name": f"Example {example.kind}"})
    topic = f"{topics.prefix}/{example.kind}/ex/{example.object_id}/config"
    observer.publish(topic, json.dumps(config), retain=True)
    device = config.get("device")
    if isinstance(device, dict):
        return str(device["identifiers"][0])
    return f"{example.kind}_ex_{example.object_id}"


def value(server: LiveServer, device: str, path: str) -> object:
    reading = server.run(server.runtime.hub.read, device, path)
    return None if reading is None else reading.value


def matches(actual: object, expected: object) -> bool:
    if isinstance(expected, str) and expected == "sha256:":
        return isinstance(actual, str) and actual.startswith("sha256:")
    return actual == expected


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.kind for e in EXAMPLES])
def test_documented_example_joins_reports_and_obeys(server: LiveServer, observer: Observer, module_topics: Topics,
                                                    example: Example) -> None:
    topics = module_topics
    root = f"{topics.sim_root}/{example.kind}"
    observer.subscribe(f"{root}/#")
    try:
        device = discover(observer, topics, example)
        wait(lambda: server.run(server.runtime.hub.exists, device))
        listed = {d["id"]: d for d in httpx.get(f"{server.base_url}/api/v1/devices").json()}
        assert device in listed
        shown = httpx.get(f"{server.base_url}/api/v1/devices/{device}").json()
        for path in [*example.expect, *([example.command[0]] if example.command else [])]:
            assert path in shown["datapoints"], f"{path} not among {sorted(shown['datapoints'])}"
        time.sleep(0.3)  # the bridge's subscriptions to the new state topics reach the broker
        for topic, payload in example.states:
            observer.publish(f"{root}/{topic}", payload)
        for path, expected in example.expect.items():
            wait(lambda path=path, expected=expected: matches(value(server, device, path), expected))  # type: ignore[misc]
        if example.command is None:
            return
        path, target = example.command
        command = server.call(server.runtime.hub.command("rest:test", device, path, target))
        assert example.sent is not None
        sent_topic = f"{root}/{example.sent[0]}"
        wait(lambda: example.sent[1].encode() in observer.seen(sent_topic))  # type: ignore[index]
        for topic, payload in example.reply:
            observer.publish(f"{root}/{topic}", payload)
        wait(lambda: command.state is CommandState.CONFIRMED)
    finally:
        observer.publish(f"{topics.prefix}/{example.kind}/ex/{example.object_id}/config", b"", retain=True)


def test_a_camera_picture_is_served_by_reference_and_kept_out_of_history(server: LiveServer, observer: Observer,
                                                                          module_topics: Topics) -> None:
    example = next(e for e in EXAMPLES if e.kind == "camera")
    root = f"{module_topics.sim_root}/{example.kind}"
    device = discover(observer, module_topics, example)
    try:
        wait(lambda: server.run(server.runtime.hub.exists, device))
        time.sleep(0.3)
        observer.publish(f"{root}/{example.states[0][0]}", PNG_1X1)
        wait(lambda: isinstance(value(server, device, "Camera.Example.Image"), str))
        reference = value(server, device, "Camera.Example.Image")
        picture = httpx.get(f"{server.base_url}/api/v1/devices/{device}/images/Camera.Example.Image")
        assert picture.status_code == 200 and picture.content == PNG_1X1
        assert picture.headers["etag"] == f'"{reference}"'
        server.call(server.runtime.recorder.flush())
        history = server.runtime.store.history(device, "Camera.Example.Image", limit=10)
        assert {v for _, v, _ in history} == {reference}  # the reference, never the picture
    finally:
        observer.publish(f"{module_topics.prefix}/camera/ex/{example.object_id}/config", b"", retain=True)
