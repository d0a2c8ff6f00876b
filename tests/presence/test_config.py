"""The `people`, `presence` and `phone_key` sections: mistakes named with where they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebound.app.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homebound.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_phone_key_example_is_valid() -> None:
    config = load_config(Path(__file__).parents[2] / "examples" / "phone_key.yaml")
    assert config.phone_key is not None and config.phone_key.members == ["ana"]
    assert [m.id for m in config.people] == ["ana", "ben"]


@pytest.mark.parametrize(("text", "message"), [
    ("people: [{id: ana}, {id: ana}]", "a member id appears twice"),
    ("people: [{id: ana, phones: [{user: a, device: p}]}, {id: ben, phones: [{user: a, device: p}]}]",
     "belongs to two members"),
    ("people: [{id: ana}]\nphone_key: {vehicle: car1, members: [bob], stations: [garage]}\n"
     "presence: {stations: [{id: garage, vehicle: car1}]}", "bob not among people"),
    ("people: [{id: ana}]\nphone_key: {vehicle: car9, members: [ana], stations: [garage]}", "car9"),
    ("people: [{id: ana}]\nphone_key: {vehicle: car1, members: [ana], stations: [attic]}", "attic"),
    ("people: [{id: ana}]\nphone_key: {vehicle: car1, members: [ana], stations: [g], unlock_within_m: 5, "
     "lock_beyond_m: 2}\npresence: {stations: [{id: g}]}", "lock_beyond_m must be larger"),
    ("presence: {stations: [{id: garage, vehicle: van}]}", "names vehicle 'van'"),
])
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))
