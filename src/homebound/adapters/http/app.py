"""The FastAPI application: REST under `/api/v1`, live updates over WebSocket, OpenAPI at `/openapi.json`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from homebound import __version__
from homebound.adapters.http import (
    routes_automations,
    routes_commands,
    routes_devices,
    routes_energy,
    routes_history,
    routes_owntracks,
    routes_people,
    routes_system,
    routes_vehicles,
    routes_web,
    stream,
)
from homebound.adapters.http.body_limit import BodyLimit
from homebound.adapters.http.bounded import JsonResponse
from homebound.adapters.http.errors import install_error_handlers
from homebound.adapters.http.security_headers import SecurityHeaders
from homebound.adapters.http.services import HttpServices, Lifecycle


def create_app(services: HttpServices, lifecycle: Lifecycle | None = None) -> FastAPI:
    """Build the app around its services; with a `lifecycle` the app starts and stops it (as tests do)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if lifecycle is not None:
            await lifecycle.start()
        try:
            yield
        finally:
            if lifecycle is not None:
                await lifecycle.stop()

    app = FastAPI(
        title="Homebound",
        version=__version__,
        description="The car's VSS signals and commands, and the household's devices, over REST and WebSocket.",
        lifespan=lifespan,
        default_response_class=JsonResponse,
    )
    app.state.services = services
    app.add_middleware(BodyLimit, max_bytes=services.hub.limits.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the body limit's 413 carries the headers too
    install_error_handlers(app)
    app.include_router(routes_system.router)
    app.include_router(routes_vehicles.router)
    app.include_router(routes_commands.router)
    app.include_router(routes_devices.router)
    app.include_router(routes_owntracks.router)
    app.include_router(routes_people.router)
    app.include_router(routes_automations.router)
    app.include_router(routes_history.router)
    app.include_router(routes_energy.router)
    app.include_router(stream.router)
    app.include_router(routes_web.router)
    return app
