"""A hub with the Kuksa gRPC door on a free port, for the real kuksa-client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from homebound.app.config import CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from tests.support.live import LiveServer, live_server


def kuksa_config(tmp_path: Path, public_key: Path | None = None) -> Config:
    return Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                  commands=CommandsConfig(timeout_s=5),
                  kuksa=KuksaConfig(port=0, public_key=public_key),
                  vehicles=[VehicleConfig(id="car1"), VehicleConfig(id="car2")])


@pytest.fixture
def hub_server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(kuksa_config(tmp_path)) as live:
        yield live
