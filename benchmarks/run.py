"""Run every benchmark: `make bench` (or `python benchmarks/run.py [--only NAME]`).

Prints one JSON object per figure and writes the same lines to benchmarks/results.jsonl.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.audit_log import audit_figures
from benchmarks.automations_load import automation_figures
from benchmarks.can_decode import can_figures
from benchmarks.common import Figure, report
from benchmarks.energy_control import energy_figures
from benchmarks.fleet import fleet_figures
from benchmarks.history_recorder import recorder_figures
from benchmarks.history_sessions import session_figures
from benchmarks.hub_ingest import ingest_figures, latency_figures
from benchmarks.kuksa_stream import kuksa_figures
from benchmarks.mqtt_flow import mqtt_figures
from benchmarks.safety_interlocks import safety_figures
from benchmarks.sdv_stream import sdv_figures

SUITES: dict[str, Callable[[], list[Figure]]] = {
    "ingest": ingest_figures,
    "latency": latency_figures,
    "history": recorder_figures,
    "sessions": session_figures,
    "kuksa": kuksa_figures,
    "sdv": sdv_figures,
    "mqtt": mqtt_figures,
    "automations": automation_figures,
    "energy": energy_figures,
    "can": can_figures,
    "safety": safety_figures,
    "audit": audit_figures,
    "fleet": fleet_figures,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(SUITES), action="append", help="run only these suites")
    args = parser.parse_args()
    first = True
    for name in args.only or list(SUITES):
        report(SUITES[name](), append=not first)
        first = False


if __name__ == "__main__":
    main()
