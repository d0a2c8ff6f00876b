"""Live updates over WebSocket, with unknown paths reported and the rest served."""

from __future__ import annotations

import json
import time

import httpx
from websockets.sync.client import connect

from tests.support.live import LiveServer

LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


def test_stream_reports_unknown_paths_and_serves_the_rest(server: LiveServer, client: httpx.Client) -> None:
    url = f"{server.ws_url}/api/v1/vehicles/car1/stream?path=Vehicle.Cabin.Door.*.*.IsOpen&path=Vehicle.Nope"
    with connect(url) as websocket:
        hello = json.loads(websocket.recv(timeout=5))
        assert hello["type"] == "subscribed" and hello["paths"] == 4
        assert hello["unknown_paths"][0]["path"] == "Vehicle.Nope"
        client.post("/api/v1/vehicles/car1/signals", json={"values": {
            "Vehicle.Speed": 3, "Vehicle.Cabin.Door.Row2.DriverSide.IsOpen": True}})
        message = json.loads(websocket.recv(timeout=5))
        assert message["type"] == "updates" and message["dropped"] == 0
        assert [(u["path"], u["value"], u["field"]) for u in message["updates"]] == [
            ("Vehicle.Cabin.Door.Row2.DriverSide.IsOpen", True, "value")]


def test_stream_of_targets_and_command_states(server: LiveServer, client: httpx.Client) -> None:
    url = f"{server.ws_url}/api/v1/vehicles/car1/stream?path={LIMIT}&fields=target,command"
    with connect(url) as websocket:
        json.loads(websocket.recv(timeout=5))
        client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 80})
        client.post("/api/v1/vehicles/car1/signals", json={"values": {LIMIT: 80}})
        seen = []
        while len(seen) < 3:
            seen += json.loads(websocket.recv(timeout=5))["updates"]
        assert [u["field"] for u in seen] == ["target", "command", "command"]
        assert [u["value"]["state"] for u in seen[1:]] == ["pending", "confirmed"]


def test_bad_subscription_is_an_error_message(server: LiveServer) -> None:
    with connect(f"{server.ws_url}/api/v1/vehicles/car1/stream?path=Vehicle.Sped") as websocket:
        message = json.loads(websocket.recv(timeout=5))
        assert message["type"] == "error" and "did you mean Vehicle.Speed" in message["message"]
    with connect(f"{server.ws_url}/api/v1/vehicles/car1/stream?path=Vehicle.Speed&fields=colour") as websocket:
        assert "fields 'colour'" in json.loads(websocket.recv(timeout=5))["message"]


def test_disconnect_closes_the_subscription(server: LiveServer) -> None:
    with connect(f"{server.ws_url}/api/v1/vehicles/car1/stream?path=Vehicle.Speed") as websocket:
        json.loads(websocket.recv(timeout=5))
        assert server.runtime.hub.subscription_stats()["subscriptions"] == 1
    deadline = time.monotonic() + 5
    while server.runtime.hub.subscription_stats()["subscriptions"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.runtime.hub.subscription_stats()["subscriptions"] == 0
