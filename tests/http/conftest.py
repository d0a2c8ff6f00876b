"""The REST and WebSocket tests run against a real server (see tests/support/live.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homebound.app.config import CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from tests.support.live import LiveServer, live_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                    commands=CommandsConfig(timeout_s=5, without_provider="wait"),
                    kuksa=KuksaConfig(enabled=False),
                    vehicles=[VehicleConfig(id="car1", vin="5YJ3E1EA7KF000001"), VehicleConfig(id="car2")])
    with live_server(config) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http
