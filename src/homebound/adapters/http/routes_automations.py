"""Automations over REST: list them, read their traces, reload the files, check a file without loading it."""

from __future__ import annotations

import asyncio

from fastapi import Body

from homebound.adapters.http import bounded
from homebound.adapters.http.deps import ServicesDep
from homebound.automations.loader import load_text

router = bounded.router(prefix="/api/v1/automations", tags=["automations"])


@router.get("")
async def list_automations(services: ServicesDep) -> dict[str, object]:
    automations = services.automations
    return {"automations": automations.summary(), "problems": automations.problems,
            "zones": [{"id": z.id, "latitude": z.latitude, "longitude": z.longitude, "radius": z.radius_m}
                      for z in automations.zones()]}


@router.get("/{automation_id}/traces")
async def traces(automation_id: str, services: ServicesDep) -> dict[str, object]:
    return {"automation": automation_id,
            "traces": [t.to_json() for t in services.automations.traces(automation_id)]}


@router.post("/reload")
async def reload(services: ServicesDep) -> dict[str, object]:
    problems = services.automations.reload()
    return {"loaded": services.automations.loaded(), "problems": problems}


@router.post("/check")
async def check(text: str = Body(media_type="text/plain")) -> dict[str, object]:
    """Validate a YAML document of automations (as a file would hold) without loading it."""
    result = await asyncio.to_thread(load_text, text, "request")
    return {"valid": [a.id for a in result.automations], "problems": result.errors}
