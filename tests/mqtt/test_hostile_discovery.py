"""Hostile discovery configs and state payloads (nested, huge, NaN, wrong types): every one either becomes a
device or is refused with a DiscoveryError or PayloadError naming why; nothing else escapes."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from homebound.adapters.mqtt.discovery import DiscoveryError, parse_discovery
from homebound.adapters.mqtt.kinds import SUPPORTED, PayloadError, entity_for
from homebound.model.errors import HomeboundError
from tests.mqtt.ha_examples import EXAMPLES

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                           inner, max_size=4),
                      max_leaves=12)
KEYS = sorted({key for example in EXAMPLES for key in example.config} | {"p", "stat_t", "cmd_t", "~", "avty", "dev"})


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(SUPPORTED), config=st.dictionaries(st.sampled_from(KEYS), values, max_size=10))
def test_any_config_becomes_an_entity_or_a_named_refusal(kind: str, config: dict[str, object]) -> None:
    topic = f"homeassistant/{kind}/fuzz/config"
    try:
        update = parse_discovery(topic, json.dumps(config).encode())
    except DiscoveryError as error:
        assert error.topic == topic and error.reason
        return
    for component in update.components:
        entity = entity_for(component)
        for route in entity.routes:
            for payload in (b"", b"\xff\xfe", b"NaN", b'{"state": NaN}', b"[" * 5000, b'{"a": {"b": []}}'):
                with contextlib.suppress(HomeboundError, ValueError):  # the bridge counts these as bad payloads
                    route.decode(payload)


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_anything_but_a_discovery_error(payload: bytes) -> None:
    with contextlib.suppress(DiscoveryError):
        parse_discovery("homeassistant/device/fuzz/config", payload)


def test_deeply_nested_and_huge_configs_are_refused_with_the_reason() -> None:
    for payload, reason in ((b"[" * 60_000, "nested too deeply"), (b" " * 70_000 + b"{}", "larger than")):
        try:
            parse_discovery("homeassistant/switch/x/config", payload)
        except DiscoveryError as error:
            assert reason in error.reason
        else:
            raise AssertionError("accepted")


def test_a_nan_in_a_state_payload_is_a_payload_error() -> None:
    update = parse_discovery("homeassistant/sensor/x/config", b'{"stat_t": "s", "unit_of_meas": "W"}')
    [route] = entity_for(update.components[0]).routes
    try:
        route.decode(b"NaN")
    except PayloadError as error:
        assert "finite" in str(error)
    else:
        raise AssertionError("NaN accepted")
