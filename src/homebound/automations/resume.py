"""After a restart: re-arm the saved `for:` timers and resume the runs that were waiting in a delay.

Saved state of automations that are not loaded is kept until a load shows they are gone (`drop_unknown`), so a
file that fails to load for a moment does not throw away its timers.
"""

from __future__ import annotations

from collections.abc import Callable

from homebound.automations.for_timers import ForTimers
from homebound.automations.runs import AutomationState, RunScheduler
from homebound.automations.saved_state import ForTimerKey, ResumeKey, SavedState
from homebound.automations.schema import NumericStateTrigger, StateTrigger
from homebound.automations.trigger_index import TriggerIndex
from homebound.automations.watches import numeric_in_range
from homebound.hub.core import Hub

FireAutomation = Callable[[str, dict[str, object]], None]


def resume_saved(saved: SavedState, automations: dict[str, AutomationState], hub: Hub, index: TriggerIndex,
                 timers: ForTimers, runs: RunScheduler, fire: FireAutomation, drop_unknown: bool) -> None:
    for key, value in saved.items():
        if not isinstance(value, dict) or not isinstance(key, ForTimerKey | ResumeKey):
            continue
        owner = key.owner if isinstance(key, ForTimerKey) else key.automation
        state = automations.get(owner)
        if state is None:
            if drop_unknown:
                saved.drop(key)
            continue
        if isinstance(key, ForTimerKey):
            _resume_timer(key, value, state, saved, hub, index, timers, fire)
        else:
            saved.drop(key)
            following = value.get("next")
            if isinstance(following, int):
                details = dict(value.get("trigger") or {})
                details["resumed"] = True
                deadline = value.get("deadline", 0)
                runs.start(state, details, start=following,
                           resume_deadline=float(deadline) if isinstance(deadline, int | float) else 0.0)


def _resume_timer(key: ForTimerKey, value: dict[str, object], state: AutomationState, saved: SavedState, hub: Hub,
                  index: TriggerIndex, timers: ForTimers, fire_automation: FireAutomation) -> None:
    """Re-arm a `for:` timer whose trigger still holds; drop it otherwise."""
    triggers = state.automation.triggers
    trigger = triggers[key.trigger_index] if key.trigger_index < len(triggers) else None
    details = value.get("details")
    if not isinstance(trigger, StateTrigger | NumericStateTrigger) or not isinstance(details, dict):
        saved.drop(key)
        return
    reading = hub.read(trigger.thing, trigger.path) if hub.exists(trigger.thing, trigger.path) else None
    if reading is None:
        saved.drop(key)
        return
    if isinstance(trigger, StateTrigger):
        wanted = trigger.to if isinstance(trigger.to, list) else [trigger.to]
        still = trigger.to is None or reading.value in wanted
    else:
        still = numeric_in_range(trigger, reading.value) is True
    if not still:
        saved.drop(key)
        return
    index.seed(trigger.thing, trigger.path, reading.value)
    saved.remember(key, value)

    def fire(resumed: dict[str, object], number: int = key.trigger_index, trigger_id: str | None = trigger.id) -> None:
        fire_automation(key.owner, {**resumed, "trigger_index": number, "trigger_id": trigger_id})

    seconds, deadline = value.get("seconds", 0), value.get("deadline", 0)
    timers.arm(key, float(seconds) if isinstance(seconds, int | float) else 0.0, {**details, "resumed": True},
               fire, persist=False, deadline=float(deadline) if isinstance(deadline, int | float) else 0.0)
