"""The one way Homebound serves its FastAPI app with uvicorn: the same limits whoever starts it (`serve`, the
demo, the tests)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

WS_MAX_MESSAGE_BYTES = 65_536
"""A WebSocket client sends nothing the hub needs; a bigger message is refused by uvicorn itself."""


def server_config(app: FastAPI, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, ws="websockets-sansio",
                          ws_max_size=WS_MAX_MESSAGE_BYTES, server_header=False, date_header=False)
