"""`homebound sim --vehicles N`: N simulated cars, each on its own route and seed, sending their gateway's
batches to a running hub over REST, for load runs and the fleet tier. Reports the rate it achieves.

Two ways to drive them: paced (every tick all cars step and send, and the next tick waits for the slowest answer,
so a slow hub slows the simulation down), and at a fixed rate (`rate_hz`): each car sends on its own schedule,
spread evenly over the period, whatever the others are doing; a send that starts a period late is counted as late,
so the report says plainly when the hub (or this machine) could not take the offered load.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

import httpx

from homebound.model.geometry import bearing_deg, destination, distance_m
from homebound.simulators.vehicle.car import FAST, CarState, SimulatedCar
from homebound.simulators.vehicle.route import Route, Waypoint
from homebound.simulators.vehicle.scenario import Scenario


@dataclass
class FleetStats:
    batches: int = 0
    datapoints: int = 0
    rejected: int = 0
    errors: int = 0
    seconds: float = 0.0
    late: int = 0
    """Fixed rate only: sends that started more than one period after their slot."""

    @property
    def rate(self) -> float:
        return self.datapoints / self.seconds if self.seconds else 0.0


def rotated_route(scenario: Scenario, name: str, angle: float) -> Route:
    """The scenario's route turned by `angle` degrees around home: same length and profile, another road."""
    home = scenario.home
    points = []
    for p in scenario.routes[name]:
        distance = distance_m(home.latitude, home.longitude, p.latitude, p.longitude)
        bearing = bearing_deg(home.latitude, home.longitude, p.latitude, p.longitude) if distance > 0 else 0.0
        lat, lon = destination(home.latitude, home.longitude, (bearing + angle) % 360, distance)
        points.append(Waypoint(lat, lon, p.speed_limit_kmh, p.stop_s, p.grade))
    return Route(points)


class Fleet:
    def __init__(self, scenario: Scenario, vehicles: int, hub: str, speed: float = 10.0, seed: int = 1) -> None:
        self.hub = hub.rstrip("/")
        self.speed = speed
        route_name = next(iter(scenario.routes))
        self.cars: list[tuple[SimulatedCar, Route, Route]] = []
        for number in range(vehicles):
            out = rotated_route(scenario, route_name, 360.0 * number / max(vehicles, 1))
            back = Route(list(reversed(out.waypoints)))
            start = out.waypoints[0]
            state = CarState(start.latitude, start.longitude, soc=40 + (number * 7) % 55,
                             odometer_m=(10_000 + number * 1_000) * 1000.0)
            car = SimulatedCar(f"car{number + 1}", scenario.model, state, seed=seed + number)
            car.drive(out)
            self.cars.append((car, out, back))
        self.stats = FleetStats()
        self._sent: dict[str, dict[str, object]] = {}

    async def run(self, duration: float, tick: float = 0.5, on_report: object = None) -> FleetStats:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=self.hub, timeout=10, limits=limits) as client:
            started = time.monotonic()
            now = time.time()
            next_report = started + 5
            while time.monotonic() - started < duration:
                cycle = time.monotonic()
                now += tick * self.speed
                await asyncio.gather(*(self._one(client, car, out, back, now, tick * self.speed)
                                       for car, out, back in self.cars))
                self.stats.seconds = time.monotonic() - started
                if on_report is not None and time.monotonic() >= next_report:
                    on_report(self.stats)  # type: ignore[operator]
                    next_report += 5
                await asyncio.sleep(max(0.0, tick - (time.monotonic() - cycle)))
        return self.stats

    async def run_fixed_rate(self, duration: float, rate_hz: float, max_in_flight: int = 512,
                             on_report: object = None) -> FleetStats:
        """Each car sends `rate_hz` batches per second on its own slot, for `duration` real seconds."""
        period = 1.0 / rate_hz
        limits = httpx.Limits(max_connections=64)
        in_flight = asyncio.Semaphore(max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        count = len(self.cars)
        async with httpx.AsyncClient(base_url=self.hub, timeout=10, limits=limits) as client:
            started = time.monotonic()
            clock = time.time()
            next_report = started + 5
            sent = 0
            while (elapsed := time.monotonic() - started) < duration:
                due = int(elapsed * count * rate_hz)
                while sent < due:
                    slot = sent / (count * rate_hz)
                    if elapsed - slot > period:
                        self.stats.late += 1
                    car, out, back = self.cars[sent % count]
                    await in_flight.acquire()
                    task = asyncio.create_task(self._timed(client, in_flight, car, out, back,
                                                           clock + elapsed * self.speed, period * self.speed))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    sent += 1
                self.stats.seconds = time.monotonic() - started
                if on_report is not None and time.monotonic() >= next_report:
                    on_report(self.stats)  # type: ignore[operator]
                    next_report += 5
                await asyncio.sleep(0.005)
            if tasks:
                await asyncio.gather(*list(tasks), return_exceptions=True)
            self.stats.seconds = time.monotonic() - started
        return self.stats

    async def _timed(self, client: httpx.AsyncClient, in_flight: asyncio.Semaphore, car: SimulatedCar, out: Route,
                     back: Route, now: float, seconds: float) -> None:
        try:
            await self._one(client, car, out, back, now, seconds)
        finally:
            in_flight.release()

    async def _one(self, client: httpx.AsyncClient, car: SimulatedCar, out: Route, back: Route, now: float,
                   seconds: float) -> None:
        steps = max(1, math.ceil(seconds / 0.5))
        for index in range(steps):
            car.step(seconds / steps, now - seconds + seconds * (index + 1) / steps)
        if not car.moving:
            car.drive(back if car.driver is not None and car.driver.route is out else out)
        signals = car.signals()
        sent = self._sent.setdefault(car.id, {})
        batch = {p: v for p, v in signals.items() if p in FAST or sent.get(p) != v}
        sent.update(batch)
        try:
            response = await client.post(f"/api/v1/vehicles/{car.id}/signals",
                                         json={"values": batch, "ts": now},
                                         headers={"x-homebound-principal": f"sim-{car.id}"})
            body = response.json()
            self.stats.batches += 1
            self.stats.datapoints += int(body.get("accepted", 0))
            self.stats.rejected += len(body.get("rejected", []))
            if response.status_code >= 400 and not body.get("accepted"):
                self.stats.errors += 1
        except (httpx.HTTPError, ValueError):
            self.stats.errors += 1
