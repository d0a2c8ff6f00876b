"""MQTT into the hub: state messages per second, and device-to-device latency through a command.

Throughput: a publisher process sends N state messages (QoS 0, 30-byte JSON) for a discovered sensor; measured
is how fast the hub takes them in (decode, template, validation, ingest). Baseline: a bare paho subscriber in
the same run, counting the same stream: the transport's limit.

Latency: device A's state message -> hub -> a subscription that commands device B -> B's command topic, timed
from A's publish to B's command arriving at a plain client; baseline: an MQTT round trip through the broker.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from benchmarks.common import Figure, figure, percentile
from homebound.adapters.mqtt.connection import _no_delay
from homebound.app.config import Config, KuksaConfig, MqttConfig, StorageConfig
from homebound.app.runtime import Runtime
from homebound.hub.events import Field

# By default the benchmark runs its own Mosquitto with `set_tcp_nodelay true` (Mosquitto's default is false,
# which adds a delayed-ACK wait of about 40 ms to a message forwarded right after another: docs/mqtt.md).
BROKER = os.environ.get("HOMEBOUND_BENCH_MQTT", "")
HOST, PORT = "127.0.0.1", "1883"
MESSAGES = 30_000
SAMPLES = 300

PUBLISHER = """
import sys, json, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
host, port, topic, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
client = mqtt.Client(CallbackAPIVersion.VERSION2)
client.max_queued_messages_set(0)
client.connect(host, port)
client.loop_start()
for number in range(count):
    client.publish(topic, json.dumps({"power": float(number)}), qos=0)
client.publish(topic, json.dumps({"power": -1.0}), qos=1).wait_for_publish(30)
client.loop_stop()
"""


def _publish(topic: str, count: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, HOST, PORT, topic, str(count)])


def _bare_rate(topic: str) -> float:
    done = threading.Event()
    received = [0, 0.0, 0.0]

    def on_message(_c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        if received[0] == 0:
            received[1] = time.perf_counter()
        received[0] += 1
        if b"-1.0" in message.payload:
            received[2] = time.perf_counter()
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.connect(HOST, int(PORT))
    client.subscribe(topic, qos=1)
    client.loop_start()
    time.sleep(0.3)
    publisher = _publish(topic, MESSAGES)
    done.wait(120)
    publisher.wait(60)
    client.loop_stop()
    client.disconnect()
    return received[0] / (received[2] - received[1])


async def _hub_rate(runtime: Runtime, topic: str) -> float:
    finished = asyncio.Event()
    stamps: list[float] = []

    def on_batch(batch: object) -> None:
        changes = batch.changes  # type: ignore[attr-defined]
        if not stamps:
            stamps.append(time.perf_counter())
        stamps.append(time.perf_counter())
        if changes and changes[-1][1] == -1.0:
            finished.set()

    runtime.hub.add_listener(on_batch)
    publisher = await asyncio.to_thread(_publish, topic, MESSAGES)
    await asyncio.wait_for(finished.wait(), 120)
    await asyncio.to_thread(publisher.wait, 60)
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def _discover(prefix: str, root: str) -> list[tuple[str, str]]:
    device = {"ids": ["bench-meter"], "name": "Meter"}
    return [
        (f"{prefix}/sensor/bench/power/config", json.dumps({"stat_t": f"{root}/power", "unit_of_meas": "W",
                                                            "val_tpl": "{{ value_json.power }}", "dev": device})),
        (f"{prefix}/sensor/bench/motion/config", json.dumps({"stat_t": f"{root}/motion", "dev": {"ids": ["pir"]},
                                                             "unit_of_meas": "x"})),
        (f"{prefix}/switch/bench/lamp/config", json.dumps({"cmd_t": f"{root}/lamp/set", "opt": True,
                                                           "dev": {"ids": ["lamp"]}})),
    ]


async def _latency(runtime: Runtime, root: str) -> list[float]:
    hub = runtime.hub
    subscription = hub.subscribe("pir", ["Sensor.Motion.Value"])
    arrived: asyncio.Queue[float] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    listener = mqtt.Client(CallbackAPIVersion.VERSION2)
    listener.on_message = lambda _c, _u, _m: loop.call_soon_threadsafe(arrived.put_nowait, time.perf_counter())
    listener.on_connect = lambda c, _u, _f, _r, _p: _no_delay(c)
    listener.connect(HOST, int(PORT))
    listener.subscribe(f"{root}/lamp/set", qos=1)
    listener.loop_start()
    sender = mqtt.Client(CallbackAPIVersion.VERSION2)
    sender.on_connect = lambda c, _u, _f, _r, _p: _no_delay(c)
    sender.connect(HOST, int(PORT))
    sender.loop_start()
    await asyncio.sleep(0.5)

    async def automation() -> None:
        state = False
        async for _batch in subscription:
            state = not state
            await hub.command("automation:bench", "lamp", "Switch.Lamp.State", state)

    task = asyncio.create_task(automation())
    samples = []
    for number in range(SAMPLES):
        start = time.perf_counter()
        sender.publish(f"{root}/motion", str(number), qos=1)
        samples.append(await asyncio.wait_for(arrived.get(), 10) - start)
    task.cancel()
    for client in (listener, sender):
        client.loop_stop()
        client.disconnect()
    return samples


def _round_trip(root: str) -> list[float]:
    got = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, _m: got.set()
    client.on_connect = lambda c, _u, _f, _r, _p: _no_delay(c)
    client.connect(HOST, int(PORT))
    client.subscribe(f"{root}/echo", qos=1)
    client.loop_start()
    time.sleep(0.3)
    samples = []
    for _ in range(SAMPLES):
        got.clear()
        start = time.perf_counter()
        client.publish(f"{root}/echo", "x", qos=1)
        got.wait(10)
        samples.append(time.perf_counter() - start)
    client.loop_stop()
    client.disconnect()
    return samples


async def _hub_figures(prefix: str, root: str, folder: str) -> tuple[float, list[float]]:
    config = Config(storage=StorageConfig(url=f"sqlite:///{folder}/bench.db"), kuksa=KuksaConfig(enabled=False),
                    mqtt=MqttConfig(url=f"mqtt://{BROKER}", discovery_prefix=prefix, publish_vehicles=False))
    runtime = Runtime(config)
    await runtime.start()
    try:
        setup = mqtt.Client(CallbackAPIVersion.VERSION2)
        setup.connect(HOST, int(PORT))
        setup.loop_start()
        for topic, payload in _discover(prefix, root):
            setup.publish(topic, payload, qos=1).wait_for_publish(5)
        for _ in range(100):
            if runtime.devices and {"bench-meter", "pir", "lamp"} <= set(runtime.devices.devices):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        rate = await _hub_rate(runtime, f"{root}/power")
        latencies = await _latency(runtime, root)
        for topic, _ in _discover(prefix, root):
            setup.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
        setup.loop_stop()
        return rate, latencies
    finally:
        await runtime.stop()


def _own_broker(folder: str) -> tuple[subprocess.Popen[bytes] | None, str]:
    global HOST, PORT, BROKER
    if BROKER:
        HOST, PORT = BROKER.split(":")
        return None, BROKER
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = f"{folder}/mosquitto.conf"
    with open(conf, "w") as out:
        out.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n")
    process = subprocess.Popen([binary, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    HOST, PORT = "127.0.0.1", str(port)
    BROKER = f"{HOST}:{PORT}"
    return process, "own Mosquitto with set_tcp_nodelay true"


def mqtt_figures() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        broker, where = _own_broker(folder)
        try:
            return _figures(where)
        finally:
            if broker is not None:
                broker.terminate()
                broker.wait(10)


def _figures(where: str) -> list[Figure]:
    tag = uuid.uuid4().hex[:6]
    prefix, root = f"bench-ha-{tag}", f"bench-{tag}"
    baseline = _bare_rate(f"{root}/bare")
    with tempfile.TemporaryDirectory() as folder:
        rate, latencies = asyncio.run(_hub_figures(prefix, root, folder))
    round_trip = _round_trip(root)
    figures = [figure("MQTT state messages into the hub", rate, "messages/s", baseline,
                      note=f"baseline: a bare paho subscriber on the same stream; broker: {where}")]
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures.append(figure(f"device state -> hub -> command to another device, latency {label}",
                              percentile(latencies, fraction) * 1e3, "ms", percentile(round_trip, fraction) * 1e3,
                              note=f"baseline: one MQTT QoS 1 round trip through the broker; broker: {where}"))
    return figures


__all__ = ["Field", "mqtt_figures"]
