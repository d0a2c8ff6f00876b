"""A real hub served by uvicorn on a free port, in a background thread, for REST and WebSocket tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from homebound.adapters.http import create_app
from homebound.app.config import CommandsConfig, Config, StorageConfig, VehicleConfig
from homebound.app.runtime import Runtime


@dataclass
class LiveServer:
    base_url: str
    ws_url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    def call(self, coroutine: object) -> object:
        """Run a coroutine on the server's loop (the hub lives there) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(5)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                    commands=CommandsConfig(timeout_s=5, without_provider="wait"),
                    vehicles=[VehicleConfig(id="car1", vin="5YJ3E1EA7KF000001"), VehicleConfig(id="car2")])
    runtime = Runtime(config)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning",
                                       ws="websockets-sansio"))
    loops: list[asyncio.AbstractEventLoop] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(uv.serve())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", runtime, loops[0])
    uv.should_exit = True
    thread.join(10)


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http
