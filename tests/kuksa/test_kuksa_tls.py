"""The Kuksa door over TLS, with a certificate made for the test, and the real client verifying it."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from kuksa_client.grpc import Datapoint, VSSClient, VSSClientError

from homebound.app.config import KuksaConfig
from tests.kuksa.conftest import kuksa_config
from tests.support.live import live_server


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


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
