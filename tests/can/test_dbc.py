"""DBC files cantools refuses as shipped are repaired (each repair named by line) or refused naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from homebound.adapters.can.cars import opendbc_dir
from homebound.adapters.can.dbc import DbcError, load_dbc, parse_dbc

HEADER = 'VERSION ""\n\nNS_ :\n\nBS_:\n\nBU_: ECU\n\n'


def test_opendbc_hyundai_file_loads_with_its_two_comment_lines_repaired() -> None:
    loaded = load_dbc(opendbc_dir() / "hyundai_kia_generic.dbc", origin="opendbc:hyundai_kia_generic.dbc")
    assert loaded.repairs == [
        "opendbc:hyundai_kia_generic.dbc: line 1656: comment on message 145 had no object kind; read as `CM_ BO_`",
        "opendbc:hyundai_kia_generic.dbc: line 1657: comment on message 512 had no object kind; read as `CM_ BO_`",
    ]
    assert loaded.database.get_message_by_name("CLU12").get_signal_by_name("CF_Clu_Odometer").unit == "km"


def test_an_extended_frame_id_written_without_its_flag_is_read_as_extended() -> None:
    text = HEADER + ("BO_ 274877907 DOOR: 1 ECU\n SG_ Open : 0|1@1+ (1,0) [0|1] \"\" ECU\n\n"
                     'CM_ SG_ 274877907 Open "door open";\nVAL_ 274877907 Open 0 "CLOSED" 1 "OPEN" ;\n')
    loaded = parse_dbc(text, "door.dbc")
    message = loaded.database.get_message_by_name("DOOR")
    assert (message.frame_id, message.is_extended_frame) == (274877907, True)
    assert message.get_signal_by_name("Open").choices is not None
    assert loaded.repairs == ["door.dbc: line 9: message DOOR has frame id 0x10624DD3, too long for a standard "
                              "frame; read as an extended (29-bit) frame"]


def test_a_value_table_for_a_missing_signal_is_dropped_and_said() -> None:
    text = HEADER + ("BO_ 100 DOOR: 1 ECU\n SG_ Open : 0|1@1+ (1,0) [0|1] \"\" ECU\n\n"
                     'VAL_ 100 Gone 0 "A" 1 "B" ;\n')
    loaded = parse_dbc(text, "door.dbc")
    assert loaded.repairs == ["door.dbc: line 12: value table of Gone in message 100, which has no such signal; "
                              "ignored"]


def test_a_file_that_cannot_be_repaired_is_refused_naming_the_line() -> None:
    with pytest.raises(DbcError, match=r"mazda_2017.dbc: cantools refuses it: .*line 273, column 10"):
        load_dbc(opendbc_dir() / "mazda_2017.dbc", origin="mazda_2017.dbc")


def test_a_frame_id_error_names_the_line_of_the_message() -> None:
    with pytest.raises(DbcError, match=r"refuses it \(line 387\): .*BDB1F01_14"):
        load_dbc(opendbc_dir() / "toyota_2017_ref_pt.dbc")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DbcError, match=r"none\.dbc: cannot read"):
        load_dbc(tmp_path / "none.dbc")


def test_every_opendbc_file_loads_or_is_refused_with_a_line(tmp_path: Path) -> None:
    refused = []
    for path in sorted(opendbc_dir().glob("*.dbc")):
        try:
            load_dbc(path)
        except DbcError as error:
            assert "line" in str(error), str(error)
            refused.append(path.name)
    assert refused == ["mazda_2017.dbc", "psa_aee2010_r3.dbc", "toyota_2017_ref_pt.dbc"]
