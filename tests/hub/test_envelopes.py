"""Signed command envelopes: accepted once, for the command they name, while they are valid; everything else is
refused with an error that says why (and which code every door maps)."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization

from homebound.hub.envelope_signing import load_public_key, new_member_key, public_key_text, sign_command
from homebound.hub.envelopes import (
    EnvelopeExpired,
    EnvelopeVerifier,
    InvalidEnvelope,
    InvalidSignature,
    MemoryEnvelopeLedger,
    ReplayedEnvelope,
    SignedEnvelope,
    b64url,
)
from homebound.model.errors import ErrorCode

NOW = 1_800_000_000.0
UNLOCK = ("car1", "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked", False)
ANA_KEY = new_member_key()
OTHER_KEY = new_member_key()


@pytest.fixture
def verifier() -> EnvelopeVerifier:
    return EnvelopeVerifier({"ana-phone": ANA_KEY.public_key()}, MemoryEnvelopeLedger(), clock=lambda: NOW)


def unlock(counter: int = 1, ttl_s: float = 60, key: object = ANA_KEY, key_id: str = "ana-phone",
           nonce: str | None = None, target: object = False) -> SignedEnvelope:
    vehicle, path, _ = UNLOCK
    return sign_command(key, key_id, vehicle, path, target, counter=counter, ttl_s=ttl_s, now=NOW,  # type: ignore[arg-type]
                        nonce=nonce)


def signed_payload(fields: dict[str, object], key: object = ANA_KEY) -> SignedEnvelope:
    payload = json.dumps(fields).encode()
    return SignedEnvelope(payload, key.sign(payload))  # type: ignore[attr-defined]


VALID_FIELDS: dict[str, object] = {"v": 1, "vehicle": "car1", "path": UNLOCK[1], "target": False, "counter": 1,
                                   "expiry": int(NOW) + 60, "nonce": "n" * 22, "key_id": "ana-phone"}


# ---- accepted ------------------------------------------------------------------------------------------------

async def test_a_valid_envelope_is_accepted_for_its_command(verifier: EnvelopeVerifier) -> None:
    envelope = await verifier.verify(unlock(), *UNLOCK)
    assert (envelope.vehicle, envelope.path, envelope.target, envelope.key_id) == (*UNLOCK, "ana-phone")


async def test_envelopes_with_rising_counters_are_each_accepted(verifier: EnvelopeVerifier) -> None:
    for counter in (1, 2, 10, 11):
        await verifier.verify(unlock(counter), *UNLOCK)


async def test_a_number_target_matches_by_value(verifier: EnvelopeVerifier) -> None:
    limit = ("car1", "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit")
    signed = sign_command(ANA_KEY, "ana-phone", *limit, 80, counter=1, now=NOW)
    await verifier.verify(signed, *limit, 80.0)


async def test_an_envelope_within_the_allowed_clock_difference_is_accepted() -> None:
    late = EnvelopeVerifier({"ana-phone": ANA_KEY.public_key()}, MemoryEnvelopeLedger(), skew_s=30,
                            clock=lambda: NOW + 60 + 29)
    await late.verify(unlock(ttl_s=60), *UNLOCK)


def test_both_wire_forms_read_back_the_same_envelope() -> None:
    signed = unlock()
    assert SignedEnvelope.parse(signed.to_json()) == signed
    assert SignedEnvelope.parse(signed.compact()) == signed


def test_every_copy_of_an_envelope_names_the_same_command_id(verifier: EnvelopeVerifier) -> None:
    signed = unlock(nonce="retry-nonce-0000000001")
    first = verifier.authentic(signed).command_id
    assert first == verifier.authentic(SignedEnvelope.parse(signed.compact())).command_id
    assert first != verifier.authentic(unlock(nonce="retry-nonce-0000000002")).command_id
    assert first.startswith("env-") and len(first) <= 64


# ---- refused -------------------------------------------------------------------------------------------------

async def test_a_replayed_envelope_is_refused(verifier: EnvelopeVerifier) -> None:
    signed = unlock()
    await verifier.verify(signed, *UNLOCK)
    with pytest.raises(ReplayedEnvelope, match="counter 1 of key 'ana-phone' is not above the last accepted") as error:
        await verifier.verify(signed, *UNLOCK)
    assert error.value.code is ErrorCode.REPLAYED


async def test_a_counter_going_backwards_is_refused(verifier: EnvelopeVerifier) -> None:
    await verifier.verify(unlock(counter=10), *UNLOCK)
    with pytest.raises(ReplayedEnvelope, match=r"counter 9 .* not above the last accepted \(10\)"):
        await verifier.verify(unlock(counter=9), *UNLOCK)


async def test_a_reused_nonce_is_refused_even_with_a_higher_counter(verifier: EnvelopeVerifier) -> None:
    await verifier.verify(unlock(counter=1, nonce="same-nonce-0000000000"), *UNLOCK)
    with pytest.raises(ReplayedEnvelope, match=r"nonce .same-nonce-0000000000. .* already used"):
        await verifier.verify(unlock(counter=2, nonce="same-nonce-0000000000"), *UNLOCK)


async def test_an_expired_envelope_is_refused() -> None:
    later = EnvelopeVerifier({"ana-phone": ANA_KEY.public_key()}, MemoryEnvelopeLedger(), skew_s=30,
                             clock=lambda: NOW + 60 + 31)
    with pytest.raises(EnvelopeExpired, match=r"envelope expired at .* sign a fresh one") as error:
        await later.verify(unlock(ttl_s=60), *UNLOCK)
    assert error.value.code is ErrorCode.ENVELOPE_EXPIRED


async def test_an_envelope_that_lives_too_long_is_refused(verifier: EnvelopeVerifier) -> None:
    with pytest.raises(EnvelopeExpired, match="more than 300 s from now"):
        await verifier.verify(signed_payload(VALID_FIELDS | {"expiry": int(NOW) + 3600}), *UNLOCK)


async def test_a_tampered_target_is_refused(verifier: EnvelopeVerifier) -> None:
    signed = unlock(target=True)
    tampered = SignedEnvelope(signed.payload.replace(b'"target":true', b'"target":false'), signed.signature)
    with pytest.raises(InvalidSignature, match="signature does not match key 'ana-phone'") as error:
        await verifier.verify(tampered, *UNLOCK)
    assert error.value.code is ErrorCode.INVALID_SIGNATURE


async def test_an_envelope_for_another_command_is_refused_and_not_spent(verifier: EnvelopeVerifier) -> None:
    signed = unlock(target=True)
    with pytest.raises(InvalidSignature, match=r"signed for car1: .*IsLocked = True, not for car1: .* = False"):
        await verifier.verify(signed, *UNLOCK)
    await verifier.verify(signed, *UNLOCK[:2], True)


@pytest.mark.parametrize("asked", [("car2", UNLOCK[1], False), ("car1", "Vehicle.Body.Trunk.Rear.IsOpen", False),
                                   ("car1", UNLOCK[1], 0)], ids=["vehicle", "path", "bool-as-number"])
async def test_a_command_differing_in_any_part_is_refused(verifier: EnvelopeVerifier,
                                                          asked: tuple[str, str, object]) -> None:
    with pytest.raises(InvalidSignature, match="the envelope is signed for"):
        await verifier.verify(unlock(), *asked)


async def test_an_envelope_signed_with_another_key_is_refused(verifier: EnvelopeVerifier) -> None:
    with pytest.raises(InvalidSignature, match="signature does not match key 'ana-phone'"):
        await verifier.verify(unlock(key=OTHER_KEY), *UNLOCK)


async def test_an_unknown_key_id_is_refused(verifier: EnvelopeVerifier) -> None:
    with pytest.raises(InvalidSignature, match="unknown key 'bob-phone'"):
        await verifier.verify(unlock(key=OTHER_KEY, key_id="bob-phone"), *UNLOCK)


async def test_a_revoked_key_is_refused_at_once() -> None:
    keys = {"ana-phone": ANA_KEY.public_key()}
    verifier = EnvelopeVerifier(keys, MemoryEnvelopeLedger(), clock=lambda: NOW)
    await verifier.verify(unlock(counter=1), *UNLOCK)
    del keys["ana-phone"]
    with pytest.raises(InvalidSignature, match="unknown key 'ana-phone'"):
        await verifier.verify(unlock(counter=2), *UNLOCK)


async def test_two_copies_sent_at_once_are_accepted_once() -> None:
    class SlowLedger(MemoryEnvelopeLedger):
        async def last_counter(self, key_id: str) -> int | None:
            await asyncio.sleep(0.01)
            return await super().last_counter(key_id)

    verifier = EnvelopeVerifier({"ana-phone": ANA_KEY.public_key()}, SlowLedger(), clock=lambda: NOW)
    signed = unlock()
    results = await asyncio.gather(*(verifier.verify(signed, *UNLOCK) for _ in range(5)), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ReplayedEnvelope) for r in results if isinstance(r, BaseException))


async def test_a_ledger_that_refuses_the_spend_is_a_replay(verifier: EnvelopeVerifier) -> None:
    """Another hub process spent the same counter between our read and our write: the ledger's atomic accept
    says no, and the envelope is refused."""
    class RacedLedger(MemoryEnvelopeLedger):
        async def accept(self, key_id: str, counter: int, nonce: str) -> bool:
            return False

    raced = EnvelopeVerifier({"ana-phone": ANA_KEY.public_key()}, RacedLedger(), clock=lambda: NOW)
    with pytest.raises(ReplayedEnvelope, match="already used"):
        await raced.verify(unlock(), *UNLOCK)


# ---- hostile input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("wire", "message"), [
    ("no-dot-at-all", "PAYLOAD.SIGNATURE"),
    ("a.b.c", "PAYLOAD.SIGNATURE"),
    ("x" * 100_000 + ".y", "PAYLOAD.SIGNATURE"),
    ("!!!.AAAA", "base64url"),
    ({"payload": "AA", "signature": "AA", "extra": 1}, "exactly 'payload' and 'signature'"),
    ({"payload": 5, "signature": "AA"}, "base64url text"),
    ([1, 2], "not list"),
], ids=["no-dot", "three-parts", "huge", "not-base64", "extra-key", "payload-not-text", "list"])
def test_a_malformed_wire_form_is_a_clear_error(wire: object, message: str) -> None:
    with pytest.raises(InvalidEnvelope, match=message) as error:
        SignedEnvelope.parse(wire)
    assert error.value.code is ErrorCode.BAD_REQUEST


def test_a_signature_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="64 bytes, this one 3"):
        SignedEnvelope.parse(f"{b64url(b'{}')}.{b64url(b'abc')}")


@pytest.mark.parametrize(("payload", "message"), [
    (b"\xff\xfe", "not UTF-8 JSON"),
    (b"[1,2]", "must hold exactly"),
    (json.dumps(VALID_FIELDS | {"admin": True}).encode(), "must hold exactly"),
    (json.dumps(VALID_FIELDS).encode().replace(b'"counter": 1', b'"counter": 1, "counter": 2'), "repeats a key"),
    (json.dumps(VALID_FIELDS).encode().replace(b'"target": false', b'"target": NaN'), "NaN, which is not JSON"),
    (json.dumps(VALID_FIELDS | {"counter": True}).encode(), "counter must be an integer"),
    (json.dumps(VALID_FIELDS | {"counter": 2**60}).encode(), "counter must be an integer from 1"),
    (json.dumps(VALID_FIELDS | {"v": 2}).encode(), "version 2 is not 1"),
    (json.dumps(VALID_FIELDS | {"nonce": "short"}).encode(), "nonce 'short' is not valid"),
    (json.dumps(VALID_FIELDS | {"key_id": "a\nb"}).encode(), "key_id"),
    (json.dumps(VALID_FIELDS | {"target": {"nested": [1]}}).encode(), "target must be a value or a list"),
    (json.dumps(VALID_FIELDS | {"vehicle": "v" * 500}).encode(), "vehicle"),
    (b"[" * 3000 + b"]" * 3000, "at most 4096"),
    (b'{"v":' + b"[" * 2000 + b"]" * 2000 + b"}", "not UTF-8 JSON|must hold exactly"),
], ids=["not-utf8", "not-object", "extra-field", "duplicate-key", "nan", "bool-counter", "huge-counter",
        "version", "short-nonce", "newline-key-id", "object-target", "long-vehicle", "too-big", "deep"])
async def test_a_malformed_payload_is_refused_before_any_key_is_used(verifier: EnvelopeVerifier, payload: bytes,
                                                                   message: str) -> None:
    with pytest.raises(InvalidEnvelope, match=message):
        await verifier.verify(SignedEnvelope(payload, b"\0" * 64), *UNLOCK)


# ---- the member's side ---------------------------------------------------------------------------------------

def test_a_public_key_travels_as_43_characters_or_pem() -> None:
    text = public_key_text(ANA_KEY)
    assert len(text) == 43
    pem = ANA_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    raw = ANA_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert load_public_key(text).public_bytes_raw() == raw
    assert load_public_key(pem).public_bytes_raw() == raw


@pytest.mark.parametrize(("text", "message"), [
    (base64.urlsafe_b64encode(b"short").decode(), "32 bytes"),
    ("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----", "PEM cannot be read"),
    ("not base64 at all!", "base64url"),
])
def test_a_bad_public_key_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(InvalidEnvelope, match=message):
        load_public_key(text)


def test_the_signer_refuses_an_envelope_the_hub_would_refuse() -> None:
    with pytest.raises(InvalidEnvelope, match="from 1 to 300 s"):
        sign_command(ANA_KEY, "ana-phone", *UNLOCK, ttl_s=3600)
    with pytest.raises(InvalidEnvelope, match="target must be a value"):
        sign_command(ANA_KEY, "ana-phone", "car1", UNLOCK[1], {"a": 1})
