"""Any car's OBD-II port through an ELM327 adapter (serial, Bluetooth serial, or Wi-Fi as `socket://host:port`).

python-OBD speaks the adapter's protocol; it is blocking, so every call runs in a worker thread. The gateway asks
only for what the car says it supports, one round after another: a round takes as long as the adapter needs (an
ELM327 answers a few dozen queries a second at best), and rounds are at least `interval` apart, so the rate is
what the adapter sustains, never more than asked. Each round's values go to the hub as one batch. Trouble codes
are read every few rounds; a change is logged as an event and written to `Vehicle.Diagnostics.DTCList`.

Adapters go away (ignition off, Bluetooth out of range, unplugged): when a round gets nothing, or the port fails,
the gateway says so in `status`, closes the port and reconnects with exponential backoff, forever, until stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homebound.adapters.hub_link import HubLink, LinkError
from homebound.adapters.obd.readings import DTC_COUNT, DTC_LIST, READINGS, Reading, to_vss, trouble_codes
from homebound.model.errors import HomeboundError

if TYPE_CHECKING:
    import obd as obd_module

log = logging.getLogger(__name__)

DTC_EVERY_ROUNDS = 5
EMPTY_ROUNDS_BEFORE_RECONNECT = 2
EVENTS_KEPT = 100


def _device_behind(port: str) -> str:
    return os.path.realpath(port) if os.path.exists(port) else port


class ObdUnavailable(HomeboundError):
    """python-OBD is not installed (it is GPL-2.0 licensed, so it is an optional extra: homebound[obd])."""


def import_obd() -> obd_module:
    try:
        import obd
    except ImportError:
        raise ObdUnavailable("the OBD-II gateway needs python-OBD: pip install 'homebound[obd]' "
                             "(python-OBD is GPL-2.0 licensed, so it is not installed by default)") from None
    obd.logger.setLevel(logging.CRITICAL)  # it logs every failed query at ERROR; we report them ourselves
    return obd


@dataclass
class ObdStats:
    """What the gateway did, for the status line and the summary."""

    connects: int = 0
    connect_failures: int = 0
    lost: int = 0
    rounds: int = 0
    queries: int = 0
    answers: int = 0
    values_accepted: int = 0
    values_rejected: int = 0
    link_errors: int = 0
    last_round_s: float = 0.0
    events: deque[str] = field(default_factory=lambda: deque(maxlen=EVENTS_KEPT))


class ObdGateway:
    """One car's OBD-II port into the hub, polled as fast as the adapter allows, reconnecting when it goes."""

    def __init__(self, port: str, link: HubLink, *, interval: float = 1.0, baudrate: int | None = None,
                 protocol: str | None = None, timeout: float = 2.0, backoff_s: tuple[float, float] = (1.0, 30.0),
                 vehicle: str = "car") -> None:
        self.port = port
        self.link = link
        self.interval = interval
        self.baudrate = baudrate
        self.protocol = protocol
        self.timeout = timeout
        self.backoff_s = backoff_s
        self.vehicle = vehicle
        self.status = "not started"
        self.stats = ObdStats()
        self.supported: list[Reading] = []
        self.codes: list[str] | None = None
        self._obd = import_obd()
        self._connection: obd_module.OBD | None = None
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Connect, poll, and reconnect after losses until `stop()`."""
        delay = self.backoff_s[0]
        try:
            while not self._stopping.is_set():
                if await self._connect():
                    delay = self.backoff_s[0]
                    await self._poll_until_lost()
                    await self._disconnect()
                    if self._stopping.is_set():
                        break
                self.status = f"{self.status}; retrying in {delay:.0f} s"
                log.warning("OBD-II %s: %s", self.port, self.status)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, self.backoff_s[1])
        finally:
            await self._disconnect()
            self.status = "stopped"

    async def _connect(self) -> bool:
        self.status = f"connecting to {self.port}"
        obd = self._obd
        # python-OBD's automatic baud-rate search cannot work over a network socket (Wi-Fi adapters): any fixed
        # rate will do there, the socket ignores it.
        baudrate = self.baudrate or (38400 if self.port.startswith("socket://") else None)
        # A stable name (udev's /dev/serial/by-id/..., a symlink) is followed anew at each connect: the device
        # behind it may change when the adapter comes back, and python-OBD recognises pseudo-terminals by name.
        port = await asyncio.to_thread(_device_behind, self.port)
        try:
            connection = await asyncio.to_thread(obd.OBD, port, baudrate, self.protocol, False,
                                                 self.timeout, False)
        except Exception as error:  # python-OBD and pyserial raise many kinds; a failed attempt is retried
            self.stats.connect_failures += 1
            self.status = f"cannot connect to {self.port}: {' '.join(str(error).split())[:200]}"
            return False
        state = connection.status()
        if state != obd.OBDStatus.CAR_CONNECTED:
            self.stats.connect_failures += 1
            with contextlib.suppress(Exception):
                await asyncio.to_thread(connection.close)
            self.status = (f"adapter on {self.port} answers but the car does not (ignition off?)"
                           if state in (obd.OBDStatus.ELM_CONNECTED, obd.OBDStatus.OBD_CONNECTED)
                           else f"no ELM327 adapter answers on {self.port}")
            return False
        self._connection = connection
        self.supported = [r for r in READINGS if r.command in obd.commands
                          and connection.supports(obd.commands[r.command])]
        self.stats.connects += 1
        self.status = (f"connected to {self.port} ({connection.protocol_name()}); reading "
                       f"{', '.join(r.command.lower() for r in self.supported) or 'nothing the car supports'}")
        log.info("OBD-II: %s", self.status)
        return True

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(connection.close)

    async def _poll_until_lost(self) -> None:
        empty_rounds = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                values, answered = await asyncio.to_thread(self._round)
            except Exception as error:  # the port failed under python-OBD
                self._lost(f"the adapter failed: {' '.join(str(error).split())[:200]}")
                return
            self.stats.last_round_s = time.monotonic() - started
            if answered == 0:
                empty_rounds += 1
                if empty_rounds >= EMPTY_ROUNDS_BEFORE_RECONNECT or not self._still_connected():
                    self._lost("the adapter stopped answering")
                    return
            else:
                empty_rounds = 0
            if values:
                await self._deliver(values)
            wait = self.interval - (time.monotonic() - started)
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)

    def _lost(self, why: str) -> None:
        self.stats.lost += 1
        self.status = f"lost the adapter on {self.port}: {why}"
        self.stats.events.append(f"{time.strftime('%H:%M:%S')} {self.status}")
        log.warning("OBD-II: %s", self.status)

    def _still_connected(self) -> bool:
        connection = self._connection
        return connection is not None and connection.status() == self._obd.OBDStatus.CAR_CONNECTED

    def _round(self) -> tuple[dict[str, object], int]:
        """One pass over the supported readings (in the worker thread): the values, and how many answered."""
        connection = self._connection
        assert connection is not None
        commands = self._obd.commands
        values: dict[str, object] = {}
        answered = 0
        for reading in self.supported:
            response = connection.query(commands[reading.command])
            self.stats.queries += 1
            if response.is_null():
                continue
            answered += 1
            value = to_vss(reading, response.value)
            if value is not None:
                values[reading.path] = value
        if self.stats.rounds % DTC_EVERY_ROUNDS == 0:
            response = connection.query(commands.GET_DTC)
            self.stats.queries += 1
            if not response.is_null():
                answered += 1
                self._codes_read(trouble_codes(response.value), response.value, values)
        self.stats.rounds += 1
        self.stats.answers += answered
        return values, answered

    def _codes_read(self, codes: list[str], raw: object, values: dict[str, object]) -> None:
        if codes == self.codes:
            return
        known = set(self.codes or [])
        descriptions = {c[0]: c[1] for c in raw if isinstance(c, tuple) and len(c) == 2} if isinstance(
            raw, list) else {}
        for code in codes:
            if code not in known:
                event = f"trouble code {code} set: {str(descriptions.get(code) or 'no description')[:120]}"
                self.stats.events.append(f"{time.strftime('%H:%M:%S')} {self.vehicle}: {event}")
                log.warning("OBD-II %s: %s", self.vehicle, event)
        for code in known - set(codes):
            self.stats.events.append(f"{time.strftime('%H:%M:%S')} {self.vehicle}: trouble code {code} cleared")
        self.codes = codes
        values[DTC_LIST] = codes
        values[DTC_COUNT] = len(codes)

    async def _deliver(self, values: dict[str, object]) -> None:
        try:
            result = await self.link.deliver(values, None)
        except LinkError as error:
            self.stats.link_errors += 1
            log.error("OBD-II: the hub did not take %d values: %s", len(values), str(error)[:300])
            return
        self.stats.values_accepted += result.accepted
        self.stats.values_rejected += result.rejected
        for reason in result.reasons:
            log.warning("OBD-II: the hub refused a value: %s", reason[:300])
