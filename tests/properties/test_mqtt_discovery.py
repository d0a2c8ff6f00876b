"""Whatever a device on the network publishes, discovery and the entity codecs answer with their documented
errors only: `DiscoveryError` for a config, `PayloadError` or `TemplateFailed` for a state payload or a command,
never another exception (which the bridge would have to count as "a payload no rule foresaw")."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from homebound.adapters.mqtt.abbreviations import ABBREVIATIONS
from homebound.adapters.mqtt.discovery import SUPPORTED, DiscoveredComponent, DiscoveryError, parse_discovery
from homebound.adapters.mqtt.kinds import KINDS, Entity, PayloadError, entity_for
from homebound.model.errors import InvalidValue
from homebound.model.templates import TemplateFailed, render_value
from homebound.model.validation import compile_validator
from tests.properties.strategies import finite_json, json_with_non_finite, numbers, text

PREFIX = "homeassistant"
# The options each component reads (see adapters/mqtt/entities.py), spelled out; required ones always come.
OPTIONS: dict[str, list[str]] = {
    "switch": ["state_topic", "value_template", "payload_on", "payload_off", "state_on", "state_off"],
    "binary_sensor": ["value_template", "payload_on", "payload_off", "command_topic"],
    "lock": ["state_topic", "value_template", "command_template", "payload_lock", "payload_unlock",
             "state_locked", "state_unlocked"],
    "light": ["schema", "state_topic", "state_value_template", "brightness_state_topic",
              "brightness_value_template", "brightness_command_topic", "brightness_command_template",
              "brightness_scale", "brightness"],
    "fan": ["state_topic", "state_value_template", "command_template", "percentage_state_topic",
            "percentage_value_template", "percentage_command_topic", "percentage_command_template",
            "preset_mode_state_topic", "preset_mode_value_template", "preset_mode_command_topic",
            "preset_mode_command_template", "preset_modes"],
    "climate": ["mode_state_topic", "mode_state_template", "mode_command_topic", "mode_command_template",
                "temperature_state_topic", "temperature_state_template", "temperature_command_topic",
                "temperature_command_template", "current_temperature_topic", "current_temperature_template",
                "modes", "min_temp", "max_temp", "temperature_unit"],
    "cover": ["state_topic", "value_template", "command_topic", "payload_open", "payload_close", "payload_stop",
              "state_open", "state_closed", "state_opening", "position_topic", "position_template",
              "set_position_topic", "set_position_template"],
    "sensor": ["value_template", "unit_of_measurement", "state_class"],
    "number": ["state_topic", "value_template", "command_template", "min", "max"],
    "select": ["state_topic", "value_template", "command_template"],
    "button": ["command_template", "payload_press"],
    "notify": ["command_template"],
    "event": ["value_template"],
    "device_tracker": ["value_template", "payload_home", "payload_not_home", "json_attributes_topic",
                       "json_attributes_template"],
}
SHARED_OPTIONS = ["name", "unique_id", "availability_topic", "availability", "availability_mode", "optimistic",
                  "retain", "~", "qos"]
NOISE_KEYS = sorted((set(ABBREVIATIONS) - {"p", "cmps"}) | {"some_future_key", "device", "origin"})
TEMPLATES = ["{{ value_json.power }}", "{{ value_json['a b'] }}", "{{ value }}", "{{ value_json.a.b }}",
             "{{ value | int }}", "{{ value_json.items }}", "{{ value_json.x | float * 2 }}", "{{ 1/0 }}",
             "{% if value == 'ON' %}on{% else %}off{% endif %}", "{{ value.__class__ }}", "{{ undefined_name }}",
             "{{", "{{ value_json[0] }}", "{{ value | tojson }}", "{{ value_json.state }}"]
topics = st.one_of(st.sampled_from(["dev/state", "dev/set", "~/state", "state~", "~", "dev/+/x", "dev/#"]), text)
PAYLOAD_WORDS = ["ON", "OFF", "on", "off", "LOCKED", "UNLOCKED", "open", "closed", "opening", "stopped", "home",
                 "not_home", "unknown", "unavailable", "None", "", "nan", "inf", "-1e400", "1e400", "NaN"]
CHOICES: dict[str, list[object]] = {
    "schema": ["json", "default", "template"], "temperature_unit": ["C", "F", "K"],
    "availability_mode": ["all", "any", "latest", "most"], "state_class": ["measurement", "total"],
    "unit_of_measurement": ["W", "°C", "%", ""]}
JSON_KEYS = ["power", "a", "x", "state", "brightness", "event_type", "latitude", "longitude", "gps_accuracy",
             "lock", "mode"]


def option(key: str) -> st.SearchStrategy[object]:
    """A value for one option: mostly of the kind Home Assistant expects for that key, sometimes anything."""
    if key.endswith("topic") or key == "~":
        typed: st.SearchStrategy[object] = topics
    elif key.endswith("template"):
        typed = st.one_of(st.sampled_from(TEMPLATES), text)
    elif key in ("modes", "options", "event_types", "preset_modes"):
        typed = st.lists(st.one_of(st.sampled_from(["auto", "off", "cool", "white rice", "press"]), text),
                         max_size=4)
    elif key == "availability":
        typed = st.lists(st.dictionaries(st.sampled_from(["t", "topic", "pl_avail", "val_tpl"]), topics, max_size=3),
                         max_size=3)
    elif key in ("min", "max", "min_temp", "max_temp", "brightness_scale", "qos"):
        typed = st.one_of(numbers, text)
    elif key in CHOICES:
        typed = st.sampled_from(CHOICES[key])
    elif key in ("optimistic", "retain", "brightness"):
        typed = st.booleans()
    elif key.startswith(("payload_", "state_")):
        typed = st.one_of(st.sampled_from(PAYLOAD_WORDS), text)
    else:
        typed = finite_json
    return st.one_of(typed, typed, typed, typed, typed, json_with_non_finite)  # one in six: anything at all


devices = st.fixed_dictionaries({"ids": st.one_of(st.lists(text, max_size=2), text)},
                                optional={"name": text, "mf": text, "mdl": text, "sw": finite_json})


@st.composite
def configs(draw: st.DrawFn, component: str) -> dict[str, object]:
    """The config of one component: its required options, some of the options it reads, some noise."""
    config: dict[str, object] = {}
    for alternatives in (KINDS[component].required if component in KINDS else ()):
        key = draw(st.sampled_from(alternatives))
        config[key] = draw(option(key) if key != "options" else st.lists(text, min_size=1, max_size=4))
    for key in draw(st.lists(st.sampled_from(OPTIONS.get(component, []) + SHARED_OPTIONS), max_size=8, unique=True)):
        config[key] = draw(option(key))
    for key in draw(st.lists(st.sampled_from(NOISE_KEYS), max_size=2, unique=True)):
        config[key] = draw(option(key))
    if draw(st.integers(0, 2)) == 0:
        config["~"] = draw(option("~"))  # the base topic, substituted into every `~` of the topics above
    if draw(st.booleans()):  # devices abbreviate: `stat_t` for `state_topic`...
        short = {full: abbreviation for abbreviation, full in ABBREVIATIONS.items()}
        config = {short.get(key, key): value for key, value in config.items()}
    return config


@st.composite
def discovery_messages(draw: st.DrawFn) -> tuple[str, bytes]:
    """A topic under the prefix and a JSON config: one component, or the device-based form with several."""
    component = draw(text if draw(st.integers(0, 5)) == 0 else st.sampled_from(SUPPORTED))
    if draw(st.booleans()):
        node = draw(st.one_of(st.none(), st.text(min_size=1, max_size=8)))
        object_id = draw(st.text(min_size=1, max_size=12))
        topic = "/".join([PREFIX, component, *([node] if node else []), object_id, "config"])
        config = draw(configs(component))
        if draw(st.booleans()):
            config["dev"] = draw(st.one_of(devices, finite_json))
        return topic, json.dumps(config).encode()
    shared = draw(st.dictionaries(st.sampled_from([*SHARED_OPTIONS, "state_topic", "stat_t", "o"]),
                                  st.one_of(topics, finite_json), max_size=3))
    parts = draw(st.dictionaries(st.text(max_size=8), st.sampled_from(SUPPORTED), min_size=1, max_size=3))
    shared["dev"] = draw(finite_json if draw(st.integers(0, 5)) == 0 else devices)
    shared["cmps"] = {name: {"p": platform, **draw(configs(platform))} for name, platform in parts.items()}
    return f"{PREFIX}/device/{draw(st.text(min_size=1, max_size=8))}/config", json.dumps(shared).encode()


payloads = st.one_of(
    st.sampled_from(PAYLOAD_WORDS), text, numbers.map(str),
    st.dictionaries(st.sampled_from(JSON_KEYS), json_with_non_finite, max_size=4).map(json.dumps),
    json_with_non_finite.map(json.dumps))


def components_of(topic: str, payload: bytes) -> tuple[DiscoveredComponent, ...]:
    try:
        return parse_discovery(topic, payload, PREFIX).components
    except DiscoveryError as error:
        assert error.topic == topic and error.reason
        return ()


@given(topic=st.one_of(text, st.just(f"{PREFIX}/switch/x/config")), payload=st.binary(max_size=200))
@example(topic=f"{PREFIX}/switch/x/config", payload=b"[" * 5000)  # deeper than Python's recursion limit
def test_any_bytes_on_any_topic_are_a_config_or_a_discovery_error(topic: str, payload: bytes) -> None:
    components_of(topic, payload)


@given(message=discovery_messages())
def test_any_config_is_parsed_into_entities_or_refused_with_a_discovery_error(message: tuple[str, bytes]) -> None:
    for component in components_of(*message):
        entity = entity_for(component)  # a parsed component always makes an entity
        assert all(point.path.startswith(entity.base + ".") for point in entity.points)


# Found by the property below, not fixed here (adapters/mqtt/kinds): pinned by a strict xfail test further down.
UNDECLARED = {("fan", "Percentage"), ("fan", "PresetMode"), ("light", "Brightness"), ("cover", "Command")}


@given(message=discovery_messages(), payloads=st.lists(payloads, max_size=6))
def test_any_state_payload_decodes_to_values_or_a_payload_error(message: tuple[str, bytes],
                                                               payloads: list[str]) -> None:
    for component in components_of(*message):
        entity = entity_for(component)
        declared = {point.path for point in entity.points}
        known_gaps = {entity.path(prop) for kind, prop in UNDECLARED if kind == component.component}
        for route in entity.routes:
            for payload in payloads:
                try:
                    values = route.decode(payload.encode())
                except (PayloadError, TemplateFailed) as error:
                    assert str(error)
                    continue
                assert isinstance(values, dict)
                assert set(values) <= declared | known_gaps


def entity(component: str, **config: object) -> Entity:
    update = parse_discovery(f"{PREFIX}/{component}/thing/config", json.dumps(config).encode(), PREFIX)
    return entity_for(update.components[0])


@pytest.mark.parametrize("text", ["nan", "inf", "-1e400"])
@pytest.mark.parametrize(("component", "config"), [
    ("light", {"cmd_t": "l/set", "bri_stat_t": "l/bri", "bri_cmd_t": "l/bri/set"}),
    ("fan", {"cmd_t": "f/set", "pct_stat_t": "f/pct", "pct_cmd_t": "f/pct/set"}),
    ("cover", {"pos_t": "c/pos"}),
])
def test_a_non_finite_whole_number_is_a_payload_error(component: str, config: dict[str, object], text: str) -> None:
    codec = entity(component, **config)
    with pytest.raises(PayloadError):
        for route in codec.routes:
            route.decode(text.encode())


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "adapters/mqtt/kinds (fan.py, light.py, cover.py) read these state topics although their datapoints() declare "
    "no datapoint for them, so every such message is refused by the hub as an unknown path, a bad value"))
@pytest.mark.parametrize(("component", "config", "payload"), [
    ("fan", {"cmd_t": "f/set", "pct_stat_t": "f/pct"}, "50"),                 # no percentage_command_topic
    ("fan", {"cmd_t": "f/set", "pr_mode_stat_t": "f/preset"}, "eco"),         # no preset_modes
    ("light", {"cmd_t": "l/set", "bri_stat_t": "l/bri"}, "120"),              # no brightness_command_topic
    ("cover", {"stat_t": "c/state"}, "open"),                                 # no command_topic
])
def test_every_decoded_value_is_a_datapoint_of_the_entity(component: str, config: dict[str, object],
                                                          payload: str) -> None:
    codec = entity(component, **config)
    declared = {point.path for point in codec.points}
    for route in codec.routes:
        try:
            values = route.decode(payload.encode())
        except PayloadError:
            continue
        assert set(values) <= declared


@pytest.mark.parametrize(("component", "config"), [
    ("event", {"stat_t": "e/state", "evt_typ": ["press"]}),
    ("device_tracker", {"json_attr_t": "t/attrs"}),
    ("light", {"schema": "json", "cmd_t": "l/set", "stat_t": "l/state"}),
])
def test_a_json_payload_nested_too_deep_is_a_payload_error(component: str, config: dict[str, object]) -> None:
    codec = entity(component, **config)
    for route in codec.routes:
        with pytest.raises(PayloadError, match="nested too deeply"):
            route.decode(b"[" * 5000)


def test_a_payload_nested_too_deep_for_a_value_template_is_a_template_error() -> None:
    with pytest.raises(TemplateFailed):
        render_value("{{ value_json.a }}", "[" * 5000)


@given(message=discovery_messages(), value=st.one_of(finite_json, text))
def test_any_valid_command_encodes_to_messages_or_a_payload_error(message: tuple[str, bytes], value: object) -> None:
    for component in components_of(*message):
        entity = entity_for(component)
        for point in entity.points:
            try:
                target = compile_validator(point)(value)  # the hub validates a command before the bridge sees it
            except InvalidValue:
                continue
            try:
                messages = entity.command(point.path, target)
            except (PayloadError, TemplateFailed):
                continue
            assert all(isinstance(topic, str) and isinstance(payload, str) for topic, payload in messages)
