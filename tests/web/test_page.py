"""The web page in a real browser: headless Chromium from Debian, driven by Playwright with `executable_path`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

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
    expect(page.locator("#speed")).to_contain_text("42")
    assert page.text_content("#soc") == "63.5 %"
    page.wait_for_selector("#map #car")
    assert page.locator("#map circle").count() >= 2  # the home zone and the car
    value = page.locator('[data-testid="value-purifier-Switch.Power.State"]')
    value.wait_for()
    assert value.text_content() == "false"
    page.click('[data-testid="toggle-purifier-Switch-Power-State"]')
    expect(value).to_have_text("true")
    assert server.run(hub.read, "purifier", "Switch.Power.State")[0] is True
    expect(page.locator("#log")).to_contain_text("purifier Switch.Power.State")
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)


HOSTILE_NAME = '<img src=x onerror="window.__pwned = 1">Evil lamp'


def test_names_and_log_lines_from_the_network_are_shown_as_text_never_run(server: LiveServer, browser: object) -> None:
    """A device named with HTML: the page shows the characters, no script runs, and the CSP forbids inline script."""
    import json

    bus = server.runtime.mqtt
    assert bus is not None
    discovery = {"dev": {"ids": ["evil"], "name": HOSTILE_NAME}, "o": {"name": "test"},
                 "cmps": {"lamp": {"p": "switch", "name": "<script>window.__pwned = 2</script>",
                                   "cmd_t": "evil/set", "stat_t": "evil/state", "uniq_id": "evil_lamp"}}}
    server.run(bus.publish, "homeassistant/device/evil/config", json.dumps(discovery), 1, True)
    server.run(server.runtime.activity.log, "device", "<img src=y onerror=\"window.__pwned = 3\">")
    page = browser.new_page()  # type: ignore[attr-defined]
    response = page.goto(server.base_url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    card = page.locator('[data-testid="device-evil"] h3')
    card.wait_for()
    assert HOSTILE_NAME in card.text_content()
    expect(page.locator("#log")).to_contain_text("onerror")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#devices img, #log img").count() == 0
