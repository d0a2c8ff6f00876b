"""Why did it fire, why didn't it: a trace of every run, kept per automation."""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field

TRACES_KEPT = 20


@dataclass
class Step:
    """One action of a run, with its outcome and timing."""

    action: str
    started: float
    finished: float | None = None
    outcome: str = "running"
    detail: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"action": self.action, "started": self.started, "finished": self.finished,
                "duration_ms": None if self.finished is None else round((self.finished - self.started) * 1000, 3),
                "outcome": self.outcome, **self.detail}


@dataclass
class Trace:
    automation: str
    trigger: dict[str, object]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.time)
    conditions: list[dict[str, object]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    result: str = "running"
    finished: float | None = None
    error: str | None = None

    def step(self, action: str, **detail: object) -> Step:
        step = Step(action, time.time(), detail=dict(detail))
        self.steps.append(step)
        return step

    def finish(self, result: str, error: str | None = None) -> None:
        self.result = result
        self.error = error
        self.finished = time.time()

    def to_json(self) -> dict[str, object]:
        return {"run_id": self.run_id, "automation": self.automation, "trigger": self.trigger,
                "started": self.started, "finished": self.finished, "result": self.result, "error": self.error,
                "conditions": self.conditions, "actions": [s.to_json() for s in self.steps]}


class TraceLog:
    """The last runs of each automation."""

    def __init__(self, kept: int = TRACES_KEPT) -> None:
        self.kept = kept
        self._traces: dict[str, deque[Trace]] = {}
        self.runs = 0

    def add(self, trace: Trace) -> None:
        self.runs += 1
        self._traces.setdefault(trace.automation, deque(maxlen=self.kept)).append(trace)

    def of(self, automation: str) -> list[Trace]:
        return list(self._traces.get(automation, ()))

    def last(self, automation: str) -> Trace | None:
        traces = self._traces.get(automation)
        return traces[-1] if traces else None
