"""kuksa-client 0.4.3, the version kuksa-mock-provider runs on, provides an actuator the v1 way against the hub.

kuksa-mock-provider itself cannot run here: it is not published on PyPI (it ships as a container image and a
GitHub repository), and its `lib/` package is not to be had offline. `programs/v1_mock_provider.py` makes the same
calls its mock service makes (`subscribe_target_values`, `set_current_values`), in an environment of its own.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.side_venvs import side_venv

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"
PROGRAM = Path(__file__).parent / "programs" / "v1_mock_provider.py"


@pytest.fixture(scope="session")
def kuksa_client_043() -> Path:
    return side_venv("kuksa-client-0.4.3", ["kuksa-client==0.4.3"])


def wait(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_the_mock_providers_calls_on_kuksa_client_043_carry_out_a_rest_command(
        hub_server: LiveServer, kuksa_client_043: Path) -> None:
    hub = hub_server.runtime.hub
    provider = subprocess.Popen([str(kuksa_client_043 / "python"), str(PROGRAM), str(hub_server.grpc_port), LIMIT],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait(lambda: hub_server.run(hub.has_provider, "car1", LIMIT) or provider.poll() is not None)
        assert provider.poll() is None, provider.communicate()[1][-2000:]
        response = httpx.post(f"{hub_server.base_url}/api/v1/vehicles/car1/commands",
                              json={"path": LIMIT, "target": 80})
        assert response.status_code == 202, response.text
        command_id = response.json()["id"]
        wait(lambda: httpx.get(f"{hub_server.base_url}/api/v1/commands/{command_id}").json()["state"] == "confirmed")
    finally:
        provider.terminate()
        output, errors = provider.communicate(timeout=10)
    assert f"target {LIMIT} 80" in output, errors[-2000:]
    assert hub_server.run(hub.read, "car1", LIMIT)[0] == 80
    wait(lambda: not hub_server.run(hub.has_provider, "car1", LIMIT))
