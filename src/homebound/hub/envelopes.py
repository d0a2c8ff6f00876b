"""Replay-proof command envelopes: a dangerous command (unlock, open, remote start) signed by the member's own key.

A token says who is calling; an envelope proves that the member's device asked for *this* command, once, just
now. It names the vehicle, the path and the target, a counter that must rise with every envelope of that key, an
expiry (epoch seconds) a few minutes away at most, a random nonce and the key's id; the member's Ed25519 private
key signs its canonical JSON bytes. Whoever relays it cannot change the command (the signature would break),
cannot send it twice (the counter and the nonce are spent) and cannot keep it for later (it expires).

On the wire an envelope is its exact signed bytes and the signature, both base64url: `{"payload": ..., "signature":
...}`, or `PAYLOAD.SIGNATURE` where one string is handier (a header, the command line). The verifier checks the
signature over the bytes it received, so no two programs ever have to agree on how to re-serialise JSON.

`EnvelopeVerifier` needs the members' public keys and an `EnvelopeLedger`, which remembers the last counter
accepted per key (and the nonces) across restarts; the storage layer provides it, `MemoryEnvelopeLedger` is the
in-process one for tests and single runs. The client side (making keys, signing) is in `hub/envelope_signing.py`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from cryptography.exceptions import InvalidSignature as _BadSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from homebound.model.canonical import canonical_json
from homebound.model.errors import ErrorCode, HomeboundError, shown

ENVELOPE_VERSION = 1
MAX_PAYLOAD_BYTES = 4096
SIGNATURE_BYTES = 64
DEFAULT_SKEW_S = 30.0
DEFAULT_MAX_LIFETIME_S = 300.0
MAX_COUNTER = 2**53 - 1  # exact in every JSON implementation
MAX_VEHICLE_CHARS = 128
MAX_PATH_CHARS = 255
MAX_TARGET_ITEMS = 100
FIELDS = frozenset({"v", "vehicle", "path", "target", "counter", "expiry", "nonce", "key_id"})
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class InvalidEnvelope(HomeboundError):
    """An envelope that cannot even be read: not base64url, not JSON, a field missing, of the wrong type or size."""

    code = ErrorCode.BAD_REQUEST


class InvalidSignature(HomeboundError):
    """The envelope does not prove what it claims: an unknown key, a signature that does not match its bytes, or
    a command other than the one signed."""

    code = ErrorCode.INVALID_SIGNATURE


class EnvelopeExpired(HomeboundError):
    """The envelope's time is over (or it claims a lifetime longer than allowed)."""

    code = ErrorCode.ENVELOPE_EXPIRED


class ReplayedEnvelope(HomeboundError):
    """The envelope's counter or nonce was already spent: a replay, or envelopes sent out of order."""

    code = ErrorCode.REPLAYED


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: object, what: str, limit: int) -> bytes:
    if not isinstance(text, str) or len(text) > limit or not _B64URL.fullmatch(text):
        raise InvalidEnvelope(f"envelope {what} must be base64url text of at most {limit} characters, "
                              f"not {shown(text, 40)}")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise InvalidEnvelope(f"envelope {what} is not valid base64url") from None


@dataclass(frozen=True, slots=True)
class CommandEnvelope:
    """What a member signs: this vehicle, this path, this target, with counter, expiry, nonce and key id."""

    vehicle: str
    path: str
    target: object
    counter: int
    expiry: int
    nonce: str
    key_id: str

    def payload(self) -> bytes:
        return canonical_json({"v": ENVELOPE_VERSION, "vehicle": self.vehicle, "path": self.path,
                               "target": self.target, "counter": self.counter, "expiry": self.expiry,
                               "nonce": self.nonce, "key_id": self.key_id})

    @property
    def command_id(self) -> str:
        """The id to give `Hub.command`, the same for every copy of this envelope: a retry finds the first
        command (and its result) by it instead of being refused as a replay."""
        return "env-" + hashlib.sha256(f"{self.key_id}\n{self.nonce}".encode()).hexdigest()[:32]

    def describe(self) -> str:
        return f"{self.vehicle}: {self.path} = {shown(self.target)}"


@dataclass(frozen=True, slots=True)
class SignedEnvelope:
    """The signed bytes and their Ed25519 signature, as they travel."""

    payload: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {"payload": b64url(self.payload), "signature": b64url(self.signature)}

    def compact(self) -> str:
        return f"{b64url(self.payload)}.{b64url(self.signature)}"

    @classmethod
    def parse(cls, data: object) -> SignedEnvelope:
        """From `{"payload", "signature"}` or `PAYLOAD.SIGNATURE`; sizes are checked before anything is decoded."""
        limit = (MAX_PAYLOAD_BYTES * 4) // 3 + 4
        if isinstance(data, str):
            if len(data) > limit + 100 or data.count(".") != 1:
                raise InvalidEnvelope("a compact envelope is PAYLOAD.SIGNATURE (two base64url parts), "
                                      f"not {shown(data, 40)}")
            payload_text, signature_text = data.split(".")
        elif isinstance(data, Mapping):
            if set(data) != {"payload", "signature"}:
                raise InvalidEnvelope(f"an envelope is an object with exactly 'payload' and 'signature', not keys "
                                      f"{shown(sorted(map(str, data)), 80)}")
            payload_text, signature_text = data["payload"], data["signature"]
        else:
            raise InvalidEnvelope(f"an envelope is an object or PAYLOAD.SIGNATURE text, not {type(data).__name__}")
        payload = from_b64url(payload_text, "payload", limit)
        signature = from_b64url(signature_text, "signature", 100)
        if len(signature) != SIGNATURE_BYTES:
            raise InvalidSignature(f"an Ed25519 signature is {SIGNATURE_BYTES} bytes, this one {len(signature)}")
        return cls(payload, signature)


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise InvalidEnvelope(f"envelope payload repeats a key: {shown(sorted(keys), 80)}")
    return dict(pairs)


def _no_constants(name: str) -> object:
    raise InvalidEnvelope(f"envelope payload holds {name}, which is not JSON")


def _target(value: object) -> object:
    scalar = (str, bool, int, float)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidEnvelope("envelope target is not a finite number")
    if isinstance(value, scalar):
        return value
    if isinstance(value, list) and len(value) <= MAX_TARGET_ITEMS and all(
            isinstance(item, scalar) for item in value):
        return value
    raise InvalidEnvelope(f"envelope target must be a value or a list of at most {MAX_TARGET_ITEMS} values, "
                          f"not {shown(value)}")


def _integer(fields: Mapping[str, object], name: str, low: int, high: int) -> int:
    value = fields[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidEnvelope(f"envelope {name} must be an integer from {low} to {high}, not {shown(value)}")
    return value


def _text(fields: Mapping[str, object], name: str, pattern: re.Pattern[str] | None, limit: int) -> str:
    value = fields[name]
    if not isinstance(value, str) or not 0 < len(value) <= limit or (pattern and not pattern.fullmatch(value)):
        raise InvalidEnvelope(f"envelope {name} {shown(value, 60)} is not valid"
                              + (f" (expected {pattern.pattern})" if pattern else f" (1 to {limit} characters)"))
    return value


def read_payload(payload: bytes) -> CommandEnvelope:
    """The envelope in signed bytes, every field checked; the bytes are at most `MAX_PAYLOAD_BYTES`."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise InvalidEnvelope(f"envelope payload is {len(payload)} bytes; at most {MAX_PAYLOAD_BYTES}")
    try:
        fields = json.loads(payload.decode("utf-8"), object_pairs_hook=_reject_duplicates,
                            parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidEnvelope(f"envelope payload is not UTF-8 JSON: {shown(str(error), 120)}") from None
    if not isinstance(fields, dict) or set(fields) != FIELDS:
        got = sorted(fields) if isinstance(fields, dict) else type(fields).__name__
        raise InvalidEnvelope(f"envelope payload must hold exactly {sorted(FIELDS)}, not {shown(got, 120)}")
    if fields["v"] != ENVELOPE_VERSION or isinstance(fields["v"], bool):
        raise InvalidEnvelope(f"envelope version {shown(fields['v'])} is not {ENVELOPE_VERSION}")
    return CommandEnvelope(
        vehicle=_text(fields, "vehicle", None, MAX_VEHICLE_CHARS), path=_text(fields, "path", None, MAX_PATH_CHARS),
        target=_target(fields["target"]), counter=_integer(fields, "counter", 1, MAX_COUNTER),
        expiry=_integer(fields, "expiry", 1, MAX_COUNTER), nonce=_text(fields, "nonce", NONCE, 64),
        key_id=_text(fields, "key_id", KEY_ID, 64))


def same_value(signed: object, asked: object) -> bool:
    """Whether the command asks for exactly the signed target: numbers by value (80 is 80.0), never a bool for a
    number (True is not 1), lists item by item."""
    if isinstance(signed, bool) or isinstance(asked, bool):
        return isinstance(signed, bool) and isinstance(asked, bool) and signed == asked
    if isinstance(signed, int | float) and isinstance(asked, int | float):
        return signed == asked
    if isinstance(signed, list) and isinstance(asked, list | tuple):
        return len(signed) == len(asked) and all(same_value(a, b) for a, b in zip(signed, asked, strict=True))
    return type(signed) is type(asked) and signed == asked


class EnvelopeLedger(Protocol):
    """Remembers what each key has spent, so an envelope is accepted once, even across restarts."""

    async def last_counter(self, key_id: str) -> int | None:
        """The highest counter accepted for `key_id`, or None if none was."""

    async def accept(self, key_id: str, counter: int, nonce: str) -> bool:
        """Record, atomically, that `counter` and `nonce` are spent; False (and nothing recorded) if `counter` is
        not above the highest accepted for `key_id`, or `nonce` was already used."""


class MemoryEnvelopeLedger:
    """An `EnvelopeLedger` in this process's memory, forgotten at exit: for tests and single runs, not a hub.

    It keeps the last `nonces_kept` nonces; older ones are covered by the counter, which only rises.
    """

    def __init__(self, nonces_kept: int = 10_000) -> None:
        self._counters: dict[str, int] = {}
        self._nonces: set[str] = set()
        self._order: deque[str] = deque()
        self._kept = nonces_kept

    async def last_counter(self, key_id: str) -> int | None:
        return self._counters.get(key_id)

    async def accept(self, key_id: str, counter: int, nonce: str) -> bool:
        if counter <= self._counters.get(key_id, 0) or nonce in self._nonces:
            return False
        self._counters[key_id] = counter
        self._nonces.add(nonce)
        self._order.append(nonce)
        if len(self._order) > self._kept:
            self._nonces.discard(self._order.popleft())
        return True


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


class EnvelopeVerifier:
    """Accepts an envelope once, for the command it names, while it is valid; refuses anything else by name.

    `keys` maps key ids to the members' Ed25519 public keys (a live mapping: a revoked key disappears from it).
    The key's owner is the one vouching for the command: the caller checks that owner's rights, not the relay's.
    """

    def __init__(self, keys: Mapping[str, Ed25519PublicKey], ledger: EnvelopeLedger, *,
                 skew_s: float = DEFAULT_SKEW_S, max_lifetime_s: float = DEFAULT_MAX_LIFETIME_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.keys = keys
        self.ledger = ledger
        self.skew_s = skew_s
        self.max_lifetime_s = max_lifetime_s
        self.clock = clock

    def authentic(self, signed: SignedEnvelope) -> CommandEnvelope:
        """The envelope, if a known key signed these very bytes (nothing about time or counters yet)."""
        envelope = read_payload(signed.payload)
        key = self.keys.get(envelope.key_id)
        if key is None:
            raise InvalidSignature(f"envelope signed by unknown key {envelope.key_id!r}: register the member's "
                                   "public key first (or it was revoked)")
        try:
            key.verify(signed.signature, signed.payload)
        except _BadSignature:
            raise InvalidSignature(f"envelope signature does not match key {envelope.key_id!r}: the envelope was "
                                   "changed after signing, or signed with another key") from None
        return envelope

    async def verify(self, signed: SignedEnvelope, vehicle: str, path: str, target: object) -> CommandEnvelope:
        """The envelope, spent, if it is authentic, current, for exactly this command, and not seen before."""
        envelope = self.authentic(signed)
        self._check_time(envelope)
        if envelope.vehicle != vehicle or envelope.path != path or not same_value(envelope.target, target):
            raise InvalidSignature(f"the envelope is signed for {envelope.describe()}, not for "
                                   f"{vehicle}: {path} = {shown(target)}")
        last = await self.ledger.last_counter(envelope.key_id)
        if last is not None and envelope.counter <= last:
            raise ReplayedEnvelope(f"envelope counter {envelope.counter} of key {envelope.key_id!r} is not above "
                                   f"the last accepted ({last}): a replay, or sent out of order; sign a new one")
        # The ledger's accept is atomic: of two copies racing past the read above (here or in another process),
        # one is recorded and the other refused.
        if not await self.ledger.accept(envelope.key_id, envelope.counter, envelope.nonce):
            raise ReplayedEnvelope(f"envelope nonce {envelope.nonce!r} or counter {envelope.counter} of key "
                                   f"{envelope.key_id!r} was already used: a replay")
        return envelope

    def _check_time(self, envelope: CommandEnvelope) -> None:
        now = self.clock()
        if envelope.expiry < now - self.skew_s:
            raise EnvelopeExpired(f"envelope expired at {_when(envelope.expiry)} (now {_when(now)}, allowing "
                                  f"{self.skew_s:g} s of clock difference): sign a fresh one")
        if envelope.expiry > now + self.max_lifetime_s + self.skew_s:
            raise EnvelopeExpired(f"envelope expires at {_when(envelope.expiry)}, more than "
                                  f"{self.max_lifetime_s:g} s from now: an envelope must be short-lived")
