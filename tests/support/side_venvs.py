"""Environments of their own for programs that cannot share .venv (they pin other grpcio/protobuf versions).

Each is a venv under `.venv-side/`, built once from PyPI with pinned requirements and reused while they do not
change. A test that needs one and cannot build it is skipped with pip's own words (a failure under
HOMEBOUND_REQUIRE_SERVICES=1, as for a missing service).
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT, service_missing

SIDE = PROJECT_ROOT / ".venv-side"
BUILD_TIMEOUT_S = 900


def side_venv(name: str, requirements: list[str]) -> Path:
    """The `bin/` folder of a venv holding `requirements`; built on first use."""
    digest = hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()[:10]
    folder = SIDE / f"{name}-{digest}"
    complete = folder / ".complete"
    if complete.exists():
        return folder / "bin"
    SIDE.mkdir(exist_ok=True)
    with (SIDE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be building the same one
        if not complete.exists():
            _build(name, folder, requirements)
            complete.touch()
    return folder / "bin"


def _build(name: str, folder: Path, requirements: list[str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    steps = [[sys.executable, "-m", "venv", str(folder)],
             [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
              *requirements]]
    for step in steps:
        try:
            result = subprocess.run(step, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            service_missing(f"building the {name} environment ({' '.join(requirements)}) took over "
                            f"{BUILD_TIMEOUT_S} s (is PyPI reachable?)")
            return
        if result.returncode != 0:
            said = [line for line in result.stderr.splitlines() if not line.startswith("WARNING: Location")]
            service_missing(f"cannot build the {name} environment ({' '.join(requirements)}) from PyPI: "
                            + " / ".join(said[-3:])[:800])
