"""A missing file of ../shared/data skips the tests that need it on a developer's machine, and fails the run in CI
(HOMEBOUND_REQUIRE_SERVICES=1), like a missing service: CI must never pass by skipping what it cannot read."""

from __future__ import annotations

import pytest

import tests.conftest as shared
from tests.conftest import shared_data


def test_a_present_file_is_returned() -> None:
    assert shared_data("README.md") == shared.SHARED_DATA / "README.md"


def outcome_of_asking_for(relative: str) -> BaseException:
    """What `shared_data` raised for a missing file (skip and fail are exceptions pytest would otherwise act on)."""
    try:
        shared_data(relative)
    except (pytest.skip.Exception, pytest.fail.Exception) as raised:
        return raised
    raise AssertionError(f"{relative} is not in ../shared/data, yet shared_data returned it")


def test_a_missing_file_skips_on_a_developers_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "REQUIRE_SERVICES", False)
    raised = outcome_of_asking_for("vss/vss_release_9.9.json")
    assert isinstance(raised, pytest.skip.Exception)
    assert "vss/vss_release_9.9.json is missing" in str(raised)


def test_a_missing_file_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "REQUIRE_SERVICES", True)
    raised = outcome_of_asking_for("ha-discovery/none.json")
    assert isinstance(raised, pytest.fail.Exception), f"skipped instead of failing: {raised}"
    assert "HOMEBOUND_REQUIRE_SERVICES=1, so this is a failure" in str(raised)
