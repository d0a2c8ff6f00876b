"""Messages from NATS are untrusted: each decoder names what was wrong, and nothing odd gets through."""

from __future__ import annotations

import orjson
import pytest

from homebound.cluster.wire import (
    MAX_MESSAGE_BYTES,
    WireError,
    command_from_json,
    decode_batch,
    decode_event,
    decode_object,
)

BATCH = {"thing": "car1", "values": {"Vehicle.Speed": 12.5}, "ts": 1.5, "principal": "rest:ana", "sent": 2.0}


def test_a_batch_round_trips() -> None:
    batch = decode_batch(orjson.dumps(BATCH))
    assert (batch.thing, batch.values, batch.ts, batch.principal) == ("car1", {"Vehicle.Speed": 12.5}, 1.5, "rest:ana")


@pytest.mark.parametrize(("data", "complaint"), [
    (b"\xff\xfe not json", "not JSON"),
    (b"[1, 2]", "a JSON object was expected"),
    (orjson.dumps({**BATCH, "thing": ""}), "'thing' must be a non-empty string"),
    (orjson.dumps({**BATCH, "thing": "x" * 300}), "'thing' must be a non-empty string of at most 256"),
    (orjson.dumps({**BATCH, "values": [1]}), "'values' must be an object"),
    (orjson.dumps({**BATCH, "values": {f"p{n}": n for n in range(10_001)}}), "at most 10000"),
    (orjson.dumps({**BATCH, "ts": "yesterday"}), "'ts' must be a finite number"),
    (orjson.dumps({**BATCH, "ts": True}), "'ts' must be a finite number"),
    (b'{"thing": "car1", "values": {}, "ts": NaN, "principal": "x", "sent": 1}', "not JSON"),
    (b" " * (MAX_MESSAGE_BYTES + 1), "more than"),
])
def test_a_bad_batch_is_refused_with_what_is_wrong(data: bytes, complaint: str) -> None:
    with pytest.raises(WireError, match=complaint):
        decode_batch(data)


def test_deep_nesting_is_refused_not_crashed_on() -> None:
    with pytest.raises(WireError, match="not JSON"):
        decode_object(b"[" * 100_000 + b"]" * 100_000, "input batch")


def test_a_command_must_carry_a_known_state() -> None:
    body = {"id": "c1", "thing": "car1", "path": "Vehicle.Body.Horn.IsActive", "target": True, "principal": "p",
            "created_at": 1.0, "deadline": 2.0, "updated_at": 1.0, "state": "exploded", "reason": None}
    with pytest.raises(WireError, match="state 'exploded' is not one of pending, confirmed"):
        command_from_json(body)
    assert command_from_json({**body, "state": "confirmed"}).state.value == "confirmed"


def test_an_event_of_unknown_field_is_refused() -> None:
    event = {"thing": "car1", "epoch": 1, "number": 1, "field": "mood", "ts": 1.0, "principal": "p", "changes": {}}
    with pytest.raises(WireError, match="'field' must be value, target or command"):
        decode_event(orjson.dumps(event))
