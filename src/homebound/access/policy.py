"""The one policy: may this principal do this action on this thing (and path), now?

The hub asks it on every command and every read and write (see `hub/core.py` and `hub/view.py`), so no door can
forget to; refusals are `Forbidden` errors (403) naming what was refused and why. Default deny: a principal may
do only what one of its grants covers (and, for a token with its own scope, what that scope covers too).
"""

from __future__ import annotations

import time

from homebound.access.grants import Action
from homebound.access.principal import Principal
from homebound.model.errors import ErrorCode, HomeboundError, shown

CACHE_ENTRIES = 4096


class Forbidden(HomeboundError):
    code = ErrorCode.FORBIDDEN


class Unauthenticated(HomeboundError):
    code = ErrorCode.UNAUTHENTICATED


def allows(principal: Principal, action: Action, thing: str, kind: str, path: str | None = None,
           now: float | None = None) -> bool:
    if principal.trusted:
        return True
    moment = time.time() if now is None else now
    if principal.expires_at is not None and moment >= principal.expires_at:
        return False
    windowed = any(g.window.valid_from is not None or g.window.valid_until is not None or g.window.weekdays
                   or g.window.day_from or g.window.day_until for g in principal.grants)
    key = (action, thing, kind, path, int(moment // 60) if windowed else 0)
    cached = principal._cache.get(key)
    if cached is not None:
        return cached
    allowed = any(grant.covers(action, thing, kind, path, moment) for grant in principal.grants) and (
        principal.scope is None or any(grant.covers(action, thing, kind, path, moment) for grant in principal.scope))
    if len(principal._cache) >= CACHE_ENTRIES:
        principal._cache.clear()
    principal._cache[key] = allowed
    return allowed


def require(principal: Principal, action: Action, thing: str, kind: str, path: str | None = None) -> None:
    """Forbidden unless `allows`; the message names the principal, the action, the thing and the path."""
    if not allows(principal, action, thing, kind, path):
        target = f"{thing} {shown(path, 120)}" if path else thing
        raise Forbidden(f"{principal.name} may not {action.value} {target}")
