"""The cluster's messages on NATS, as JSON (orjson), and their checked decoding.

Anything read from NATS is untrusted: any process that can publish on the cluster's subjects can send anything.
Every decoder checks the size, the shape and the types, and raises `WireError` naming what was wrong (the caller
logs it, truncated, counts it and goes on); nothing here trusts a field it did not check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import orjson

from homebound.hub.commands import Command, CommandState
from homebound.hub.events import Field
from homebound.model.errors import ErrorCode, HomeboundError

MAX_MESSAGE_BYTES = 1024 * 1024
"""NATS's default largest payload; a batch larger than this is refused at the door."""

MAX_VALUES = 10_000


class WireError(HomeboundError):
    """A message that is not what its subject promises."""


def decode_object(data: bytes, what: str) -> dict[str, object]:
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"{what}: {len(data)} bytes, more than {MAX_MESSAGE_BYTES}")
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise WireError(f"{what}: not JSON ({error})") from None
    if not isinstance(body, dict):
        raise WireError(f"{what}: a JSON object was expected, not {type(body).__name__}")
    return body


def _text(body: dict[str, object], key: str, what: str, limit: int = 256) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise WireError(f"{what}: {key!r} must be a non-empty string of at most {limit} characters")
    return value


def _number(body: dict[str, object], key: str, what: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WireError(f"{what}: {key!r} must be a finite number")
    return float(value)


def _values(body: dict[str, object], key: str, what: str) -> dict[str, object]:
    values = body.get(key)
    if not isinstance(values, dict) or len(values) > MAX_VALUES:
        raise WireError(f"{what}: {key!r} must be an object of at most {MAX_VALUES} path: value pairs")
    return values


# ---- the input log: a car's batch, written by a door ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InputBatch:
    """A car's validated batch as the door stored it in the input log."""

    thing: str
    values: dict[str, object]
    ts: float
    principal: str
    sent: float
    """When the door published it (its clock): door-to-stored latency is measured from here."""


def encode_batch(batch: InputBatch) -> bytes:
    return orjson.dumps({"thing": batch.thing, "values": batch.values, "ts": batch.ts, "principal": batch.principal,
                         "sent": batch.sent})


def decode_batch(data: bytes) -> InputBatch:
    what = "input batch"
    body = decode_object(data, what)
    return InputBatch(_text(body, "thing", what), _values(body, "values", what), _number(body, "ts", what),
                      _text(body, "principal", what), _number(body, "sent", what))


# ---- commands ---------------------------------------------------------------------------------------------

def command_to_json(command: Command) -> dict[str, object]:
    return command.to_json()


def command_from_json(body: object, what: str = "command") -> Command:
    if not isinstance(body, dict):
        raise WireError(f"{what}: a JSON object was expected")
    state = body.get("state")
    if state not in {s.value for s in CommandState}:
        raise WireError(f"{what}: state {str(state)[:40]!r} is not one of {', '.join(s.value for s in CommandState)}")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise WireError(f"{what}: 'reason' must be a string or null")
    target = body.get("target")
    return Command(
        id=_text(body, "id", what, 64), thing=_text(body, "thing", what), path=_text(body, "path", what),
        target=target,  # type: ignore[arg-type]  # checked by the receiving hub's validators where it matters
        principal=_text(body, "principal", what), created_at=_number(body, "created_at", what),
        deadline=_number(body, "deadline", what), state=CommandState(str(state)),
        updated_at=_number(body, "updated_at", what), reason=None if reason is None else reason[:2000])


# ---- a keeper's change events (replicas follow them) ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change of a kept car, as its keeper publishes it after commit.

    `epoch` is the keeper's hold on the partition and `number` counts this car's events within it, so a follower
    sees a gap (a lost message) or a new keeper, and then takes a fresh snapshot. `applied` is how far the partition's
    input log was applied when the change was committed (a door waits for it to read its own writes).
    """

    thing: str
    epoch: int
    number: int
    applied: int
    field: Field
    ts: float
    principal: str
    changes: dict[str, object]
    command: Command | None = None


def encode_event(event: ChangeEvent) -> bytes:
    body: dict[str, object] = {"thing": event.thing, "epoch": event.epoch, "number": event.number,
                               "applied": event.applied, "field": event.field.value, "ts": event.ts,
                               "principal": event.principal}
    if event.command is not None:
        body["command"] = event.command.to_json()
    else:
        body["changes"] = event.changes
    return orjson.dumps(body)


def decode_event(data: bytes) -> ChangeEvent:
    what = "change event"
    body = decode_object(data, what)
    try:
        field = Field(str(body.get("field")))
    except ValueError:
        raise WireError(f"{what}: 'field' must be value, target or command") from None
    command = command_from_json(body.get("command"), what) if field is Field.COMMAND else None
    changes = {} if command is not None else _values(body, "changes", what)
    return ChangeEvent(_text(body, "thing", what), int(_number(body, "epoch", what)),
                       int(_number(body, "number", what)), int(_number(body, "applied", what)), field,
                       _number(body, "ts", what),
                       _text(body, "principal", what), changes, command)


# ---- request / reply --------------------------------------------------------------------------------------

def reply_error(error: HomeboundError) -> bytes:
    return orjson.dumps({"error": {"code": error.code.value, "message": str(error)}})


def reply_error_text(code: ErrorCode, message: str) -> bytes:
    return orjson.dumps({"error": {"code": code.value, "message": message}})


@dataclass(frozen=True, slots=True)
class Refusal:
    code: ErrorCode
    message: str


def reply_refusal(body: dict[str, object]) -> Refusal | None:
    """The refusal a reply carries, or None if it carries none."""
    error = body.get("error")
    if error is None:
        return None
    if not isinstance(error, dict):
        return Refusal(ErrorCode.UNAVAILABLE, "malformed refusal")
    try:
        code = ErrorCode(str(error.get("code")))
    except ValueError:
        code = ErrorCode.BAD_REQUEST
    return Refusal(code, str(error.get("message", ""))[:2000])
