"""The `kuksa-client` command-line shell, fed commands on standard input, against the hub."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.live import LiveServer

KUKSA_CLIENT = str(Path(sys.executable).parent / "kuksa-client")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def shell(port: int, commands: list[str], cwd: Path) -> str:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    # The shell keeps a `.vssclient_history` in its working directory: give it one of its own.
    result = subprocess.run([KUKSA_CLIENT, f"grpc://127.0.0.1:{port}"], input="\n".join([*commands, "quit", ""]),
                            capture_output=True, text=True, timeout=60, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return ANSI.sub("", result.stdout)


def test_shell_set_get_metadata_and_errors(hub_server: LiveServer, tmp_path: Path) -> None:
    output = shell(hub_server.grpc_port, [
        "setValue Vehicle.Speed 33.5",
        "getValue Vehicle.Speed",
        "getMetaData Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit",
        "setTargetValue Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit 80",
        "setValue Vehicle.Powertrain.TractionBattery.StateOfCharge.Current 150",
    ], tmp_path)
    assert re.search(r'"value":\s*33\.5', output)
    assert '"entry_type": "ACTUATOR"' in output and '"max": 100' in output
    assert '"code": 503' in output and "no provider is connected" in output
    assert "value 150 is outside the allowed range [0..100]" in output
    assert hub_server.run(hub_server.runtime.hub.read, "car1", "Vehicle.Speed")[0] == 33.5


def test_shell_set_target_value_reaches_a_waiting_hub(hub_server: LiveServer, tmp_path: Path) -> None:
    hub_server.run(hub_server.runtime.hub.set_command_policy, "car1", "wait")
    output = shell(hub_server.grpc_port, [
        "setTargetValue Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit 85",
        "getTargetValue Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit",
    ], tmp_path)
    assert re.search(r'"value":\s*85', output), output
