"""Request-scoped helpers shared by the routes: the runtime and who is asking."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from homebound.app.runtime import Runtime

_PRINCIPAL = re.compile(r"^[A-Za-z0-9_.@:-]{1,100}$")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_principal(x_homebound_principal: Annotated[str | None, Header()] = None) -> str:
    """Who asked, recorded with every write and command. Until access control lands, the client names itself."""
    if x_homebound_principal and _PRINCIPAL.match(x_homebound_principal):
        return f"rest:{x_homebound_principal}"
    return "rest:anonymous"


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[str, Depends(get_principal)]
