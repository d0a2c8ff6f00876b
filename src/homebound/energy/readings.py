"""Reading the site through the hub: the latest values of some datapoints of one thing, by subscription.

Devices join when the MQTT bridge discovers them, may leave and come back, and may be offline. A `ThingWatch`
keeps trying to subscribe until its thing exists, subscribes again when a device came back with a new catalog,
and distrusts every value while the device says it is offline (`Availability.IsOnline`). If updates came faster
than the controller took them and its mailbox overflowed, it reads the current values afresh. What is missing is
said in words (`problems`), never raised: the controller decides what a missing reading means.
"""

from __future__ import annotations

import math

from homebound.hub.core import Hub
from homebound.hub.subscriptions import Subscription
from homebound.model.errors import HomeboundError

ONLINE = "Availability.IsOnline"
MAX_BATCHES_PER_REFRESH = 1_000


class ThingWatch:
    """The latest values of `paths` on one thing, refreshed from a hub subscription each control cycle."""

    def __init__(self, hub: Hub, thing: str, paths: list[str]) -> None:
        self.hub = hub
        self.thing = thing
        self.paths = sorted(set(paths))
        self.values: dict[str, object] = {}
        self.problems: list[str] = []
        self._subscription: Subscription | None = None
        self._watch_online = False
        self._dropped = 0

    def refresh(self) -> None:
        """Subscribe if needed, then take in every update queued since the last refresh."""
        if self._subscription is None or self._subscription.closed or self._subscription.unknown_paths:
            if self._subscription is not None:
                self._subscription.close()
            self._subscribe()
        subscription = self._subscription
        if subscription is None:
            return
        if subscription.dropped != self._dropped:  # our mailbox overflowed: read the values afresh
            self._dropped = subscription.dropped
            while subscription.get_nowait() is not None:
                pass
            self._read_current(subscription.paths)
            return
        for _ in range(MAX_BATCHES_PER_REFRESH):
            batch = subscription.get_nowait()
            if batch is None:
                break
            for update in batch:
                self.values[update.path] = update.value

    def _subscribe(self) -> None:
        self.values.clear()
        if not self.hub.exists(self.thing):
            self.problems = [f"{self.thing} has not joined yet"]
            self._subscription = None
            return
        wanted = list(self.paths)
        self._watch_online = self.hub.exists(self.thing, ONLINE)
        if self._watch_online:
            wanted.append(ONLINE)
        try:
            subscription = self.hub.subscribe(self.thing, wanted)
        except HomeboundError as error:
            self.problems = [str(error)]
            self._subscription = None
            return
        self.problems = [f"{self.thing} has no datapoint {path}" + (f" (did you mean {', '.join(near)}?)"
                                                                     if near else "")
                         for path, near in subscription.unknown_paths.items()]
        self._read_current(subscription.paths)
        self._dropped = subscription.dropped
        self._subscription = subscription

    def _read_current(self, paths: list[str]) -> None:
        for path in paths:
            reading = self.hub.read(self.thing, path)
            if reading is not None:
                self.values[path] = reading.value

    @property
    def online(self) -> bool:
        if self._subscription is None:
            return False
        return not self._watch_online or self.values.get(ONLINE) is not False

    def value(self, path: str | None) -> object | None:
        if path is None or not self.online:
            return None
        return self.values.get(path)

    def number(self, path: str | None, scale: float = 1.0) -> float | None:
        value = self.value(path)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        return float(value) * scale

    def flag(self, path: str | None) -> bool | None:
        """A yes/no reading; ON/OFF and START/STOP strings count too."""
        value = self.value(path)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            upper = value.upper()
            if upper in ("ON", "TRUE", "START", "1"):
                return True
            if upper in ("OFF", "FALSE", "STOP", "0"):
                return False
        if isinstance(value, int | float):
            return value != 0
        return None

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
