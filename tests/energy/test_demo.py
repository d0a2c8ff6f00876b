"""`homebound demo --scenario examples/scenarios/solar_day.yaml`, run as a user runs it (fast): the car charges
from the afternoon's surplus, waits through the expensive evening, finishes in the night's cheap hours, and is
ready at its usual departure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.live import free_port

HOMEBOUND = str(Path(sys.executable).parent / "homebound")
ENV = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
ROOT = Path(__file__).parents[2]


def events(output: str, pattern: str) -> list[str]:
    """Times (HH:MM) of the log lines matching `pattern`."""
    return re.findall(rf"charging\s+(\d\d:\d\d) garage {pattern}", output)


def test_the_solar_day_charges_from_the_sun_then_cheap_night_and_is_ready(tmp_path: Path) -> None:
    result = subprocess.run([HOMEBOUND, "demo", "--scenario", "examples/scenarios/solar_day.yaml", "--speed", "2000",
                             "--duration", "42", "--port", str(free_port()), "--database", str(tmp_path / "demo.db")],
                            capture_output=True, text=True, timeout=180, env=ENV, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "WARNING" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    first_plan = re.search(r"garage plan: (80 % by Wed 07:30: from the sun .*?about [\d.]+ €\.)", output)
    assert first_plan, output
    sunny_starts = events(output, r"starts \(\d phases?\): plan: waiting for the planned hours; starting on")
    assert sunny_starts and all("12:50" <= t < "19:00" for t in sunny_starts)
    night = events(output, r"starts \(3 phases\): plan: from the grid until 06:00")
    assert len(night) == 1 and (night[0] >= "22:00" or night[0] < "06:00")
    assert re.search(r"garage plan: 80 % by Wed 07:30: already there \((8\d) %\)", output)
    assert "07:30 car1 unplugged" in output
    summary = re.search(r"smart charging: ([\d.]+) kWh charged, (\d+)% from the sun, cost ([\d.]+) EUR", output)
    assert summary, output
    assert float(summary.group(1)) > 30 and int(summary.group(2)) >= 35
