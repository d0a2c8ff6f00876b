"""The web page (a static page and script, no build step) and the small endpoints only it needs."""

from __future__ import annotations

from importlib import resources

from fastapi import Query
from fastapi.responses import HTMLResponse, Response

from homebound.adapters.http import bounded
from homebound.adapters.http.deps import ServicesDep
from homebound.model import vss_paths as vss

router = bounded.router(tags=["web"])
WEB = resources.files("homebound.adapters.http") / "web"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page() -> HTMLResponse:
    return HTMLResponse(WEB.joinpath("index.html").read_text(encoding="utf-8"))


@router.get("/app.js", include_in_schema=False)
async def script() -> Response:
    return Response(WEB.joinpath("app.js").read_text(encoding="utf-8"), media_type="text/javascript")


@router.get("/app.css", include_in_schema=False)
async def style() -> Response:
    return Response(WEB.joinpath("app.css").read_text(encoding="utf-8"), media_type="text/css")


@router.get("/api/v1/map")
async def map_data(services: ServicesDep) -> dict[str, object]:
    """Zones and planned routes to draw (routes come from a running scenario)."""
    return {"zones": [{"id": z.id, "name": z.name, "latitude": z.latitude, "longitude": z.longitude,
                       "radius": z.radius_m} for z in services.automations.zones()],
            "routes": services.activity.routes()}


@router.get("/api/v1/activity")
async def activity(services: ServicesDep, limit: int = Query(100, ge=1, le=200)) -> list[dict[str, object]]:
    """Recent automations fired, commands ended and device news, oldest first."""
    return services.activity.recent(limit)


@router.get("/api/v1/vehicles/{vehicle_id}/track")
async def vehicle_track(vehicle_id: str, services: ServicesDep, since: float | None = None,
                        limit: int = Query(2000, ge=1, le=50_000)) -> dict[str, object]:
    """Where the vehicle has been: its recorded positions, oldest first."""
    thing = services.hub.describe(vehicle_id)
    lat = await services.history.values(thing.id, vss.LATITUDE, since, None, limit)
    lon = await services.history.values(thing.id, vss.LONGITUDE, since, None, limit)
    longitudes = {ts: value for ts, value, _ in lon}
    return {"points": [{"ts": ts, "latitude": value, "longitude": longitudes[ts]} for ts, value, _ in lat
                       if ts in longitudes]}
