"""What the safety interlocks cost a command: checks per second, and commands per second through `Hub.command`.

Baselines: for `Interlocks.refusal`, a bare `dict.get` of the command's path in the vehicle's state (the least a
check that reads state can do); for `Hub.command`, the same hub commanding a path no rule guards (the charge
limit), so the ratio is what the interlocks add to a whole command.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from benchmarks.common import Figure, figure, rate
from homebound.hub import Command, Hub
from homebound.hub.safety import Interlocks
from homebound.model import vss_paths as vss
from homebound.model.signal import Value
from homebound.model.vss_loader import builtin_catalog

DOOR_LOCK = f"{vss.DOORS[0]}.IsLocked"
PARKED: dict[str, tuple[Value, float, str]] = {
    vss.SPEED: (0.0, 1.0, "bench"), vss.IS_MOVING: (False, 1.0, "bench"), vss.PARK_LOCK: (True, 1.0, "bench"),
    vss.SELECTED_GEAR: (vss.GEAR_PARK, 1.0, "bench"), vss.IS_CHARGING: (False, 1.0, "bench")}
MOVING = {**PARKED, vss.SPEED: (42.0, 1.0, "bench")}


class _Accepting:
    """Benchmark stand-in for the car's gateway: accepts every command and never confirms it."""

    async def actuate(self, command: Command) -> None:
        return None


def _check_figures() -> list[Figure]:
    interlocks = Interlocks()
    baseline = rate(lambda: PARKED.get(DOOR_LOCK) and None, 1)
    cases = (("a path no rule guards (charge limit)", vss.CHARGE_LIMIT, 80, PARKED),
             ("unlock, parked: allowed", DOOR_LOCK, False, PARKED),
             ("unlock, moving: refused with its message", DOOR_LOCK, False, MOVING))
    figures = []
    for label, path, target, state in cases:
        measured = rate(lambda p=path, t=target, s=state: interlocks.refusal(p, t, s, 2.0) and None, 1)  # type: ignore[misc]
        figures.append(figure(f"Interlocks.refusal, {label}", measured, "checks/s", baseline))
    return figures


async def _commands_per_second(hub: Hub, path: str, targets: tuple[Value, Value], count: int) -> float:
    start = time.perf_counter()
    for index in range(count):
        await hub.command("bench", "car1", path, targets[index % 2])
    return count / (time.perf_counter() - start)


async def _command_figures(count: int = 10_000, rounds: int = 5) -> list[Figure]:
    hub = Hub(default_command_timeout=3600.0)
    hub.add_vehicle("car1", builtin_catalog())
    hub.register_owner("car1", _Accepting())
    hub.ingest("car1", {path: entry[0] for path, entry in PARKED.items()})
    await _commands_per_second(hub, vss.CHARGE_LIMIT, (80, 81), 10_000)  # warm-up, and a full command book
    baselines, guarded = [], []
    for _ in range(rounds):  # interleaved, median of each: the machine is shared and noisy
        baselines.append(await _commands_per_second(hub, vss.CHARGE_LIMIT, (80, 81), count))
        guarded.append(await _commands_per_second(hub, DOOR_LOCK, (False, True), count))
    hub.close()
    return [figure("Hub.command unlock/lock, parked (interlocks checked)", statistics.median(guarded),
                   "commands/s", statistics.median(baselines),
                   note="baseline: the same hub commanding the charge limit, which no rule guards")]


def safety_figures() -> list[Figure]:
    return _check_figures() + asyncio.run(_command_figures())
