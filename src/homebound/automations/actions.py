"""Running an automation's actions, each step traced with its outcome and timing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from homebound.automations.conditions import ConditionChecker
from homebound.automations.schema import (
    Action,
    ChooseAction,
    CommandAction,
    DelayAction,
    IfAction,
    NotifyAction,
    ParallelAction,
    StopAction,
    Trigger,
    WaitForTriggerAction,
)
from homebound.automations.traces import Step, Trace
from homebound.hub.core import Hub
from homebound.model.errors import HomeboundError
from homebound.model.templates import TemplateFailed, render


class ActionHost(Protocol):
    """What actions need from the engine: watching triggers (for `wait_for_trigger`), waiting for a command to
    end, and where a thing takes notifications."""

    def watch_triggers(self, owner: str, triggers: list[Trigger], fire: Callable[[dict[str, object]], None],
                       indexed: bool = False) -> None: ...

    def unwatch(self, owner: str) -> None: ...

    async def wait_for_command(self, command_id: str) -> None: ...

    def notify_path(self, thing: str) -> str | None: ...


class StopRun(Exception):
    """Ends a run: `stop` reached (result "stopped"), or an action failed and was not allowed to continue."""

    def __init__(self, result: str, message: str | None = None) -> None:
        super().__init__(message or result)
        self.result = result
        self.message = message


@dataclass
class RunContext:
    automation_id: str
    trace: Trace
    trigger: dict[str, object]
    principal: str
    on_delay: Callable[[int, float], None] = field(default=lambda index, deadline: None)
    after_delay: Callable[[], None] = field(default=lambda: None)


class ActionRunner:
    """Runs a list of actions for one run, tracing each step."""

    def __init__(self, hub: Hub, conditions: ConditionChecker, host: ActionHost) -> None:
        self.hub = hub
        self.conditions = conditions
        self.host = host

    async def run(self, actions: list[Action], ctx: RunContext, top_level: bool = False, start: int = 0) -> None:
        for index in range(start, len(actions)):
            await self._one(actions[index], ctx, index if top_level else None)

    async def _one(self, action: Action, ctx: RunContext, top_index: int | None) -> None:
        if isinstance(action, CommandAction):
            await self._command(ctx, action.thing, action.path, action.value, action.timeout, action.wait,
                                action.continue_on_error, "command")
        elif isinstance(action, NotifyAction):
            await self._notify(ctx, action)
        elif isinstance(action, DelayAction):
            step = ctx.trace.step("delay", seconds=action.delay)
            if top_index is not None:
                ctx.on_delay(top_index, time.time() + action.delay)
            await asyncio.sleep(action.delay)
            if top_index is not None:
                ctx.after_delay()
            self._done(step, "completed")
        elif isinstance(action, WaitForTriggerAction):
            await self._wait_for_trigger(ctx, action.wait_for_trigger, action.timeout, action.continue_on_timeout)
        elif isinstance(action, ChooseAction):
            step = ctx.trace.step("choose")
            for number, option in enumerate(action.choose):
                record: list[dict[str, object]] = []
                if all(self.conditions.check(c, record) for c in option.conditions):
                    step.detail.update(chosen=number, conditions=record)
                    self._done(step, "completed")
                    await self.run(option.sequence, ctx)
                    return
            step.detail.update(chosen="default")
            self._done(step, "completed")
            await self.run(action.default, ctx)
        elif isinstance(action, IfAction):
            record = []
            result = all(self.conditions.check(c, record) for c in action.if_)
            step = ctx.trace.step("if", result=result, conditions=record)
            self._done(step, "completed")
            await self.run(action.then if result else action.else_, ctx)
        elif isinstance(action, ParallelAction):
            step = ctx.trace.step("parallel", branches=len(action.parallel))
            outcomes = await asyncio.gather(*(self.run(branch, ctx) for branch in action.parallel),
                                            return_exceptions=True)
            self._done(step, "completed")
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        elif isinstance(action, StopAction):
            step = ctx.trace.step("stop", reason=action.stop)
            self._done(step, "completed")
            raise StopRun("error" if action.error else "stopped", action.stop)

    @staticmethod
    def _done(step: Step, outcome: str, **detail: object) -> None:
        step.finished = time.time()
        step.outcome = outcome
        step.detail.update(detail)

    async def _command(self, ctx: RunContext, thing: str, path: str, value: object, timeout: float | None,
                       wait: bool, continue_on_error: bool, label: str) -> None:
        step = ctx.trace.step(label, thing=thing, path=path, value=value)
        try:
            command = await self.hub.command(ctx.principal, thing, path, value, timeout=timeout)
            step.detail["command"] = command.id
            if wait and not command.state.is_final:
                await self.host.wait_for_command(command.id)
            outcome = command.state.value if (wait or command.state.is_final) else "sent"
            reason = command.reason
        except HomeboundError as error:
            outcome, reason = "refused", str(error)
        self._done(step, outcome, reason=reason)
        if outcome not in ("confirmed", "sent", "pending") and not continue_on_error:
            raise StopRun("error", f"{label} {thing} {path} = {value!r}: {outcome}: {reason}")

    async def _notify(self, ctx: RunContext, action: NotifyAction) -> None:
        try:
            message = render(action.message, {"trigger": ctx.trigger, "automation": ctx.automation_id})
        except TemplateFailed as error:
            step = ctx.trace.step("notify", thing=action.thing)
            self._done(step, "refused", reason=str(error))
            if not action.continue_on_error:
                raise StopRun("error", str(error)) from None
            return
        path = self.host.notify_path(action.thing)
        if path is None:
            step = ctx.trace.step("notify", thing=action.thing, message=message)
            self._done(step, "refused", reason=f"{action.thing} has no notification datapoint (Notify.*.Message)")
            if not action.continue_on_error:
                raise StopRun("error", f"cannot notify {action.thing}")
            return
        await self._command(ctx, action.thing, path, message, None, False, action.continue_on_error, "notify")

    async def _wait_for_trigger(self, ctx: RunContext, triggers: list[Trigger], timeout: float | None,
                                continue_on_timeout: bool) -> None:
        step = ctx.trace.step("wait_for_trigger", timeout=timeout)
        fired: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()

        def on_fire(details: dict[str, object]) -> None:
            if not fired.done():
                fired.set_result(details)

        owner = f"wait:{ctx.trace.run_id}:{len(ctx.trace.steps)}"
        self.host.watch_triggers(owner, triggers, on_fire)
        try:
            details = await asyncio.wait_for(fired, timeout)
        except TimeoutError:
            self._done(step, "timed_out")
            if not continue_on_timeout:
                raise StopRun("stopped", "wait_for_trigger timed out") from None
            return
        finally:
            self.host.unwatch(owner)
        ctx.trigger["wait"] = details
        self._done(step, "triggered", trigger=details)

