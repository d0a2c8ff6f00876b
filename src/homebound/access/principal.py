"""Who is asking: an authenticated caller (an account, through a door), or one of Homebound's own parts.

Every write, command and read carries a `Principal`. Its `name` is what history, traces and the audit log record
(`rest:ana`, `kuksa:can-gateway`, `automation:leaving_home`); its grants are what the policy decides on.
Homebound's own in-process parts (automations, the device bridge, the simulator, the configuration) are
`trusted`: they can only be created in-process, never from anything a client sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homebound.access.grants import Grant
from homebound.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    account: str
    role: Role | None = None
    grants: tuple[Grant, ...] = ()
    scope: tuple[Grant, ...] | None = None
    """A token's own scope: when set, an action must be allowed by the grants *and* by this (it only narrows)."""
    trusted: bool = False
    expires_at: float | None = None
    revision: int = 0
    _cache: dict[tuple[object, ...], bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def system(cls, name: str) -> Principal:
        """One of Homebound's own parts, e.g. `automation:leaving_home` (in-process only)."""
        return cls(name, f"system:{name}", trusted=True)

    def __str__(self) -> str:
        return self.name
