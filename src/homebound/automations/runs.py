"""Runs of automations, by their mode (single, restart, queued, parallel), each one traced.

A run checks the automation's conditions, then runs its actions. A run waiting in a top-level `delay` is saved
(`ResumeKey`), so a restart resumes it at the next action with the delay's original deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from homebound.automations.actions import ActionRunner, RunContext, StopRun
from homebound.automations.conditions import ConditionChecker
from homebound.automations.saved_state import ResumeKey, SavedDelay, SavedState
from homebound.automations.schema import Automation
from homebound.automations.traces import Trace, TraceLog
from homebound.hub.principals import Door, principal

log = logging.getLogger(__name__)


@dataclass
class AutomationState:
    automation: Automation
    running: list[asyncio.Task[None]] = field(default_factory=list)
    queued: list[dict[str, object]] = field(default_factory=list)
    fired: int = 0


class RunScheduler:
    """Starts, queues, restarts or skips runs as each automation's mode says."""

    def __init__(self, runner: ActionRunner, conditions: ConditionChecker, saved: SavedState) -> None:
        self.runner = runner
        self.conditions = conditions
        self.saved = saved
        self.traces = TraceLog()
        self.on_run: list[Callable[[Trace], None]] = []
        self.stopping = False

    def fire(self, state: AutomationState, details: dict[str, object]) -> None:
        automation = state.automation
        if not automation.enabled:
            return
        state.running = [t for t in state.running if not t.done()]
        if state.running:
            if automation.mode == "single":
                self._skipped(automation.id, details, "already running (mode: single)")
                return
            if automation.mode == "restart":
                for task in state.running:
                    task.cancel()
            elif automation.mode == "queued":
                if len(state.queued) + len(state.running) >= automation.max:
                    self._skipped(automation.id, details, f"queue full (max: {automation.max})")
                else:
                    state.queued.append(details)
                return
            elif automation.mode == "parallel" and len(state.running) >= automation.max:
                self._skipped(automation.id, details, f"{automation.max} runs already (mode: parallel)")
                return
        self.start(state, details)

    def _skipped(self, automation_id: str, details: dict[str, object], why: str) -> None:
        trace = Trace(automation_id, details)
        trace.finish("skipped", why)
        self.traces.add(trace)

    def start(self, state: AutomationState, details: dict[str, object], start: int = 0,
              resume_deadline: float | None = None) -> None:
        state.fired += 1
        trace = Trace(state.automation.id, dict(details))
        self.traces.add(trace)
        for listener in self.on_run:
            listener(trace)
        task = asyncio.create_task(self._run(state, trace, start, resume_deadline))

        def ended(_task: asyncio.Task[None]) -> None:
            if trace.result == "running":  # cancelled before it began
                trace.finish("cancelled", "restarted" if state.automation.mode == "restart" else "stopped")

        task.add_done_callback(ended)
        state.running.append(task)

    async def _run(self, state: AutomationState, trace: Trace, start: int, resume_deadline: float | None) -> None:
        automation = state.automation
        key = ResumeKey(automation.id, trace.run_id)
        ctx = RunContext(automation.id, trace, trace.trigger, principal(Door.AUTOMATION, automation.id),
                         on_delay=lambda index, deadline: self.saved.put(key, SavedDelay(
                             automation=automation.id, next=index + 1, deadline=deadline, trigger=trace.trigger)),
                         after_delay=lambda: self.saved.drop(key))
        try:
            if start == 0:
                for condition in automation.conditions:
                    if not self.conditions.check(condition, trace.conditions):
                        trace.finish("condition_failed")
                        return
            else:
                remaining = max(0.0, (resume_deadline or 0) - time.time())
                step = trace.step("delay", seconds=round(remaining, 3), resumed_after_restart=True)
                await asyncio.sleep(remaining)
                self.saved.drop(key)
                step.finished, step.outcome = time.time(), "completed"
            await self.runner.run(automation.actions, ctx, top_level=True, start=start)
            trace.finish("completed")
        except StopRun as stop:
            trace.finish(stop.result, stop.message)
        except asyncio.CancelledError:
            trace.finish("cancelled", "restarted" if automation.mode == "restart" else "stopped")
            if not self.stopping:
                self.saved.drop(key)
            raise
        except Exception as error:
            log.exception("automation %s failed", automation.id)
            trace.finish("error", str(error))
        finally:
            if state.queued and not self.stopping:
                self.start(state, state.queued.pop(0))
