"""Break each safety rule and condition on purpose, run tests/hub/test_safety.py, and say which tests went red.

Every line should read RED: a GREEN line is a way to break the interlocks that no test notices. Each mutation is
a one-place source edit, undone after its run (also on Ctrl-C). Run from the project: `.venv/bin/python
tools/break_safety_rules.py [WORD ...]` (only the mutations whose label contains a WORD).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAFETY = ROOT / "src" / "homebound" / "hub" / "safety"
sys.path.insert(0, str(ROOT / "src"))

from homebound.hub.safety import BUILT_IN_NAMES  # noqa: E402

Mutation = tuple[str, Path, str, str]

MUTATIONS: list[Mutation] = [
    *[(f"rule {name} removed", SAFETY / "interlocks.py", "built_in = built_in_rules(self.thresholds)",
       f"built_in = tuple(r for r in built_in_rules(self.thresholds) if r.name != {name!r})")
      for name in BUILT_IN_NAMES],
    ("speed: > instead of >=", SAFETY / "conditions.py", "abs(speed) >= thresholds.moving_speed_kmh",
     "abs(speed) > thresholds.moving_speed_kmh"),
    ("IsMoving ignored", SAFETY / "conditions.py", "if is_moving is True:", "if False:"),
    ("park lock ignored", SAFETY / "conditions.py", "if park_lock is False:", "if False:"),
    ("gear ignored", SAFETY / "conditions.py", "if gear != vss.GEAR_PARK:", "if False:"),
    ("unknown motion allowed", SAFETY / "conditions.py",
     "return None if evidence.safe else evidence.unknown(\"the vehicle's motion\", MOTION_SIGNALS)", "return None"),
    ("unknown charging allowed", SAFETY / "conditions.py",
     'return None if evidence.safe else evidence.unknown("whether the vehicle charges", CHARGING_SIGNALS)',
     "return None"),
    ("charging ignored", SAFETY / "conditions.py", "if is_charging is True:", "if False:"),
    ("staleness ignored", SAFETY / "conditions.py", "if self.max_age is None or age <= self.max_age:", "if True:"),
    ("opening compared to closed, not now", SAFETY / "targets.py", "return abs(wanted) > abs(now or 0.0)",
     "return abs(wanted) > 0.0"),
    ("opening words ignored", SAFETY / "targets.py",
     "return isinstance(target, str) and target in OPENING_WORDS", "return False"),
    ("looser numbers accepted", SAFETY / "thresholds.py", "    if looser:", "    if False:"),
    ("loosening keys accepted", SAFETY / "configuration.py", "if str(key) in _LOOSENING_KEYS:", "if False:"),
    ("built-in name reusable", SAFETY / "configuration.py", "if name in BUILT_IN_NAMES:", "if False:"),
    ("extra paths dropped", SAFETY / "interlocks.py", "rule.with_paths(extra.get(rule.name, ()))", "rule"),
    ("unguarded paths accepted", SAFETY / "interlocks.py", "        return problems\n", "        return []\n"),
    ("climate limit from default, not household", SAFETY / "rules.py", "Above(thresholds.climate_max_c,",
     "Above(30.0,"),
    ("seat limit from default, not household", SAFETY / "rules.py", "Above(thresholds.seat_heating_max_percent,",
     "Above(100,"),
]


def failing_tests(path: Path, old: str, new: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"{path}: the text to break is there {text.count(old)} times, not once: {old!r}")
    path.write_text(text.replace(old, new), encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "tests/hub/test_safety.py", "-q", "-p",
                              "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        path.write_text(text, encoding="utf-8")
    return sorted({re.sub(r"\[.*", "", line.split("::")[1].split(" ")[0])
                   for line in run.stdout.splitlines() if line.startswith("FAILED")})


def main(words: list[str]) -> int:
    survivors = 0
    for label, path, old, new in MUTATIONS:
        if words and not any(word in label for word in words):
            continue
        failed = failing_tests(path, old, new)
        survivors += not failed
        print(f"{'RED  ' if failed else 'GREEN'} {label}: {len(failed)} failing: {', '.join(failed)}", flush=True)
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
