"""Automations over REST: list them, read their traces, reload the files, check a file without loading it."""

from __future__ import annotations

from fastapi import APIRouter, Body

from homebound.adapters.http.deps import RuntimeDep
from homebound.automations.loader import load_text
from homebound.model.errors import HomeboundError

router = APIRouter(prefix="/api/v1/automations", tags=["automations"])


@router.get("")
async def list_automations(runtime: RuntimeDep) -> dict[str, object]:
    engine = runtime.automations
    return {"automations": engine.summary(), "problems": engine.load_errors,
            "zones": [{"id": z.id, "latitude": z.latitude, "longitude": z.longitude, "radius": z.radius_m}
                      for z in engine.zones.values()]}


@router.get("/{automation_id}/traces")
async def traces(automation_id: str, runtime: RuntimeDep) -> dict[str, object]:
    if automation_id not in runtime.automations.automations:
        raise HomeboundError(f"unknown automation {automation_id!r}; known: "
                             f"{', '.join(sorted(runtime.automations.automations)) or 'none'}")
    return {"automation": automation_id,
            "traces": [t.to_json() for t in reversed(runtime.automations.traces.of(automation_id))]}


@router.post("/reload")
async def reload(runtime: RuntimeDep) -> dict[str, object]:
    problems = runtime.reload_automations()
    return {"loaded": len(runtime.automations.automations), "problems": problems}


@router.post("/check")
async def check(runtime: RuntimeDep, text: str = Body(media_type="text/plain")) -> dict[str, object]:
    """Validate a YAML document of automations (as a file would hold) without loading it."""
    result = load_text(text, "request")
    return {"valid": [a.id for a in result.automations], "problems": result.errors}
