"""The web page in a real browser: headless Chromium from Debian, driven by Playwright with `executable_path`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from homebound.app.config import (
    Config,
    KuksaConfig,
    SimulationConfig,
    StorageConfig,
    VehicleConfig,
)
from homebound.automations.schema import ZoneConfig
from tests.conftest import service_missing
from tests.support.live import LiveServer, live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    config = Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                    kuksa=KuksaConfig(enabled=False), simulation=SimulationConfig(household=True, speed=1),
                    zones=[ZoneConfig(id="home", name="Home", latitude=48.1372, longitude=11.5756, radius=150)],
                    vehicles=[VehicleConfig(id="car1")])
    with live_server(config) as live:
        yield live


@pytest.fixture
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; `make test` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def test_the_page_shows_the_car_and_a_device_control_changes_its_state(server: LiveServer, browser: object,
                                                                       tmp_path: Path) -> None:
    hub = server.runtime.hub
    for step in range(5):
        server.run(hub.ingest, "car1", {"Vehicle.Speed": 42.0, "Vehicle.CurrentLocation.Latitude": 48.15 - step * 0.002,
                                        "Vehicle.CurrentLocation.Longitude": 11.59 - step * 0.002,
                                        "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": 63.5})
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server.base_url + "/")
    page.wait_for_function("document.getElementById('speed').textContent.includes('42')")
    assert page.text_content("#soc") == "63.5 %"
    page.wait_for_selector("#map #car")
    assert page.locator("#map circle").count() >= 2  # the home zone and the car
    value = page.locator('[data-testid="value-purifier-Switch.Power.State"]')
    value.wait_for()
    assert value.text_content() == "false"
    page.click('[data-testid="toggle-purifier-Switch-Power-State"]')
    page.wait_for_function(
        "document.querySelector('[data-testid=\"value-purifier-Switch.Power.State\"]').textContent === 'true'")
    assert server.run(hub.read, "purifier", "Switch.Power.State")[0] is True
    page.wait_for_function("document.getElementById('log').textContent.includes('purifier Switch.Power.State')")
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
