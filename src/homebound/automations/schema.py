"""Automations as data: the shapes of triggers, conditions and actions, validated with pydantic.

Home Assistant users should feel at home: `triggers`, `conditions`, `actions`, `mode` and `max`, a `trigger:` or
`condition:` key naming the kind, `for:`, `above:`/`below:`, `from:`/`to:`, and the script words `delay`,
`wait_for_trigger`, `choose`, `if`/`then`/`else`, `parallel` and `stop`. Datapoints are named by `thing` and
`path` (`car1` and `Vehicle.Speed`, `purifier` and `Switch.Power.State`) instead of entity ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, JsonValue, Tag, model_validator

from homebound.automations.car_events import canonical_event
from homebound.model.time_of_day import CLOCK_PATTERN, parse_clock, parse_weekdays


def parse_duration(value: object) -> float:
    """Seconds from `90`, `"00:01:30"`, `"01:30"` or `{minutes: 1, seconds: 30}`."""
    if isinstance(value, bool):
        raise ValueError("a duration is seconds, 'HH:MM:SS' or {hours, minutes, seconds}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := CLOCK_PATTERN.match(value.strip())):
        first, second, third = match.groups()
        seconds = (int(first) * 3600 + int(second) * 60 + int(third)) if third else int(first) * 60 + int(second)
    elif isinstance(value, dict) and value and set(value) <= {"days", "hours", "minutes", "seconds",
                                                               "milliseconds"}:
        seconds = dt.timedelta(**{k: float(v) for k, v in value.items()}).total_seconds()
    else:
        raise ValueError(f"{value!r} is not a duration: use seconds, 'HH:MM:SS' or {{minutes: 5}}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
Clock = Annotated[dt.time, BeforeValidator(parse_clock)]
Weekdays = Annotated[tuple[str, ...], BeforeValidator(parse_weekdays)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Datapoint(Strict):
    thing: str
    path: str


# ---- triggers ---------------------------------------------------------------------------------------------------

class StateTrigger(Datapoint):
    trigger: Literal["state"]
    id: str | None = None
    from_: JsonValue = Field(None, alias="from")
    to: JsonValue = None
    for_: Duration | None = Field(None, alias="for")


class NumericStateTrigger(Datapoint):
    trigger: Literal["numeric_state"]
    id: str | None = None
    above: float | None = None
    below: float | None = None
    for_: Duration | None = Field(None, alias="for")

    @model_validator(mode="after")
    def _bounds(self) -> NumericStateTrigger:
        if self.above is None and self.below is None:
            raise ValueError("give above, below or both")
        return self


class ZoneTrigger(Strict):
    trigger: Literal["zone"]
    id: str | None = None
    thing: str
    zone: str
    event: Literal["enter", "leave"]


class ProximityTrigger(Strict):
    trigger: Literal["proximity"]
    id: str | None = None
    thing: str
    zone: str
    below: float = Field(gt=0, description="metres to the zone's edge")
    direction: Literal["towards", "away", "any"] = "towards"


class ArrivalTrigger(Strict):
    trigger: Literal["arrival"]
    id: str | None = None
    thing: str
    zone: str
    minutes_below: float = Field(gt=0)


class DeviceEventTrigger(Datapoint):
    trigger: Literal["device_event"]
    id: str | None = None
    event_type: str | None = None


class CarEventTrigger(Strict):
    """A car event (see `car_events.py`), with the session's figures as trigger data."""

    trigger: Literal["car"]
    id: str | None = None
    thing: str
    event: Annotated[Literal["drive_started", "drive_ended", "charge_started", "charge_ended", "plugged_in",
                             "unplugged"], BeforeValidator(canonical_event)]


class TimeTrigger(Strict):
    trigger: Literal["time"]
    id: str | None = None
    at: Clock
    weekday: Weekdays | None = None


class IntervalTrigger(Strict):
    trigger: Literal["interval"]
    id: str | None = None
    every: Duration = Field(gt=0)


class CommandTrigger(Strict):
    trigger: Literal["command"]
    id: str | None = None
    thing: str | None = None
    path: str | None = None
    outcome: Literal["confirmed", "failed", "timed_out"]


Trigger = Annotated[
    StateTrigger | NumericStateTrigger | ZoneTrigger | ProximityTrigger | ArrivalTrigger | DeviceEventTrigger
    | CarEventTrigger | TimeTrigger | IntervalTrigger | CommandTrigger,
    Field(discriminator="trigger"),
]


# ---- conditions -------------------------------------------------------------------------------------------------

class StateCondition(Datapoint):
    condition: Literal["state"]
    state: JsonValue


class NumericStateCondition(Datapoint):
    condition: Literal["numeric_state"]
    above: float | None = None
    below: float | None = None


class ZoneCondition(Strict):
    condition: Literal["zone"]
    thing: str
    zone: str
    inside: bool = True


class TimeCondition(Strict):
    condition: Literal["time"]
    after: Clock | None = None
    before: Clock | None = None
    weekday: Weekdays | None = None


class AndCondition(Strict):
    condition: Literal["and"]
    conditions: list[Condition] = Field(min_length=1)


class OrCondition(Strict):
    condition: Literal["or"]
    conditions: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    condition: Literal["not"]
    conditions: list[Condition] = Field(min_length=1)


Condition = Annotated[
    StateCondition | NumericStateCondition | ZoneCondition | TimeCondition | AndCondition | OrCondition
    | NotCondition,
    Field(discriminator="condition"),
]


# ---- actions ----------------------------------------------------------------------------------------------------

class CommandAction(Datapoint):
    action: Literal["command"]
    value: JsonValue
    timeout: Duration | None = None
    continue_on_error: bool = False
    wait: bool = Field(True, description="wait for confirmation before the next action")


class NotifyAction(Strict):
    action: Literal["notify"]
    thing: str
    message: str
    continue_on_error: bool = False


class DelayAction(Strict):
    delay: Duration


class WaitForTriggerAction(Strict):
    wait_for_trigger: list[Trigger] = Field(min_length=1)
    timeout: Duration | None = None
    continue_on_timeout: bool = True


class ChooseOption(Strict):
    conditions: list[Condition] = Field(default_factory=list)
    sequence: list[Action] = Field(min_length=1)


class ChooseAction(Strict):
    choose: list[ChooseOption] = Field(min_length=1)
    default: list[Action] = Field(default_factory=list)


class IfAction(Strict):
    if_: list[Condition] = Field(alias="if", min_length=1)
    then: list[Action] = Field(min_length=1)
    else_: list[Action] = Field(default_factory=list, alias="else")


class ParallelAction(Strict):
    parallel: list[list[Action]] = Field(min_length=1)


class StopAction(Strict):
    stop: str
    error: bool = False


def _action_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("action", "delay", "wait_for_trigger", "choose", "if", "parallel", "stop"):
            if key in value:
                return str(value["action"]) if key == "action" else key
        return None
    kinds: tuple[tuple[type[BaseModel], str], ...] = (
        (CommandAction, "command"), (NotifyAction, "notify"), (DelayAction, "delay"),
                      (WaitForTriggerAction, "wait_for_trigger"), (ChooseAction, "choose"), (IfAction, "if"),
                      (ParallelAction, "parallel"), (StopAction, "stop"))
    for model, kind in kinds:
        if isinstance(value, model):
            return kind
    return None


Action = Annotated[
    Annotated[CommandAction, Tag("command")] | Annotated[NotifyAction, Tag("notify")]
    | Annotated[DelayAction, Tag("delay")] | Annotated[WaitForTriggerAction, Tag("wait_for_trigger")]
    | Annotated[ChooseAction, Tag("choose")] | Annotated[IfAction, Tag("if")]
    | Annotated[ParallelAction, Tag("parallel")] | Annotated[StopAction, Tag("stop")],
    Discriminator(_action_kind, custom_error_type="action_kind",
                  custom_error_message="an action needs one of: action (command or notify), delay, "
                                       "wait_for_trigger, choose, if, parallel, stop"),
]


class Automation(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    alias: str = ""
    description: str = ""
    enabled: bool = True
    mode: Literal["single", "restart", "queued", "parallel"] = "single"
    max: int = Field(10, ge=1, le=1000)
    triggers: list[Trigger] = Field(min_length=1)
    conditions: list[Condition] = Field(default_factory=list)
    actions: list[Action] = Field(min_length=1)


class ZoneConfig(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    radius: float = Field(100.0, gt=0, description="metres")


def walk(node: object, where: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every trigger, condition and action in an automation, nested ones included, with where it is."""
    if isinstance(node, BaseModel):
        if where:
            yield where, node
        for name in type(node).model_fields:
            value = getattr(node, name)
            label = name.rstrip("_")
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield from walk(item, f"{where}.{label}[{index}]" if where else f"{label}[{index}]")
            elif isinstance(value, BaseModel):
                yield from walk(value, f"{where}.{label}" if where else label)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from walk(item, f"{where}[{index}]")


for _model in (AndCondition, OrCondition, NotCondition, ChooseOption, ChooseAction, IfAction, ParallelAction,
               WaitForTriggerAction):
    _model.model_rebuild()
