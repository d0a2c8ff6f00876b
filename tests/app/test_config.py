"""The configuration file: defaults, relative paths, and every mistake named with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebound.app.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homebound.yaml"
    path.write_text(text)
    return path


def test_no_file_means_car1_on_sqlite_with_kuksa() -> None:
    config = load_config(None)
    assert [v.id for v in config.vehicles] == ["car1"]
    assert config.storage.url == "sqlite:///homebound.db"
    assert (config.server.port, config.kuksa.port, config.commands.without_provider) == (8321, 55555, "fail")


def test_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "catalog:\n  overlays: [custom.yaml]\nkuksa:\n  public_key: jwt.pub\n"))
    assert config.catalog.overlays == [tmp_path / "custom.yaml"]
    assert config.kuksa.public_key == tmp_path / "jwt.pub"


@pytest.mark.parametrize(("text", "message"), [
    ("server: [1, 2]", "server"),
    ("kuksa:\n  tls_cert: a.pem\n", "tls_cert and tls_key go together"),
    ("kuksa:\n  vehicle: car9\n", "kuksa.vehicle 'car9' is not one of the vehicles (car1)"),
    ("vehicles:\n  - id: car1\n  - id: car1\n", "vehicle id 'car1' appears twice"),
    ("vehicles: []\n", "at least one vehicle"),
    ("vehicles:\n  - id: car1\n    vin: SHORT\n", "vehicles[0].vin"),
    ("commands:\n  without_provider: maybe\n", "commands.without_provider"),
    ("storage:\n  url: 5\n", "storage.url"),
    ("- just a list\n", "must be a mapping of sections"),
    ("server: {port: [\n", "not valid YAML"),
])
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "nope.yaml")
