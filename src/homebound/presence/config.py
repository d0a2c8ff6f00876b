"""Who lives in the household and how their presence is seen: `people:`, `presence:` and `phone_key:`.

`people` is about presence only (a member's id, name, phones and Bluetooth tags); accounts and rights are joined
to members by `id` elsewhere.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

MEMBER_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
NAME_PART = r"^[A-Za-z0-9_.@-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhoneConfig(Strict):
    """A phone running OwnTracks: it publishes on `owntracks/<user>/<device>` (or posts as `user` over HTTP)."""

    user: str = Field(pattern=NAME_PART)
    device: str = Field(pattern=NAME_PART)


class MemberConfig(Strict):
    id: str = Field(pattern=MEMBER_ID, description="the member's id (accounts are joined to members by it)")
    name: str = ""
    phones: list[PhoneConfig] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Bluetooth ids ESPresense reports (irk:..., phone:...)")
    tid: str | None = Field(None, max_length=2, description="the two letters OwnTracks shows; default: initials")


class StationConfig(Strict):
    """An ESPresense base station, named as in its topics (`espresense/devices/<tag>/<station>`)."""

    id: str = Field(pattern=NAME_PART)
    room: str = Field("", description="the room it stands in; empty: the station's id")
    home: bool = Field(True, description="a tag seen here means the member is home")
    vehicle: str | None = Field(None, description="the vehicle this station is in or beside (garage, car)")


class PresenceConfig(Strict):
    home_zone: str = Field("home", description="the zone that is home")
    owntracks_topic: str = Field("owntracks", pattern=NAME_PART)
    espresense_topic: str = Field("espresense", pattern=NAME_PART)
    stations: list[StationConfig] = Field(default_factory=list)
    approaching_within_m: float = Field(5000.0, gt=0, description="towards home and closer than this: approaching")
    ble_timeout_s: float = Field(15.0, gt=0, description="a tag not heard for this long has left the station")
    ble_smoothing: float = Field(0.35, gt=0, le=1, description="weight of a new distance in the running average")
    near_vehicle_m: float = Field(3.0, gt=0, description="closer than this to a vehicle's station: near the car")
    destination_prefix: str = Field("car:", min_length=1, max_length=20,
                                    description="a waypoint shared from a phone whose name starts with this goes "
                                                "to the car's navigation")
    destination_vehicle: str | None = Field(None, description="default: the first vehicle")
    share_vehicles: bool = Field(True, description="the car's location to the family's phones")


class PhoneKeyConfig(Strict):
    """The phone as the car's key: Bluetooth only, parked only, every command as the member."""

    vehicle: str
    members: list[str] = Field(min_length=1, description="members with the right to the car")
    stations: list[str] = Field(min_length=1, description="base stations in or beside the car")
    unlock_within_m: float = Field(1.5, gt=0, le=10)
    lock_beyond_m: float = Field(5.0, gt=0, le=50)
    debounce_s: float = Field(3.0, ge=0, le=120, description="how long closeness (or distance) must hold")
    lock_when_leaving: bool = True

    @model_validator(mode="after")
    def _hysteresis(self) -> PhoneKeyConfig:
        if self.lock_beyond_m <= self.unlock_within_m:
            raise ValueError("lock_beyond_m must be larger than unlock_within_m (a gap keeps it from flapping)")
        return self
