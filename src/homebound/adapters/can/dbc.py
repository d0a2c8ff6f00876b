"""Load DBC files with cantools, repairing the few defects real-world files carry.

Community DBC files (opendbc's among them) are written for tools more lenient than cantools: a comment without its
object kind (`CM_ 145 "..."`), a comment without its closing `;`, an extended frame id written without the
extended flag, value tables for signals a message does not have. cantools refuses the whole file for any of
these. A user gains nothing from that refusal, so we repair what has one obvious meaning, name every repair (file,
line, what changed), and refuse the rest with cantools' message, which names the line and column. Nothing is
dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import cantools
from cantools.database.can import Database

from homebound.model.errors import HomeboundError

MAX_DBC_BYTES = 20_000_000
_EXTENDED_FLAG = 0x8000_0000
_STANDARD_MAX = 0x7FF
_EXTENDED_MAX = 0x1FFF_FFFF
_ID_REFERENCE = r"(?:BO_|SG_|VAL_|SIG_VALTYPE_|SG_MUL_VAL_|BO_TX_BU_)"


class DbcError(HomeboundError):
    """A DBC file that cannot be read or that cantools refuses even after the known repairs."""


@dataclass(slots=True)
class LoadedDbc:
    """A parsed DBC database, where it came from, and each repair made to load it."""

    database: Database
    origin: str
    repairs: list[str] = field(default_factory=list)


def load_dbc(path: Path | str, *, origin: str | None = None) -> LoadedDbc:
    """Read and parse a DBC file; repair known defects (each one listed in `repairs`); DbcError otherwise."""
    path = Path(path)
    name = origin or str(path)
    try:
        if path.stat().st_size > MAX_DBC_BYTES:
            raise DbcError(f"{name}: {path.stat().st_size:,} bytes is more than a DBC file may have "
                           f"({MAX_DBC_BYTES:,})")
        raw = path.read_bytes()
    except OSError as error:
        raise DbcError(f"{name}: cannot read: {error.strerror or error}") from None
    # DBC files are often Windows-1252 (CANdb++); latin-1 maps every byte, so no file is refused for its encoding.
    text = raw.decode("utf-8") if _is_utf8(raw) else raw.decode("latin-1")
    return parse_dbc(text, name)


def parse_dbc(text: str, origin: str = "DBC") -> LoadedDbc:
    """Parse DBC text; when cantools refuses it, repair the known defects and try again."""
    try:
        return LoadedDbc(_parse(text), origin)
    except Exception as first:  # cantools raises several types (ParseError, Error, ValueError)
        error: Exception = first
    repaired, repairs = repair_dbc_text(text)
    for _ in range(2):
        if repairs:
            try:
                return LoadedDbc(_parse(repaired), origin, [f"{origin}: {r.text}" for r in repairs])
            except Exception as again:
                error = again
        dropped = _drop_unused_value_tables(repaired, str(error))
        if not dropped:
            break
        repairs += dropped
        repaired = _apply_dropped(repaired, dropped)
    where = _line_of_named_message(text, str(error))
    if not repairs:
        raise DbcError(f"{origin}: cantools refuses it{where}: {_one_line(error)}")
    raise DbcError(f"{origin}: cantools refuses it even after {len(repairs)} repairs{where}: {_one_line(error)}")


def _line_of_named_message(text: str, message: str) -> str:
    """cantools names the message, not the line, when a frame id is wrong; find the line for the user."""
    named = re.search(r"in message (\w+)", message)
    if named is None:
        return ""
    definition = re.compile(rf"^\s*BO_\s+\d+\s+{re.escape(named.group(1))}\s*:")
    for number, line in enumerate(text.split("\n"), start=1):
        if definition.match(line):
            return f" (line {number})"
    return ""


def _parse(text: str) -> Database:
    database = cantools.database.load_string(text, database_format="dbc", strict=False)
    assert isinstance(database, Database)
    return database


@dataclass(slots=True)
class _Repair:
    line: int
    text: str
    drop_line: bool = False


_COMMENT_WITHOUT_KIND = re.compile(r"^(\s*CM_\s+)(\d+)(\s+\")")
_MESSAGE_LINE = re.compile(r"^\s*BO_\s+(\d+)\s+(\w+)\s*:")


def repair_dbc_text(text: str) -> tuple[str, list[_Repair]]:
    """The known defects, fixed in the text; line numbers are those of the original file."""
    lines = text.split("\n")
    repairs: list[_Repair] = []
    for number, line in enumerate(lines, start=1):
        match = _COMMENT_WITHOUT_KIND.match(line)
        if match:
            lines[number - 1] = f"{match.group(1)}BO_ {match.group(2)}{match.group(3)}{line[match.end():]}"
            repairs.append(_Repair(number, f"line {number}: comment on message {match.group(2)} had no object "
                                           "kind; read as `CM_ BO_`"))
        stripped = lines[number - 1].rstrip()
        if stripped.lstrip().startswith("CM_") and stripped.endswith('"') and stripped.count('"') % 2 == 0:
            lines[number - 1] = stripped + ";"
            repairs.append(_Repair(number, f"line {number}: comment had no closing `;`; added"))
    unflagged: dict[int, tuple[int, str]] = {}
    for number, line in enumerate(lines, start=1):
        match = _MESSAGE_LINE.match(line)
        if match:
            frame_id = int(match.group(1))
            if _STANDARD_MAX < frame_id <= _EXTENDED_MAX:
                unflagged[frame_id] = (number, match.group(2))
    if unflagged:
        pattern = re.compile(rf"(\b{_ID_REFERENCE}\s+)({'|'.join(str(i) for i in unflagged)})\b")
        joined = pattern.sub(lambda m: f"{m.group(1)}{int(m.group(2)) | _EXTENDED_FLAG}", "\n".join(lines))
        lines = joined.split("\n")
        for frame_id, (number, name) in sorted(unflagged.items(), key=lambda item: item[1][0]):
            repairs.append(_Repair(number, f"line {number}: message {name} has frame id 0x{frame_id:X}, too long "
                                           "for a standard frame; read as an extended (29-bit) frame"))
    return "\n".join(lines), repairs


_UNUSED_VALUE_TABLE = re.compile(r"VAL_ (\d+) (\w+)")


def _drop_unused_value_tables(text: str, message: str) -> list[_Repair]:
    """cantools lists value tables (`VAL_`) of signals that do not exist; such a table can describe nothing."""
    if "unused VAL_ entries" not in message:
        return []
    repairs = []
    unused = set(_UNUSED_VALUE_TABLE.findall(message))
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.match(r"\s*VAL_\s+(\d+)\s+(\w+)", line)
        if match and (match.group(1), match.group(2)) in unused:
            repairs.append(_Repair(number, f"line {number}: value table of {match.group(2)} in message "
                                           f"{match.group(1)}, which has no such signal; ignored", drop_line=True))
    return repairs


def _apply_dropped(text: str, repairs: list[_Repair]) -> str:
    dropped = {r.line for r in repairs if r.drop_line}
    if not dropped:
        return text
    return "\n".join("" if number in dropped else line for number, line in enumerate(text.split("\n"), start=1))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:400]
