"""Retention: every value for `raw_days`, then one per signal per `downsample_s`, nothing past `keep_days`;
sessions are never touched. `storage_stats` says how much is stored."""

from __future__ import annotations

from homebound.app.config import Config, KuksaConfig, StorageConfig, VehicleConfig
from homebound.app.runtime import Runtime
from homebound.history.config import HistoryConfig, RecordingConfig
from homebound.history.retention import Retention, storage_stats
from tests.history.conftest import SPEED, T0

DAY = 86_400.0


async def _hub_with_old_speeds(url: str, recording: RecordingConfig) -> Runtime:
    """Speeds every 10 s for an hour, 40 days before T0 and again 2 days before T0 (no deadband)."""
    config = Config(storage=StorageConfig(url=url, flush_interval_s=0.05), kuksa=KuksaConfig(enabled=False),
                    vehicles=[VehicleConfig(id="car1")], history=HistoryConfig(timezone="UTC", recording=recording))
    runtime = Runtime(config)
    await runtime.start()
    for start in (T0 - 40 * DAY, T0 - 2 * DAY):
        for step in range(360):
            runtime.hub.ingest("car1", {SPEED: float(step)}, ts=start + 10 * step)
    await runtime.recorder.flush()
    return runtime


async def test_old_values_are_downsampled_to_one_a_minute_and_recent_ones_kept(database_url: str) -> None:
    recording = RecordingConfig(deadband=False, raw_days=30, downsample_s=60)
    runtime = await _hub_with_old_speeds(database_url, recording)
    try:
        assert runtime.store.count_history("car1") == 720
        result = Retention(runtime.database, recording).run(now=T0)
        # The old hour keeps the last value of each minute: 60 rows of 360; the recent hour all of its 360.
        assert result.downsampled_rows == 300
        old = runtime.store.history("car1", SPEED, until=T0 - 30 * DAY)
        assert len(old) == 60 and [v for _, v, _ in old[:2]] == [5.0, 11.0]
        assert runtime.store.count_history("car1") == 420
        assert Retention(runtime.database, recording).run(now=T0).downsampled_rows == 0   # done already
    finally:
        await runtime.stop()


async def test_values_older_than_keep_days_are_deleted(database_url: str) -> None:
    recording = RecordingConfig(deadband=False, raw_days=1, keep_days=10)
    runtime = await _hub_with_old_speeds(database_url, recording)
    try:
        result = Retention(runtime.database, recording).run(now=T0)
        assert result.deleted_rows == 60          # the 40-day-old hour, already downsampled to 60
        assert runtime.store.history("car1", SPEED, until=T0 - 10 * DAY) == []
    finally:
        await runtime.stop()


async def test_stats_say_how_much_is_stored(database_url: str) -> None:
    runtime = await _hub_with_old_speeds(database_url, RecordingConfig(deadband=False))
    try:
        await runtime.carlog.writer.flush()
        stats = storage_stats(runtime.database)
        assert stats["history_rows"] == 720 and stats["things"] == 1
        assert stats["top_paths"] == [{"path": SPEED, "rows": 720}]
        assert isinstance(stats["size_bytes"], int) and stats["size_bytes"] > 0
        assert stats["days"] == 38.042                          # 40 days ago to 2 days ago plus 3590 s
        # Speed without gear data is driving: each hour is a drive after a parked moment; the first drive ended
        # with the 38-day silence, the second is still open.
        assert stats["sessions"] == {"drives": 1, "drive_points": 0, "charges": 0, "charge_points": 0,
                                     "parked": 2, "open_sessions": 1}
    finally:
        await runtime.stop()
