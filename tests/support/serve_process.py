"""`homebound serve` in a process of its own, as a user runs it: for tests that kill it, read its log, or need
the hub's event loop apart from the test's (a freeze of the server must not be the test's own GIL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from tests.support.live import free_port

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
START_TIMEOUT_S = 30.0


@dataclass
class ServedHub:
    """A running `homebound serve`; everything it prints (stdout and stderr) goes to `log`."""

    process: subprocess.Popen[bytes]
    port: int
    grpc_port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut of the process."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, a clean stop; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"homebound serve did not stop within {timeout} s:\n{self.output()[-3000:]}") \
                    from None
        return self.process.returncode


def write_config(path: Path, document: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def start_serve(workdir: Path, config: dict[str, object], *extra: str, name: str = "serve") -> ServedHub:
    """Start `homebound serve` with `config` (a configuration document) on free ports, and wait until its REST
    door answers."""
    port, grpc_port = free_port(), free_port()
    config_file = write_config(workdir / f"{name}.yaml", config)
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([HOMEBOUND, "serve", "--config", str(config_file), "--port", str(port),
                                    "--grpc-port", str(grpc_port), *extra],
                                   cwd=workdir, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    hub = ServedHub(process, port, grpc_port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise AssertionError(f"homebound serve exited with {process.returncode}:\n{hub.output()[-3000:]}")
        try:
            if httpx.get(f"{hub.base_url}/api/v1/health", timeout=1).status_code == 200:
                return hub
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            hub.kill()
            raise AssertionError(f"homebound serve did not answer within {START_TIMEOUT_S} s:\n{hub.output()[-3000:]}")
        time.sleep(0.05)


@contextmanager
def served(workdir: Path, config: dict[str, object], *extra: str, name: str = "serve") -> Iterator[ServedHub]:
    hub = start_serve(workdir, config, *extra, name=name)
    try:
        yield hub
    finally:
        if hub.process.poll() is None:
            hub.kill()
