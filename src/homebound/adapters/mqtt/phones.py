"""The household's phones and Bluetooth stations over the broker: OwnTracks (`owntracks/<user>/<device>`) and
ESPresense (`espresense/devices/<tag>/<station>`), into the household's presence.

The other way, the family's phones are told what their protocol carries: the car's location (retained on
`owntracks/homebound/<vehicle>`, with its card on `.../info`, so the apps show it as a friend), the locations
of members whose phones post over HTTP, and notifications (`owntracks/<user>/<device>/cmd`). Bad messages are
counted by kind and logged once per topic and reason; none stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter

from homebound.messaging import Bus
from homebound.model.errors import HomeboundError
from homebound.presence import espresense
from homebound.presence.config import PresenceConfig
from homebound.presence.household import Household
from homebound.presence.owntracks import card_message

log = logging.getLogger(__name__)
OUR_USER = "homebound"


class PhonesOverMqtt:
    """OwnTracks and ESPresense messages in; locations, cards and notifications out."""

    def __init__(self, household: Household, bus: Bus, settings: PresenceConfig, share_interval: float = 2.0) -> None:
        self.household = household
        self.bus = bus
        self.root = settings.owntracks_topic
        self.ble_root = settings.espresense_topic
        self.share_interval = share_interval
        self.errors: Counter[str] = Counter()
        self._logged: set[tuple[str, str]] = set()
        self._shared: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        for pattern in ("+/+", "+/+/event", "+/+/waypoint", "+/+/waypoints"):
            self.bus.subscribe(f"{self.root}/{pattern}", self._on_owntracks)
        self.bus.subscribe(f"{self.ble_root}/devices/+/+", self._on_sighting)
        self.household.links.append(self)
        self._task = asyncio.create_task(self._share_forever(), name="owntracks-share")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # ---- in ---------------------------------------------------------------------------------------------------

    def _on_owntracks(self, topic: str, payload: bytes, _retained: bool) -> None:
        parts = topic.split("/")
        if len(parts) < 3 or parts[1] == OUR_USER or not payload:
            return  # what we published ourselves, or a retained message being cleared
        try:
            self.household.on_owntracks(parts[1], parts[2], payload, "mqtt")
        except HomeboundError as error:
            self._bad("owntracks", topic, str(error))

    def _on_sighting(self, topic: str, payload: bytes, _retained: bool) -> None:
        try:
            self.household.on_sighting(espresense.parse(topic, payload, self.ble_root))
        except HomeboundError as error:
            self._bad("espresense", topic, str(error))

    def _bad(self, kind: str, topic: str, message: str) -> None:
        self.errors[kind] += 1
        key = (topic[:200], message[:200])
        if key not in self._logged:
            if len(self._logged) < 10_000:
                self._logged.add(key)
            log.warning("%s message on %s refused: %s", kind, topic[:200], message[:200])

    # ---- out --------------------------------------------------------------------------------------------------

    def send(self, user: str, device: str, message: dict[str, object]) -> None:
        """A command to one phone (its app subscribes to its own `.../cmd`)."""
        self.bus.publish(f"{self.root}/{user}/{device}/cmd", json.dumps(message), qos=1)

    def share(self) -> None:
        """Publish the locations the phones should see, when they changed."""
        if self.household.settings.share_vehicles:
            for vehicle, message in self.household.vehicle_locations().items():
                name = self.household.hub.describe(vehicle).name or vehicle
                self._publish(f"{self.root}/{OUR_USER}/{vehicle}/info", card_message(name))
                self._publish(f"{self.root}/{OUR_USER}/{vehicle}", message)
        for phone, message in self.household.http_members_locations():
            self._publish(f"{self.root}/{phone.user}/{phone.device}", message)

    def _publish(self, topic: str, message: dict[str, object]) -> None:
        text = json.dumps(message)
        if self._shared.get(topic) != text:
            self._shared[topic] = text
            self.bus.publish(topic, text, qos=1, retain=True)

    async def _share_forever(self) -> None:
        while True:
            try:
                self.share()
            except HomeboundError as error:
                log.warning("sharing locations with the phones failed: %s", error)
            await asyncio.sleep(self.share_interval)

    def stats(self) -> dict[str, object]:
        return {**self.household.stats(), "bad_messages": dict(self.errors)}
