"""REST and WebSocket door (FastAPI)."""

from homebound.adapters.http.app import create_app

__all__ = ["create_app"]
