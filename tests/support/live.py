"""A real hub (runtime, REST, WebSocket and Kuksa gRPC) served by uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

from homebound.adapters.http import create_app
from homebound.app.config import Config
from homebound.app.http_server import server_config
from homebound.app.runtime import Runtime

T = TypeVar("T")


@dataclass
class LiveServer:
    base_url: str
    ws_url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop
    grpc_port: int

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop (the hub lives there) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def run(self, function: Any, *args: Any) -> Any:
        """Call a plain function on the server's loop (the hub is not thread-safe)."""
        async def call() -> Any:
            return function(*args)
        return self.call(call())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(config: Config) -> Iterator[LiveServer]:
    runtime = Runtime(config)
    port = free_port()
    app = create_app(runtime.http_services(), runtime)
    uv = uvicorn.Server(server_config(app, "127.0.0.1", port))
    loops: list[asyncio.AbstractEventLoop] = []

    def serve() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(uv.serve())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    grpc_port = runtime.kuksa.bound_port if runtime.kuksa else 0
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", runtime, loops[0], grpc_port)
    finally:
        uv.should_exit = True
        thread.join(15)
