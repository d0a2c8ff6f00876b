"""The REST API: list vehicles, read signals and branches, write batches, send and follow commands."""

from __future__ import annotations

import time

import httpx

from tests.support.live import LiveServer

SOC = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"
LIMIT = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"


def test_lists_vehicles(client: httpx.Client) -> None:
    vehicles = client.get("/api/v1/vehicles").json()
    assert [v["id"] for v in vehicles] == ["car1", "car2"]
    assert vehicles[0]["vin"] == "5YJ3E1EA7KF000001" and vehicles[0]["signals"] >= 150


def test_write_then_read_a_signal_with_principal(client: httpx.Client) -> None:
    response = client.post("/api/v1/vehicles/car1/signals", json={"values": {"Vehicle.Speed": 88.5}, "ts": 5.0},
                           headers={"X-Homebound-Principal": "gateway-1"})
    assert response.status_code == 200 and response.json() == {"accepted": 1, "rejected": []}
    signal = client.get("/api/v1/vehicles/car1/signals/Vehicle.Speed").json()
    assert signal == {"path": "Vehicle.Speed", "value": 88.5, "ts": 5.0, "principal": "rest:gateway-1"}


def test_batch_keeps_good_values_and_reports_bad_ones(client: httpx.Client) -> None:
    response = client.post("/api/v1/vehicles/car1/signals", json={"values": {
        "Vehicle.Speed": 10, SOC: 101, "Vehicle.Sped": 3, "Vehicle.Powertrain.TractionBattery.Charging.IsCharging": 1,
    }})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1
    by_path = {r["path"]: r for r in body["rejected"]}
    assert by_path[SOC]["code"] == "invalid_value" and "101" in by_path[SOC]["error"]
    assert "car1" in by_path[SOC]["error"] and "[0..100]" in by_path[SOC]["valid"]
    assert by_path["Vehicle.Sped"]["code"] == "unknown_path"
    assert "Vehicle.Speed" in by_path["Vehicle.Sped"]["suggestions"]
    assert "not a boolean" in by_path["Vehicle.Powertrain.TractionBattery.Charging.IsCharging"]["error"]


def test_batch_with_nothing_valid_is_422(client: httpx.Client) -> None:
    response = client.post("/api/v1/vehicles/car1/signals", json={"values": {SOC: "full"}})
    assert response.status_code == 422 and response.json()["accepted"] == 0


def test_read_a_branch_and_a_wildcard(client: httpx.Client) -> None:
    client.post("/api/v1/vehicles/car1/signals", json={"values": {"Vehicle.Cabin.Door.Row1.DriverSide.IsOpen": True}})
    branch = client.get("/api/v1/vehicles/car1/signals/Vehicle.Cabin.Door.Row1.DriverSide").json()
    values = {s["path"]: s["value"] for s in branch["signals"]}
    assert values["Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"] is True
    assert values["Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"] is None
    doors = client.get("/api/v1/vehicles/car1/signals/Vehicle.Cabin.Door.*.*.IsOpen").json()
    assert len(doors["signals"]) == 4


def test_metadata_on_request(client: httpx.Client) -> None:
    signal = client.get(f"/api/v1/vehicles/car1/signals/{LIMIT}", params={"metadata": "true"}).json()
    assert signal["metadata"]["datatype"] == "uint8" and signal["metadata"]["max"] == 100
    assert client.get(f"/api/v1/vss/{LIMIT}").json()["type"] == "actuator"


def test_errors_are_json_with_clear_messages_never_500(client: httpx.Client) -> None:
    cases = [
        (client.get("/api/v1/vehicles/car9"), 404, "unknown_thing"),
        (client.get("/api/v1/vehicles/car1/signals/Vehicle.Sped"), 404, "unknown_path"),
        (client.post("/api/v1/vehicles/car1/signals", json={"values": {}}), 422, "invalid_request"),
        (client.post("/api/v1/vehicles/car1/signals", json={"valuez": 1}), 422, "invalid_request"),
        (client.post("/api/v1/vehicles/car1/signals", content=b"{oops", headers={"content-type": "application/json"}),
         422, "invalid_request"),
        (client.post("/api/v1/vehicles/car1/signals", json=[1, 2]), 422, "invalid_request"),
        (client.post("/api/v1/vehicles/car1/commands", json={"path": "Vehicle.Speed", "target": 5}), 400,
         "not_actuator"),
        (client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 300}), 422, "invalid_value"),
        (client.post("/api/v1/vehicles/car1/commands", json={"target": 3}), 422, "invalid_request"),
        (client.get("/api/v1/commands/nope"), 404, "unknown_command"),
        (client.get("/api/v1/vehicles/car1/history/Vehicle.Sped"), 404, "unknown_path"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code, response.text
        assert response.json()["error"]["message"]


def test_command_lifecycle_over_rest(client: httpx.Client) -> None:
    sent = client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 85, "id": "rest-1"},
                       headers={"X-Homebound-Principal": "ana"})
    assert sent.status_code == 202
    assert sent.json()["state"] == "pending" and sent.json()["principal"] == "rest:ana"
    assert client.get("/api/v1/vehicles/car1/commands").json()[0]["id"] == "rest-1"
    retried = client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 85, "id": "rest-1"})
    assert retried.json()["created_at"] == sent.json()["created_at"]
    conflict = client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 70, "id": "rest-1"})
    assert conflict.status_code == 409
    client.post("/api/v1/vehicles/car1/signals", json={"values": {LIMIT: 85}})
    assert client.get("/api/v1/commands/rest-1").json()["state"] == "confirmed"
    signal = client.get(f"/api/v1/vehicles/car1/signals/{LIMIT}").json()
    assert signal["value"] == 85 and signal["target"] == 85 and signal["pending_command"] is None


def test_unsafe_command_is_409(client: httpx.Client) -> None:
    client.post("/api/v1/vehicles/car1/signals", json={"values": {"Vehicle.Speed": 30}})
    response = client.post("/api/v1/vehicles/car1/commands",
                           json={"path": "Vehicle.Body.Trunk.Rear.IsOpen", "target": True})
    assert response.status_code == 409 and "moving" in response.json()["error"]["message"]


def test_history_over_rest(client: httpx.Client) -> None:
    for speed in (1, 2, 3):
        client.post("/api/v1/vehicles/car1/signals", json={"values": {"Vehicle.Speed": speed}, "ts": 100.0 + speed})
    points = client.get("/api/v1/vehicles/car1/history/Vehicle.Speed").json()["points"]
    assert [p["value"] for p in points] == [1.0, 2.0, 3.0]


def test_openapi_and_metrics(client: httpx.Client, server: LiveServer) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/vehicles/{vehicle_id}/commands" in spec["paths"]
    client.post("/api/v1/vehicles/car1/signals", json={"values": {SOC: 500}})
    metrics = client.get("/api/v1/metrics").json()
    assert metrics["rejected_values"] == 1 and metrics["things"] == 2


def test_command_times_out_visibly(client: httpx.Client) -> None:
    sent = client.post("/api/v1/vehicles/car1/commands", json={"path": LIMIT, "target": 60, "timeout_s": 0.1}).json()
    time.sleep(0.3)
    assert client.get(f"/api/v1/commands/{sent['id']}").json()["state"] == "timed_out"
