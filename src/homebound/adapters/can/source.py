"""Where frames come from: a live bus through python-can, or a recorded log replayed at its pace or at full speed.

Frames travel as plain tuples `(key, data, timestamp, channel)` in chunks, so the gateway's loop touches no
per-frame objects beyond what the reader makes. Logs are read by python-can's `can.LogReader` (ASC, BLF, CSV,
TRC...), except two line formats we read ourselves because one bad line must not end the replay: `candump -L`
(`.log`), python-can's own reader of which stops at the first malformed line, and SavvyCAN's GVRET CSV, which
python-can does not read. Bad lines are counted and the first few named by line number.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from can.typechecking import CanFilter

import can
from homebound.adapters.can.decoder import frame_key
from homebound.model.errors import HomeboundError

RawFrame = tuple[int, bytes, float, str | int | None]
"""One frame: (frame key, payload, timestamp in seconds, channel or None)."""

CHUNK = 2000
MAX_LINE = 512
BAD_LINES_NAMED = 5


class SourceError(HomeboundError):
    """A bus that cannot be opened or a log that cannot be read; the message names which and why."""


@dataclass
class SourceStats:
    frames: int = 0
    bad_lines: int = 0
    bad_line_examples: list[str] = field(default_factory=list)
    other_channel: int = 0
    error_frames: int = 0
    stopped_early: str | None = None

    def bad_line(self, origin: str, number: int, line: str, why: str) -> None:
        self.bad_lines += 1
        if len(self.bad_line_examples) < BAD_LINES_NAMED:
            self.bad_line_examples.append(f"{origin}:{number}: {why}: {line.strip()[:60]!r}")


def _candump_frames(path: Path, stats: SourceStats) -> Iterator[RawFrame]:
    """`candump -L` lines: `(1700000000.123456) can0 123#DEADBEEF` (also `##` CAN FD and `R` remote frames)."""
    origin = path.name
    with path.open("r", encoding="ascii", errors="replace", newline="") as file:
        for number, line in enumerate(file, start=1):
            if len(line) > MAX_LINE:
                stats.bad_line(origin, number, line, f"longer than {MAX_LINE} characters")
                continue
            parts = line.split()
            if not parts:
                continue
            try:
                stamp, channel, frame = parts[0], parts[1], parts[2]
                if stamp[0] != "(" or stamp[-1] != ")":
                    raise ValueError("no (timestamp)")
                ts = float(stamp[1:-1])
                ident, _, payload = frame.partition("#")
                if not ident or len(ident) > 8:
                    raise ValueError("no frame id")
                arbitration_id = int(ident, 16)
                if payload[:1] == "#":  # CAN FD: one flags digit, then the data
                    payload = payload[2:]
                elif payload[:1] in ("R", "r"):
                    continue  # remote frames carry no data to decode
                data = bytes.fromhex(payload)
                if len(data) > 64:
                    raise ValueError("more than 64 data bytes")
            except (ValueError, IndexError) as error:
                stats.bad_line(origin, number, line, str(error) or "malformed")
                continue
            extended = len(ident) > 3
            if arbitration_id > (0x1FFFFFFF if extended else 0x7FF):
                stats.bad_line(origin, number, line, "frame id out of range")
                continue
            yield frame_key(arbitration_id, extended), data, ts, channel


def _gvret_frames(path: Path, stats: SourceStats) -> Iterator[RawFrame]:
    """SavvyCAN GVRET CSV: `Time Stamp,ID,Extended,Bus,LEN,D1..D8` (timestamps in microseconds)."""
    origin = path.name
    with path.open("r", encoding="ascii", errors="replace", newline="") as file:
        next(file, None)
        for number, line in enumerate(file, start=2):
            if len(line) > MAX_LINE:
                stats.bad_line(origin, number, line, f"longer than {MAX_LINE} characters")
                continue
            cells = line.strip().split(",")
            if cells == [""]:
                continue
            try:
                ts = int(cells[0]) / 1e6
                arbitration_id = int(cells[1], 16)
                extended = cells[2].strip().lower() == "true"
                length = int(cells[4])
                if not 0 <= length <= 64 or len(cells) < 5 + length:
                    raise ValueError(f"length {length} does not match the data cells")
                data = bytes(int(cell, 16) for cell in cells[5:5 + length])
            except (ValueError, IndexError) as error:
                stats.bad_line(origin, number, line, str(error) or "malformed")
                continue
            if arbitration_id > (0x1FFFFFFF if extended else 0x7FF):
                stats.bad_line(origin, number, line, "frame id out of range")
                continue
            yield frame_key(arbitration_id, extended), data, ts, f"can{cells[3].strip()}"


def _python_can_frames(path: Path, stats: SourceStats) -> Iterator[RawFrame]:
    try:
        reader = can.LogReader(str(path))
    except Exception as error:  # python-can raises ValueError for unknown suffixes, others for bad headers
        raise SourceError(f"{path}: python-can cannot read this log: {error}") from None
    try:
        for message in reader:
            if message.is_error_frame:
                stats.error_frames += 1
                continue
            if message.is_remote_frame:
                continue
            yield (frame_key(message.arbitration_id, message.is_extended_id), bytes(message.data),
                   message.timestamp, _channel(message.channel))
    except Exception as error:  # a corrupt file: keep what was read, say where it stopped
        stats.stopped_early = f"{path.name}: stopped after {stats.frames} frames: {' '.join(str(error).split())[:200]}"
    finally:
        with contextlib.suppress(Exception):
            reader.stop()


def _channel(channel: object) -> str | int | None:
    return channel if isinstance(channel, str | int) else None


def log_frames(path: Path | str, stats: SourceStats) -> Iterator[RawFrame]:
    """Every frame of a log file, by its format (candump `.log`, GVRET `.csv`, or what python-can reads)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such log file")
    suffix = path.suffix.lower()
    if suffix == ".log":
        return _candump_frames(path, stats)
    if suffix == ".csv":
        with path.open("r", encoding="ascii", errors="replace") as file:
            header = file.readline()
        if header.replace(" ", "").lower().startswith("timestamp,id,extended,bus,len"):
            return _gvret_frames(path, stats)
    return _python_can_frames(path, stats)


async def replay_log(path: Path | str, stats: SourceStats, *, realtime: bool = False,
                     channel: str | None = None) -> AsyncIterator[list[RawFrame]]:
    """Chunks of a log's frames: as fast as they can be read, or spaced as they were recorded (`realtime`)."""
    frames = log_frames(path, stats)
    chunk: list[RawFrame] = []
    first_ts: float | None = None
    started = time.monotonic()
    for frame in frames:
        if channel is not None and frame[3] != channel:
            stats.other_channel += 1
            continue
        stats.frames += 1
        if realtime:
            if first_ts is None:
                first_ts = frame[2]
            wait = (frame[2] - first_ts) - (time.monotonic() - started)
            if wait > 0.005:
                if chunk:
                    yield chunk
                    chunk = []
                await asyncio.sleep(wait)
        chunk.append(frame)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
            await asyncio.sleep(0)
    if chunk:
        yield chunk


def open_bus(interface: str, channel: str, *, frame_keys: list[int] | None = None,
             receive_own_messages: bool = False) -> can.BusABC:
    """A python-can bus (`socketcan` on vcan0/can0, `virtual` for tests...), filtered to the mapped frames."""
    filters: list[CanFilter] | None = None
    if frame_keys:
        filters = [CanFilter(can_id=key & 0x1FFFFFFF, can_mask=0x1FFFFFFF if key & 0x8000_0000 else 0x7FF)
                   for key in frame_keys]
    try:
        return can.Bus(interface=interface, channel=channel, can_filters=filters,
                       receive_own_messages=receive_own_messages)
    except Exception as error:  # python-can raises CanInterfaceNotImplementedError, OSError, ValueError...
        raise SourceError(f"cannot open CAN bus {interface}:{channel}: {' '.join(str(error).split())[:200]}") from None


async def bus_frames(bus: can.BusABC, stats: SourceStats) -> AsyncIterator[list[RawFrame]]:
    """Chunks of frames as they arrive on a live bus: whatever is waiting when the loop comes round."""
    reader = can.AsyncBufferedReader()
    notifier = can.Notifier(bus, [reader], loop=asyncio.get_running_loop())
    try:
        while True:
            message = await reader.get_message()
            chunk: list[RawFrame] = []
            while True:
                if message.is_error_frame:
                    stats.error_frames += 1
                elif not message.is_remote_frame:
                    stats.frames += 1
                    chunk.append((frame_key(message.arbitration_id, message.is_extended_id), bytes(message.data),
                                  message.timestamp, _channel(message.channel)))
                if len(chunk) >= CHUNK or reader.buffer.empty():
                    break
                message = reader.buffer.get_nowait()
            if chunk:
                yield chunk
    finally:
        notifier.stop()
