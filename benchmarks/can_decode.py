"""Frames per second through the CAN decoder on a Model 3 vehicle-bus log, against cantools' own decode loop.

No real Model 3 recording is public under a license we could use here (and none is in the shared data), so the
log is SYNTHETIC: generated from Model3CAN.dbc, every message of the DBC at its own cycle time (its
`GenMsgCycleTime` where given, else 100 ms), 20 s of traffic, each signal a seeded random value within its range.
It has the real bus's mix of frame ids and rates; its values are meaningless.

Baseline: the loop anyone would write with cantools, `db.decode_message(id, data)` for every frame. Ours: the
decoder with the shipped `tesla_model3` mapping, which decodes only frames the mapping reads, and only when one of
their signals is due (interval_ms). Also measured: the whole replay (reading the candump file, then decoding).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, figure
from homebound.adapters.can.cars import car_mapping, load_mapping_dbcs
from homebound.adapters.can.decoder import FrameDecoder
from homebound.adapters.can.source import RawFrame, SourceStats, log_frames
from homebound.model.vss_loader import builtin_catalog

SECONDS_OF_TRAFFIC = 20.0


def synthetic_model3_log(seed: int = 3) -> list[RawFrame]:
    database = load_mapping_dbcs(car_mapping("tesla_model3"))[0].database
    rng = random.Random(seed)
    frames: list[RawFrame] = []
    for message in database.messages:
        cycle = message.cycle_time or 100
        payloads = []
        for _ in range(8):  # a few different payloads per id, reused, so generation stays quick
            values: dict[str, int | float] = {}
            for signal in message.signals:
                low = signal.minimum if signal.minimum is not None else 0
                high = signal.maximum if signal.maximum is not None else low
                values[signal.name] = rng.uniform(low, high) if signal.scale != 1 else rng.randint(
                    int(low), int(max(low, high)))
            try:
                payloads.append(message.encode(values, strict=False))
            except Exception:
                payloads.append(bytes(message.length))
        t = rng.uniform(0, cycle / 1000)
        key = message.frame_id | (0x8000_0000 if message.is_extended_frame else 0)
        index = 0
        while t < SECONDS_OF_TRAFFIC:
            frames.append((key, payloads[index % len(payloads)], 1_600_000_000 + t, "can0"))
            index += 1
            t += cycle / 1000
    frames.sort(key=lambda frame: frame[2])
    return frames


def _timed(operation: object, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        operation()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def can_figures() -> list[Figure]:
    mapping = car_mapping("tesla_model3")
    databases = [d.database for d in load_mapping_dbcs(mapping)]
    database = databases[0]
    frames = synthetic_model3_log()
    ids = {(m.frame_id | (0x8000_0000 if m.is_extended_frame else 0)): m.frame_id for m in database.messages}

    def cantools_loop() -> None:
        decode = database.decode_message
        for key, data, _ts, _channel in frames:
            try:  # noqa: SIM105 - a plain try is what such a loop uses, and cheaper than contextlib.suppress
                decode(ids[key], data)
            except Exception:
                pass

    def ours() -> None:
        decoder = FrameDecoder(databases, mapping, builtin_catalog())
        batch: dict[str, object] = {}
        decode = decoder.decode
        for key, data, ts, _channel in frames:
            decode(key, data, ts, batch)

    baseline = len(frames) / _timed(cantools_loop)
    measured = len(frames) / _timed(ours)
    note = f"synthetic Model 3 log from Model3CAN.dbc: {len(frames):,} frames, {len(ids)} ids, 20 s of traffic"
    figures = [figure("can decode, tesla_model3 mapping (in memory)", measured, "frames/s", baseline, note)]

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "model3_synthetic.log"
        with log.open("w", encoding="ascii") as out:
            for key, data, ts, channel in frames:
                ident = f"{key & 0x1FFFFFFF:08X}" if key & 0x8000_0000 else f"{key:03X}"
                out.write(f"({ts:.6f}) {channel} {ident}#{data.hex().upper()}\n")

        def replay() -> None:
            decoder = FrameDecoder(databases, mapping, builtin_catalog())
            batch: dict[str, object] = {}
            decode = decoder.decode
            for key, data, ts, _channel in log_frames(log, SourceStats()):
                decode(key, data, ts, batch)

        measured = len(frames) / _timed(replay)
        figures.append(figure("can replay, candump file read + decode, tesla_model3 mapping", measured, "frames/s",
                              baseline, "same synthetic log written as candump -L; baseline: cantools decode loop "
                                        "on frames already in memory"))
    return figures


if __name__ == "__main__":
    from benchmarks.common import report

    report(can_figures())
