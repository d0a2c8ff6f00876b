"""Roles of a household, and what each may do before any key is granted.

- owner: everything on the household's vehicles, zones and devices, and managing members and keys. Not `provide`:
  only a car's gateway or provider speaks for the car (an owner who needs one creates a service account).
- family: sees everything; commands the car's climate, charging, doors, lights, infotainment and driving
  functions, and every household device; manages nobody.
- guest: nothing, until a key grants something (a window and a scope: "climate and charging of car1 on Saturday
  9-18").
- service: a program (Home Assistant, a Kuksa app, the CAN gateway) with exactly the scopes it was given.
"""

from __future__ import annotations

from enum import StrEnum

from homebound.access.grants import Action, Grant


class Role(StrEnum):
    OWNER = "owner"
    FAMILY = "family"
    GUEST = "guest"
    SERVICE = "service"


CATEGORIES: dict[str, tuple[str, ...]] = {
    "climate": ("Vehicle.Cabin.HVAC", "Vehicle.Cabin.Seat.**.Heating", "Vehicle.Cabin.Seat.**.HeatingCooling",
                "Vehicle.Cabin.Seat.**.Massage", "Vehicle.Cabin.SteeringWheel"),
    "charging": ("Vehicle.Powertrain.TractionBattery.Charging",),
    "doors": ("Vehicle.Cabin.Door", "Vehicle.Body.Trunk", "Vehicle.Body.Hood", "Vehicle.Cabin.Sunroof",
              "Vehicle.Body.Mirrors"),
    "lights": ("Vehicle.Body.Lights", "Vehicle.Cabin.Light"),
    "infotainment": ("Vehicle.Cabin.Infotainment",),
    "drive": ("Vehicle.Powertrain.Transmission", "Vehicle.Body.Windshield", "Vehicle.Cabin.RearviewMirror",
              "Vehicle.ADAS"),
}
"""Named groups of a vehicle's actuators, for roles and keys (`--allow climate,charging`)."""

FAMILY_CATEGORIES = ("climate", "charging", "doors", "lights", "infotainment", "drive")
VEHICLE = frozenset({"vehicle"})
DEVICE = frozenset({"device"})


def category_paths(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown categories {', '.join(unknown)}; known: {', '.join(CATEGORIES)}")
    return tuple(path for name in names for path in CATEGORIES[name])


def role_grants(role: Role, things: frozenset[str] | None = None) -> tuple[Grant, ...]:
    """What a role may do by itself (`things`: the vehicles an owner owns; None: all)."""
    if role is Role.OWNER:
        return (Grant(Action.READ), Grant(Action.COMMAND, things, kinds=VEHICLE), Grant(Action.COMMAND, kinds=DEVICE),
                Grant(Action.MANAGE))
    if role is Role.FAMILY:
        return (Grant(Action.READ), Grant(Action.COMMAND, paths=category_paths(FAMILY_CATEGORIES), kinds=VEHICLE),
                Grant(Action.COMMAND, kinds=DEVICE))
    return ()
