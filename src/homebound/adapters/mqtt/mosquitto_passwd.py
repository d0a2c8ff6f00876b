"""Mosquitto's password file, written in Python: `user:$7$<iterations>$<salt>$<hash>` lines.

Format 7 is PBKDF2-HMAC-SHA512 with a 12-byte random salt and a 64-byte key, salt and key in standard base64 with
padding, exactly as `mosquitto_passwd` writes it since Mosquitto 2.0 (`src/password_mosq.c`: `pw_sha512_pbkdf2 =
7`, `SALT_LEN 12`, default 101 iterations; 2.1 raised the default to 1000). Any count the file names is honoured
by the broker; 1000 is used here. The passwords `homebound mqtt acl` makes are 192 random bits, so it is their
length, not the iteration count, that makes guessing them hopeless.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from homebound.model.errors import HomeboundError

FORMAT = 7
SALT_BYTES = 12
KEY_BYTES = 64
ITERATIONS = 1000


class PasswordFileError(HomeboundError):
    """A password file line that is not `user:$7$iterations$salt$hash`."""


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """The `$7$...` string for `password`, with a fresh random salt unless one is given."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, KEY_BYTES)
    return f"${FORMAT}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def check_password(encoded: str, password: str) -> bool:
    """Whether `password` matches a `$7$` string (as written here or by `mosquitto_passwd`)."""
    parts = encoded.split("$")
    if len(parts) != 5 or parts[0] != "" or parts[1] != str(FORMAT) or not parts[2].isdigit():
        raise PasswordFileError(f"not a Mosquitto format 7 hash: {encoded[:20]!r}…")
    iterations = int(parts[2])
    if not 1 <= iterations <= 10_000_000:
        raise PasswordFileError(f"iteration count {iterations} is out of range")
    try:
        salt, key = base64.b64decode(parts[3], validate=True), base64.b64decode(parts[4], validate=True)
    except (binascii.Error, ValueError):
        raise PasswordFileError("salt or hash is not base64") from None
    derived = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, len(key))
    return hmac.compare_digest(derived, key)


def password_file(hashes: dict[str, str]) -> str:
    """The file's text: one `user:hash` line per account, in a stable order."""
    for user in hashes:
        if not user or ":" in user or any(c.isspace() for c in user):
            raise PasswordFileError(f"user name {user!r} cannot appear in a password file")
    return "".join(f"{user}:{hashes[user]}\n" for user in sorted(hashes))


def read_password_file(text: str) -> dict[str, str]:
    """`user -> hash` from a password file; blank lines and `#` comments are skipped."""
    accounts: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        user, colon, encoded = line.partition(":")
        if not colon or not encoded.startswith("$"):
            raise PasswordFileError(f"line {number} is not user:hash")
        accounts[user] = encoded
    return accounts
