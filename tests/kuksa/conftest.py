"""A hub with the Kuksa gRPC door on a free port, for the real kuksa-client; JWTs for the secured one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(scope: str, audience: str = "kuksa.val", lifetime: float = 300) -> str:
    claims = {"sub": "tester", "aud": audience, "scope": scope, "iat": int(time.time()),
              "exp": int(time.time() + lifetime)}
    return jwt.encode(claims, PRIVATE_KEY, algorithm="RS256")


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[LiveServer]:
    public = tmp_path / "jwt.pub"
    public.write_bytes(PRIVATE_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with live_server(kuksa_config(tmp_path, public_key=public)) as live:
        yield live
