"""The device bridge under any stream of discovery messages and state payloads: it never lets an exception
escape to the bus, and what it lists stays consistent with the hub (every device it names is a thing of the hub,
so `/api/v1/devices` can describe each one), whatever was refused on the way."""

from __future__ import annotations

import asyncio
import logging

from hypothesis import example, given, settings
from hypothesis import strategies as st

from homebound.adapters.mqtt.bridge import HomeAssistantDevices
from homebound.hub import Hub, ThingKind
from homebound.messaging import LocalBus
from tests.properties.test_mqtt_discovery import PREFIX, discovery_messages, payloads

STATE_TOPICS = ["dev/state", "dev/set", "~/state", "dev/+/x"]
messages = st.lists(st.one_of(discovery_messages(), st.tuples(st.sampled_from(STATE_TOPICS), payloads.map(str.encode))),
                    min_size=1, max_size=8)


class Escaped(logging.Handler):
    """Records what the bus had to catch: a handler's exception that nothing in the bridge foresaw."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def feed(stream: list[tuple[str, bytes]]) -> tuple[Hub, HomeAssistantDevices, list[logging.LogRecord]]:
    async def run() -> tuple[Hub, HomeAssistantDevices]:
        hub = Hub()
        bus = LocalBus()
        bridge = HomeAssistantDevices(hub, bus, PREFIX)
        bridge.start()
        for topic, payload in stream:
            bus.publish(topic, payload, retain=topic.endswith("/config"))
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        return hub, bridge

    escaped = Escaped()
    logger = logging.getLogger("homebound.messaging.local_bus")
    logger.addHandler(escaped)
    try:
        hub, bridge = asyncio.run(run())
    finally:
        logger.removeHandler(escaped)
    return hub, bridge, escaped.records


HUGE_MINIMUM = b'{"cmd_t": "dev/set", "min": ' + b"9" * 400 + b', "dev": {"ids": ["d"]}}'


@settings(max_examples=50)  # each example runs a bus, a hub and a bridge on an event loop of its own
@given(stream=messages)
# A number whose `min` no float can hold once left device "d" listed by the bridge but unknown to the hub, and
# `/api/v1/devices` answered 404 for every device from then on.
@example(stream=[(f"{PREFIX}/number/x/config", HUGE_MINIMUM),
                 (f"{PREFIX}/switch/y/config", b'{"cmd_t": "dev/set", "dev": {"ids": ["e"]}}')])
def test_the_bridge_never_lets_an_exception_escape_and_lists_only_hub_things(stream: list[tuple[str, bytes]]) -> None:
    hub, bridge, escaped = feed(stream)
    assert [record.getMessage() for record in escaped] == []
    for device_id in bridge.device_ids():
        info = hub.describe(device_id)  # what the REST door does for each listed device
        assert info.kind is ThingKind.DEVICE
        assert bridge.device(device_id) is not None
    assert set(hub.thing_ids(ThingKind.DEVICE)) == set(bridge.device_ids())
