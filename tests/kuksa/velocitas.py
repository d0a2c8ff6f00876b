"""The Velocitas SDK's environment and vehicle model, for the tests that run Velocitas apps against the hub."""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import threading
import time
from pathlib import Path

from homebound.app.config import CatalogConfig, CommandsConfig, Config, KuksaConfig, StorageConfig, VehicleConfig
from tests.conftest import vss_release
from tests.support.side_venvs import side_venv

VELOCITAS = ["velocitas-sdk==0.15.7", "velocitas-model-generator==0.9.0"]
VSS = "vss_release_4.0.json"  # the release Velocitas' seat-adjuster names in its AppManifest


def velocitas_env() -> Path:
    return side_venv("velocitas-sdk-0.15.7", VELOCITAS)


def vehicle_model(bin_dir: Path, folder: Path) -> Path:
    """Generate the Python vehicle model (package `vehicle`) from the VSS export, as `velocitas init` does."""
    subprocess.run([str(bin_dir / "gen-model"), "-T", str(folder), "-N", "vehicle", str(vss_release(VSS))], check=True,
                   capture_output=True, timeout=120)
    return folder


def velocitas_config(tmp_path: Path) -> Config:
    return Config(storage=StorageConfig(url=f"sqlite:///{tmp_path / 'hub.db'}", flush_interval_s=0.05),
                  catalog=CatalogConfig(vss=[vss_release(VSS)]), commands=CommandsConfig(timeout_s=5),
                  kuksa=KuksaConfig(port=0), vehicles=[VehicleConfig(id="car1")])


class Lines:
    """A running program's standard output, one JSON object per line, read with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.seen: list[dict[str, object]] = []
        self._untaken: list[dict[str, object]] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: [self._queue.put(line) for line in stdout], daemon=True).start()

    def next(self, event: str, timeout: float = 15.0, **expected: object) -> dict[str, object]:
        """The first line not yet taken of this event (with these fields); AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for item in self._untaken:
                if item.get("event") == event and all(item.get(k) == v for k, v in expected.items()):
                    self._untaken.remove(item)
                    return item
            remaining = deadline - time.monotonic()
            try:
                self._read(max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError(f"no {event} {expected} within {timeout} s; saw {self.seen[-10:]}") from None

    def nothing(self, event: str, within: float) -> None:
        """No line of this event comes within `within` seconds (nor was waiting)."""
        deadline = time.monotonic() + within
        while (remaining := deadline - time.monotonic()) > 0:
            with contextlib.suppress(queue.Empty):
                self._read(remaining)
        assert not [item for item in self._untaken if item.get("event") == event], self._untaken

    def _read(self, timeout: float) -> None:
        line = self._queue.get(timeout=timeout)
        if line.startswith("{"):
            item = json.loads(line)
            self.seen.append(item)
            self._untaken.append(item)
