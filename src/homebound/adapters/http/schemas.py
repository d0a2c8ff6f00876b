"""Request bodies of the REST API. Values stay raw JSON here: the hub's validators decide, one set of rules."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class WriteValues(BaseModel):
    """A batch of current values for one vehicle, as a car's gateway would send them."""

    model_config = ConfigDict(extra="forbid")
    values: dict[str, JsonValue] = Field(min_length=1, examples=[{"Vehicle.Speed": 42.5}])
    ts: float | None = Field(None, description="epoch seconds; default: when the hub receives it")


class SendCommand(BaseModel):
    """Ask an actuator for a target value."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(examples=["Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"])
    target: JsonValue = Field(examples=[21.5])
    id: str | None = Field(None, min_length=1, max_length=64, description="idempotency key: reuse to retry safely")
    timeout_s: float | None = Field(None, gt=0, le=86_400)
