"""The household's members and where they are (home, away, a zone, approaching; room; near the car)."""

from __future__ import annotations

from homebound.adapters.http import bounded
from homebound.adapters.http.deps import ServicesDep

router = bounded.router(prefix="/api/v1/people", tags=["phones"])


@router.get("")
async def list_people(services: ServicesDep) -> list[dict[str, object]]:
    """Every member with their presence; empty when no `people:` are configured."""
    return [] if services.phones is None else services.phones.people()
