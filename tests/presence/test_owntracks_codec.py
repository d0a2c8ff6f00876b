"""OwnTracks' messages read as the booklet documents them, and hostile ones refused with the reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebound.presence import espresense, owntracks
from tests.presence.fixtures import LAST_WILL, location, sighting, transition, waypoint


def test_a_documented_location_is_read_with_accuracy_battery_and_velocity() -> None:
    message = owntracks.parse(location(48.1, 11.5, acc=75, batt=64, vel=54))
    assert message == owntracks.Location(48.1, 11.5, 1_760_000_000, 75.0, 64, 54.0, "ae", "u")


def test_transitions_waypoints_and_last_will() -> None:
    assert owntracks.parse(transition("enter", "Home")) == owntracks.Transition(
        "enter", "Home", 1_760_000_000, 48.1372, 11.5756, 130.0)
    assert owntracks.parse(waypoint("car: Dentist", 48.2, 11.6)).desc == "car: Dentist"
    assert owntracks.parse(LAST_WILL) == owntracks.LastWill(1380738247)
    assert owntracks.parse(b'{"_type": "steps", "steps": 1234}') == owntracks.Ignored("steps")


def test_numbers_as_strings_from_old_apps_are_still_read() -> None:
    old = {"_type": "location", "lat": "48.1", "lon": "11.5", "tst": "1400000000", "batt": "50"}
    assert owntracks.parse(json.dumps(old).encode()).batt == 50  # type: ignore[union-attr]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"[1, 2]", "JSON object"), (b'{"lat": 1}', "'_type'"), (b"{not json", "not JSON"),
    (b'{"_type": "location", "lat": 91, "lon": 0, "tst": 1}', "outside -90..90"),
    (b'{"_type": "location", "lat": NaN, "lon": 0, "tst": 1}', "finite"),
    (b'{"_type": "location", "lat": [1], "lon": 0, "tst": 1}', "must be a number"),
    (b'{"_type": "location", "lon": 0, "tst": 1}', "'lat' is missing"),
    (b'{"_type": "transition", "event": "teleport", "tst": 1}', "enter or leave"),
    (b"[" * 50_000, "nested too deeply"), (b" " * 70_000, "larger than"),
])
def test_bad_messages_are_refused_naming_what_is_wrong(payload: bytes, reason: str) -> None:
    with pytest.raises(owntracks.OwnTracksError, match=reason):
        owntracks.parse(payload)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["_type", "lat", "lon", "tst", "acc", "batt", "vel", "event", "desc",
                                         "waypoints", "tid"]), inner, max_size=8), max_leaves=15))
def test_any_json_is_a_message_or_a_named_refusal(document: object) -> None:
    try:
        owntracks.read(document)
    except owntracks.OwnTracksError as error:
        assert str(error)


def test_espresense_sightings_and_their_refusals() -> None:
    seen = espresense.parse("espresense/devices/irk:ana-phone/garage", sighting(1.2))
    assert (seen.tag, seen.station, seen.distance_m) == ("irk:ana-phone", "garage", 1.2)
    for topic, payload, reason in (("espresense/rooms/garage/x", sighting(1), "devices/<tag>/<station>"),
                                   ("espresense/devices/t/s", b'{"distance": "near"}', "'distance'"),
                                   ("espresense/devices/t/s", b'{"distance": 1e300}', "'distance'"),
                                   ("espresense/devices/t/s", b"\xff", "not JSON")):
        with pytest.raises(espresense.EspresenseError, match=reason):
            espresense.parse(topic, payload)


def test_what_homebound_writes_is_the_apps_shapes() -> None:
    assert owntracks.location_message(48.1, 11.5, 1_700_000_000.7, "Car", 5.2) == {
        "_type": "location", "lat": 48.1, "lon": 11.5, "tst": 1_700_000_000, "tid": "Ca", "acc": 5}
    assert owntracks.notification_message("Arriving in 12 minutes") == {
        "_type": "cmd", "action": "action", "content": "Arriving in 12 minutes", "notify": "Arriving in 12 minutes"}
    assert owntracks.tid_for("Ana Lima") == "AL" and owntracks.tid_for("car1") == "CA"
