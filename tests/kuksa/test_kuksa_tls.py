"""The Kuksa door over TLS, with a certificate made for the test, and the real client verifying it."""

from __future__ import annotations

from pathlib import Path

import pytest
from kuksa_client.grpc import Datapoint, VSSClient, VSSClientError

from homebound.app.config import KuksaConfig
from tests.kuksa.conftest import kuksa_config
from tests.support.certificates import self_signed
from tests.support.live import live_server


def test_tls_round_trip_and_plaintext_refused(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    config = kuksa_config(tmp_path)
    config = config.model_copy(update={"kuksa": KuksaConfig(port=0, tls_cert=cert, tls_key=key)})
    with live_server(config) as live:
        with VSSClient("127.0.0.1", live.grpc_port, root_certificates=cert, tls_server_name="localhost") as client:
            client.set_current_values({"Vehicle.Speed": Datapoint(64.0)})
            assert client.get_current_values(["Vehicle.Speed"])["Vehicle.Speed"].value == 64.0
        with VSSClient("127.0.0.1", live.grpc_port, ensure_startup_connection=False) as plain, \
                pytest.raises(VSSClientError):
            plain.get_current_values(["Vehicle.Speed"])
