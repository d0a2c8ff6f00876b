"""Run the simulated household against an MQTT broker: `homebound devices simulate`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from homebound.messaging import Bus
from homebound.simulators.household.base import SIM_ROOT, SimulatedDevice
from homebound.simulators.household.devices import default_site, household
from homebound.simulators.household.site import SimulatedSite

log = logging.getLogger(__name__)


class HouseholdSimulator:
    """Publishes the devices' discovery and states, answers their commands, and lets time pass."""

    def __init__(self, connection: Bus, devices: list[SimulatedDevice] | None = None,
                 prefix: str = "homeassistant", speed: float = 1.0,
                 on_log: Callable[[str], None] | None = None, root: str = SIM_ROOT,
                 site: SimulatedSite | None = None) -> None:
        self.connection = connection
        self.root = root
        if devices is None:
            site = site or default_site()
            devices = household(root, site)
        #: The electricity of the house (sun, load, grid) its energy devices share; None without them.
        self.site = site
        self.devices = {device.id: device for device in devices}
        self.prefix = prefix
        self.speed = speed
        self.on_log = on_log or log.info
        self.commands = 0
        self._published: dict[str, str] = {}

    def start(self) -> None:
        self.connection.subscribe(f"{self.root}/+/set/+", self._on_message)
        self.connection.on_reconnect.append(self.announce)
        self.announce()

    def announce(self) -> None:
        """Discovery (retained), availability and every state: what a real bridge does when it starts."""
        if self.site is not None:  # the sun and the house as they are now, not as nothing
            self.site.advance(0.0)
            self.site.settle(self.site.charger_w, 0.0)
        self.connection.publish(f"{self.root}/bridge/state", "online", retain=True)
        for device in self.devices.values():
            topic, payload = device.discovery(self.prefix)
            self.connection.publish(topic, payload, retain=True)
        self._published.clear()
        for device in self.devices.values():
            self._publish(device)
        self._publish_site()

    def _publish(self, device: SimulatedDevice) -> None:
        for topic, payload in device.messages():
            if self._published.get(topic) != payload:
                self._published[topic] = payload
                self.connection.publish(topic, payload, retain=True)
        for topic, payload in device.events:
            self.connection.publish(topic, payload)
        device.events.clear()
        for line in device.log:
            self.on_log(line)
        device.log.clear()

    def _on_message(self, topic: str, payload: bytes, _retained: bool) -> None:
        parts = topic.split("/")
        if len(parts) != 4 or parts[0] != self.root or parts[2] != "set":
            return
        device = self.devices.get(parts[1])
        if device is None:
            return
        self.commands += 1
        try:
            device.command(parts[3], payload.decode("utf-8", errors="replace"))
        except (ValueError, KeyError) as error:
            self.on_log(f"{device.name}: ignored command {parts[3]}={payload[:60]!r}: {error}")
        self._publish(device)

    def _publish_site(self) -> None:
        if self.site is None:
            return
        for topic, payload in self.site.messages(self.root):
            if self._published.get(topic) != payload:
                self._published[topic] = payload
                self.connection.publish(topic, payload, retain=True)

    def tick(self, wall_seconds: float) -> None:
        """Let time pass: the site's sun and load first, then every device, then the grid settles; publish."""
        seconds = wall_seconds * self.speed
        if self.site is not None:
            seconds = self.site.advance(seconds)
        for device in self.devices.values():
            device.tick(seconds)
        if self.site is not None:
            self.site.settle(self.site.charger_w, seconds)
        for device in self.devices.values():
            self._publish(device)
        self._publish_site()

    async def run(self, duration: float | None = None, interval: float = 1.0) -> None:
        loop = asyncio.get_running_loop()
        end = None if duration is None else loop.time() + duration
        while end is None or loop.time() < end:
            await asyncio.sleep(interval)
            self.tick(interval)

    def go_offline(self) -> None:
        self.connection.publish(f"{self.root}/bridge/state", "offline", retain=True)
