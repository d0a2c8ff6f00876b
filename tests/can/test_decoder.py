"""The decoder never raises: unmapped, truncated, undecodable, out-of-range and unmappable frames are counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from cantools.database.can import Database

from homebound.adapters.can.decoder import FrameDecoder
from homebound.adapters.can.mapping import MappingError, parse_mapping, read_mapping
from homebound.adapters.can.source import SourceStats, log_frames
from homebound.model.catalog import Catalog
from tests.can.conftest import DATA, body_status


def decoder(db: Database, catalog: Catalog, mapping_file: str = "body_kuksa.json") -> FrameDecoder:
    return FrameDecoder([db], read_mapping(DATA / mapping_file), catalog)


def test_frames_nobody_mapped_and_truncated_frames_are_counted(body_db: Database, catalog: Catalog) -> None:
    dec = decoder(body_db, catalog)
    batch: dict[str, object] = {}
    dec.decode(0x123, b"\x00" * 8, 0.0, batch)
    dec.decode(768, b"\x00" * 3, 0.0, batch)
    assert (dec.stats.unmapped, dec.stats.wrong_length, batch) == (1, 1, {})
    assert dec.stats.wrong_length_ids[768] == 1


def test_a_value_outside_the_dbc_range_is_counted_not_sent(body_db: Database, catalog: Catalog) -> None:
    dec = decoder(body_db, catalog)
    batch: dict[str, object] = {}
    frame = bytearray(body_status(body_db, speed=10.0))
    frame[1:3] = (65535).to_bytes(2, "little")  # 655.35 km/h, beyond the DBC's [0|300]
    dec.decode(768, bytes(frame), 0.0, batch)
    assert "Vehicle.Speed" not in batch and dec.stats.out_of_range_signals["VehicleSpeed"] == 1
    assert batch["Vehicle.Cabin.HVAC.AmbientAirTemperature"] == 21.0  # the rest of the frame still counts


def test_a_value_the_mapping_table_lacks_is_skipped_and_counted(body_db: Database, catalog: Catalog) -> None:
    dec = decoder(body_db, catalog)
    batch: dict[str, object] = {}
    dec.decode(768, body_status(body_db, latch="LATCH_SNA"), 0.0, batch)
    assert "Vehicle.Body.Trunk.Rear.IsOpen" not in batch
    assert dec.stats.skipped_values == 1


def test_interval_ms_skips_decoding_until_a_rule_is_due(body_db: Database, catalog: Catalog) -> None:
    mapping = parse_mapping({"signals": {"Vehicle.Speed": {"signal": "VehicleSpeed", "interval_ms": 100}}}, "m")
    dec = FrameDecoder([body_db], mapping, catalog)
    sent = []
    for step in range(30):  # 10 ms apart: 300 ms of frames
        batch: dict[str, object] = {}
        dec.decode(768, body_status(body_db, speed=step), step * 0.01, batch)
        sent += list(batch.values())
    assert sent == [0.0, 10.0, 20.0]
    assert (dec.stats.decoded, dec.stats.throttled) == (3, 27)


def test_on_change_sends_only_changes(body_db: Database, catalog: Catalog) -> None:
    dec = decoder(body_db, catalog)
    sent = []
    for cabin in (20.0, 20.0, 20.5, 20.5, 20.0):
        batch: dict[str, object] = {}
        dec.decode(768, body_status(body_db, cabin=cabin), 0.0, batch)
        if "Vehicle.Cabin.HVAC.AmbientAirTemperature" in batch:
            sent.append(batch["Vehicle.Cabin.HVAC.AmbientAirTemperature"])
    assert sent == [20.0, 20.5, 20.0]


def test_mapping_errors_against_dbc_and_catalog_are_all_named(body_db: Database, catalog: Catalog) -> None:
    mapping = parse_mapping({"signals": {"Vehicle.Sped": "VehicleSpeed", "Vehicle.Speed": "VehicleSped"},
                             "actuators": {"Vehicle.TraveledDistance": "TrunkRequest"}}, "car.yaml")
    with pytest.raises(MappingError) as caught:
        FrameDecoder([body_db], mapping, catalog)
    text = str(caught.value)
    assert "car.yaml: Vehicle.Sped: not a signal of the catalog 'built-in'; did you mean Vehicle.Speed," in text
    assert "car.yaml: Vehicle.Speed: DBC signal 'VehicleSped' is in none of the DBC files; did you mean " \
           "VehicleSpeed?" in text
    assert "Vehicle.TraveledDistance: vss2dbc is only for actuators, and the catalog says this is a sensor" in text


def test_hostile_log_lines_are_counted_and_named(tmp_path: Path) -> None:
    log = tmp_path / "hostile.log"
    log.write_bytes(b"(1.0) can0 300#0011\n"
                    b"garbage\n"
                    b"(1.1) can0 3G0#00\n"
                    b"(1.2) can0 300#" + b"AB" * 600 + b"\n"
                    b"(1.3) can0 FFFFFFFFF#00\n"
                    b"\xff\xfe(1.4) can0 300#00\n"
                    b"(1.5) can1 123#R\n"
                    b"(1.6) can0 1FFFFFFF#0102\n")
    stats = SourceStats()
    frames = list(log_frames(log, stats))
    assert [(f[0] & 0x1FFFFFFF, f[1]) for f in frames] == [(0x300, b"\x00\x11"), (0x1FFFFFFF, b"\x01\x02")]
    assert stats.bad_lines == 5
    assert stats.bad_line_examples[0].startswith("hostile.log:2: ")


def test_savvycan_gvret_csv_is_read(tmp_path: Path) -> None:
    csv = tmp_path / "gvret.csv"
    csv.write_text("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n"
                   "1953613500,00000300,false,1,2,00,11\nnot,a,frame\n")
    stats = SourceStats()
    assert list(log_frames(csv, stats)) == [(0x300, b"\x00\x11", 1953.6135, "can1")]
    assert stats.bad_lines == 1
