"""Request-scoped helpers shared by the routes: the services and who is asking."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from homebound.adapters.http.services import HttpServices
from homebound.hub.principals import Door, principal

_PRINCIPAL = re.compile(r"^[A-Za-z0-9_.@:-]{1,100}$")


def get_services(request: Request) -> HttpServices:
    services: HttpServices = request.app.state.services
    return services


def get_principal(x_homebound_principal: Annotated[str | None, Header()] = None) -> str:
    """Who asked, recorded with every write and command. Until access control lands, the client names itself."""
    if x_homebound_principal and _PRINCIPAL.match(x_homebound_principal):
        return principal(Door.REST, x_homebound_principal)
    return principal(Door.REST, "anonymous")


ServicesDep = Annotated[HttpServices, Depends(get_services)]
PrincipalDep = Annotated[str, Depends(get_principal)]
