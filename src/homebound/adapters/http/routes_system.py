"""Health, metrics and the catalog's metadata."""

from __future__ import annotations

from homebound import __version__
from homebound.adapters.http import bounded
from homebound.adapters.http.deps import ServicesDep

router = bounded.router(prefix="/api/v1", tags=["system"])


@router.get("/health")
async def health(services: ServicesDep) -> dict[str, object]:
    return {"status": "ok", "version": __version__, "default_vehicle": services.system.default_vehicle}


@router.get("/metrics")
async def metrics(services: ServicesDep) -> dict[str, object]:
    return services.system.metrics()


@router.get("/vss/{path}")
async def vss_metadata(path: str, services: ServicesDep) -> dict[str, object]:
    """Metadata of a leaf, or of every leaf below a branch or matching a wildcard."""
    catalog = services.catalog
    if path in catalog.signals:
        return catalog.signals[path].to_json()
    return {"path": path, "signals": [catalog.signals[leaf].to_json() for leaf in catalog.expand(path)]}
