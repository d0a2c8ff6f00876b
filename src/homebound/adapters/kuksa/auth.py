"""Kuksa's authorization: a bearer JWT whose `scope` grants `read`, `actuate` and `provide` on path patterns.

Only active when a public key is configured; without one every request is allowed and an empty or `Bearer `
authorization header (which kuksa-client sends) is tolerated. The token's audience is `kuksa.val` (the hub's
default vehicle) or `<vehicle id>/kuksa.val` (that vehicle). `actuate` and `provide` include `read` on the same
paths. A pattern names a leaf or a branch (covering all below it); `*` stands for one level.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import jwt

from homebound.hub.principals import Door, principal

AUDIENCE = "kuksa.val"


class Action(StrEnum):
    READ = "read"
    ACTUATE = "actuate"
    PROVIDE = "provide"


class AuthError(Exception):
    """The request cannot be authenticated (bad or expired token) or is not permitted."""

    def __init__(self, message: str, unauthenticated: bool = True) -> None:
        super().__init__(message)
        self.unauthenticated = unauthenticated


def _pattern(text: str) -> re.Pattern[str]:
    body = r"\.".join("[^.]+" if seg == "*" else re.escape(seg) for seg in text.split("."))
    return re.compile(rf"^{body}(?:\..+)?$")


@dataclass(frozen=True)
class Grant:
    action: Action
    pattern: re.Pattern[str] | None  # None: every path

    def covers(self, action: Action, path: str) -> bool:
        if self.action is not action and not (action is Action.READ and self.action in (Action.ACTUATE,
                                                                                            Action.PROVIDE)):
            return False
        return self.pattern is None or self.pattern.match(path) is not None


@dataclass(frozen=True)
class Permissions:
    """What one caller may do, on which vehicle, until when."""

    vehicle: str
    grants: tuple[Grant, ...] = ()
    expires_at: float | None = None
    unrestricted: bool = False
    subject: str = "anonymous"

    def allows(self, action: Action, path: str) -> bool:
        return self.unrestricted or any(grant.covers(action, path) for grant in self.grants)

    def check(self, action: Action, path: str) -> None:
        if not self.allows(action, path):
            raise AuthError(f"token does not grant {action.value} on {path}", unauthenticated=False)

    @property
    def principal(self) -> str:
        return principal(Door.KUKSA, self.subject)


def parse_scope(scope: str) -> tuple[Grant, ...]:
    grants = []
    for item in scope.split():
        action, _, path = item.partition(":")
        try:
            kind = Action(action)
        except ValueError:
            continue  # scopes of other services (e.g. `create`) are not ours to refuse
        grants.append(Grant(kind, _pattern(path) if path else None))
    return tuple(grants)


class KuksaAuthorizer:
    """Turns the `authorization` metadata of a call into Permissions."""

    def __init__(self, public_key: str | None, default_vehicle: str, vehicles: Iterable[str]) -> None:
        self.public_key = public_key
        self.default_vehicle = default_vehicle
        self.vehicles = set(vehicles)

    def authorize(self, header: str | None) -> Permissions:
        if self.public_key is None:
            return Permissions(self.default_vehicle, unrestricted=True)
        token = (header or "").removeprefix("Bearer").strip()
        if not token:
            raise AuthError("no token: send 'authorization: Bearer <JWT>'")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthError(f"malformed token: {error}") from None
        audiences = unverified.get("aud", [])
        audiences = [audiences] if isinstance(audiences, str) else list(audiences)
        vehicle = self._vehicle_from(audiences)
        try:
            claims = jwt.decode(token, self.public_key, algorithms=["RS256", "RS384", "RS512", "ES256", "ES384"],
                                audience=audiences or AUDIENCE, options={"require": ["exp", "aud"]})
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.PyJWTError as error:
            raise AuthError(f"invalid token: {error}") from None
        scope = str(claims.get("scope", ""))
        return Permissions(vehicle, parse_scope(scope), expires_at=float(claims["exp"]),
                           subject=str(claims.get("sub", "token")))

    def _vehicle_from(self, audiences: list[str]) -> str:
        for audience in audiences:
            if audience == AUDIENCE:
                return self.default_vehicle
            if audience.endswith("/" + AUDIENCE):
                vehicle = audience[: -len(AUDIENCE) - 1]
                if vehicle in self.vehicles:
                    return vehicle
                raise AuthError(f"token audience {audience!r} names unknown vehicle {vehicle!r}")
        raise AuthError(f"token audience must be {AUDIENCE!r} or '<vehicle>/{AUDIENCE}', not {audiences}")


def seconds_left(permissions: Permissions) -> float | None:
    if permissions.expires_at is None:
        return None
    return permissions.expires_at - time.time()
