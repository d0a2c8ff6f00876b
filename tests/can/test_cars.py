"""Shipped cars: the Kona EV's real recording gives what its notes say; the Model 3 mapping decodes its DBC."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from cantools.database.can import Database

from homebound.adapters.can.cars import car_mapping, list_cars, load_mapping_dbcs
from homebound.adapters.can.decoder import FrameDecoder
from homebound.adapters.can.runner import CanGatewaySettings, assemble
from homebound.adapters.hub_link import InProcessLink
from homebound.hub.core import Hub
from homebound.model.catalog import Catalog


def test_shipped_cars_are_listed() -> None:
    cars = {car.name: car for car in list_cars()}
    assert set(cars) >= {"hyundai_kona_ev", "tesla_model3"}
    assert cars["hyundai_kona_ev"].dbc_files == ("opendbc:hyundai_kia_generic.dbc",)


def test_kona_recording_gives_odometer_gear_and_speed(kona_log: Path, hub: Hub) -> None:
    settings = CanGatewaySettings(car="hyundai_kona_ev", log=kona_log)
    assembled = assemble(settings, InProcessLink(hub, "car1"), hub.describe("car1").catalog)
    asyncio.run(assembled.run())
    value = {path: (hub.read("car1", path) or (None,))[0] for path in assembled.gateway.decoder.mapping.paths()}
    assert value["Vehicle.TraveledDistance"] == 26_716_500  # 26,716.5 km, in VSS metres
    assert value["Vehicle.Powertrain.Transmission.SelectedGear"] == 126  # P
    assert value["Vehicle.Powertrain.Transmission.IsParkLockEngaged"] is True
    assert value["Vehicle.Speed"] == 0.0
    stats = assembled.gateway.decoder.stats
    assert stats.wrong_length == 0 and stats.undecodable == 0 and assembled.gateway.delivery.rejected == 0
    assert assembled.source_stats.other_channel == 24_263  # the P-CAN half of the log, which this DBC does not describe


def test_cli_replays_the_kona_log_and_prints_the_values(kona_log: Path) -> None:
    homebound = str(Path(sys.executable).parent / "homebound")
    result = subprocess.run([homebound, "gateway", "can", "--car", "hyundai_kona_ev", "--log", str(kona_log)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert "Vehicle.TraveledDistance" in result.stdout and "26716500" in result.stdout
    assert "line 1656: comment on message 145 had no object kind" in result.stderr.replace("\n", "")


def test_model3_mapping_decodes_battery_odometer_gear_and_doors(catalog: Catalog) -> None:
    mapping = car_mapping("tesla_model3")
    databases = [d.database for d in load_mapping_dbcs(mapping)]
    db: Database = databases[0]
    decoder = FrameDecoder(databases, mapping, catalog)
    frames = {
        "ID292BMS_SOC": {"SOCave292": 78.4, "SOCUI292": 77.0},
        "ID3B6odometer": {"Odometer3B6": 43210.987},
        "ID118DriveSystemStatus": {"DI_gear": "DI_GEAR_D"},
        "ID102VCLEFT_doorStatus": {"VCLEFT_frontLatchStatus": "LATCH_OPENED",
                                   "VCLEFT_rearLatchStatus": "LATCH_CLOSED"},
        "ID132HVBattAmpVolt": {"BattVoltage132": 398.5},
    }
    batch: dict[str, object] = {}
    for name, values in frames.items():
        message = db.get_message_by_name(name)
        full = {s.name: 0 for s in message.signals} | values
        decoder.decode(message.frame_id, message.encode(full, strict=False), 1.0, batch)
    assert batch["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"] == 78.4
    assert batch["Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed"] == 77.0
    assert batch["Vehicle.TraveledDistance"] == 43_210_987
    assert batch["Vehicle.Powertrain.Transmission.SelectedGear"] == 127
    assert batch["Vehicle.Cabin.Door.Row1.DriverSide.IsOpen"] is True
    assert batch["Vehicle.Cabin.Door.Row2.DriverSide.IsOpen"] is False
    assert batch["Vehicle.Powertrain.TractionBattery.CurrentVoltage"] == 398.5


async def test_a_configured_gateway_runs_beside_the_hub(kona_log: Path, tmp_path: Path) -> None:
    from homebound.app.config import Config
    from homebound.app.runtime import Runtime

    config = Config.model_validate({"storage": {"url": f"sqlite:///{tmp_path / 'h.db'}"}, "kuksa": {"enabled": False},
                                    "can": [{"vehicle": "car1", "car": "hyundai_kona_ev", "log": str(kona_log)}]})
    runtime = Runtime(config)
    await runtime.start()
    try:
        for _ in range(200):
            reading = runtime.hub.read("car1", "Vehicle.TraveledDistance")
            if reading is not None:
                break
            await asyncio.sleep(0.05)
        assert reading is not None and reading.value == 26_716_500
        assert reading.principal == "gateway:can"
    finally:
        await runtime.stop()
