"""The member's side of command envelopes: a key pair, its public half as text, and signing a command.

Used by tests and by clients (the command line, an app): the private key never leaves the member's device; the
hub is given only the public key, as 43 characters of base64url (or PEM).
"""

from __future__ import annotations

import secrets
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from homebound.hub.envelopes import (
    DEFAULT_MAX_LIFETIME_S,
    CommandEnvelope,
    InvalidEnvelope,
    SignedEnvelope,
    b64url,
    from_b64url,
    read_payload,
)
from homebound.model.errors import shown

DEFAULT_TTL_S = 60


def new_member_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The public key as the hub is given it: the 32 raw bytes in base64url."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from 43 base64url characters (as `public_key_text` writes) or a PEM block."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(stripped.encode("ascii", "replace"))
        except ValueError as error:
            raise InvalidEnvelope(f"public key PEM cannot be read: {shown(str(error), 120)}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidEnvelope(f"public key is {type(key).__name__}, not Ed25519")
        return key
    raw = from_b64url(stripped, "public key", 64)
    if len(raw) != 32:
        raise InvalidEnvelope(f"an Ed25519 public key is 32 bytes (43 base64url characters), not {len(raw)} bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign_command(key: Ed25519PrivateKey, key_id: str, vehicle: str, path: str, target: object, *,
                 counter: int | None = None, ttl_s: float = DEFAULT_TTL_S, nonce: str | None = None,
                 now: float | None = None) -> SignedEnvelope:
    """An envelope for one command, signed with the member's key.

    `counter` must rise with every envelope of this key; by default it is the clock in milliseconds, which rises
    on its own for a member who sends fewer than a thousand commands a second from one device. `ttl_s` (at most
    the hub's lifetime limit, five minutes by default) is how long the envelope stays valid.
    """
    if not 0 < ttl_s <= DEFAULT_MAX_LIFETIME_S:
        raise InvalidEnvelope(f"an envelope lives from 1 to {DEFAULT_MAX_LIFETIME_S:g} s, not {ttl_s!r}")
    clock = time.time() if now is None else now
    envelope = CommandEnvelope(vehicle=vehicle, path=path, target=target,
                               counter=counter if counter is not None else time.time_ns() // 1_000_000,
                               expiry=int(clock + ttl_s), nonce=nonce or secrets.token_urlsafe(16), key_id=key_id)
    payload = envelope.payload()
    read_payload(payload)  # the hub would refuse what does not read back: say so here, at the signer
    return SignedEnvelope(payload, key.sign(payload))
