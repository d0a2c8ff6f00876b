"""Charge detection for one vehicle: when a charging session starts, pauses, resumes and ends (the rules are in
`charges.py`'s docstring). Part of a `VehicleLog`, which feeds it the readings and owns the parked period whose
charging time it records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homebound.history.charges import ChargeInProgress
from homebound.history.rules import session_id
from homebound.history.signals import Reading, Readings
from homebound.history.tariffs import PriceSchedule

if TYPE_CHECKING:
    from homebound.history.vehicle_log import VehicleLog


class ChargingLog:
    """The open charging session of one vehicle, and the decisions about it."""

    def __init__(self, log: VehicleLog) -> None:
        self.log = log
        self.session: ChargeInProgress | None = None
        self.price: PriceSchedule | None = None
        self.estimated_capacity: float | None = None

    def integrate(self, readings: Readings, ts: float) -> None:
        if self.session is not None:
            self.session.integrate(readings, ts, self.price, self.log.rules.max_gap_s)

    def observe(self, reading: Reading, value: float, ts: float, readings: Readings) -> None:
        if self.session is not None:
            self.session.observe(reading, value, ts, readings, self.price)

    def expire(self, now: float) -> None:
        """End a paused session whose merge window has passed by `now` (data or quiet time)."""
        session = self.session
        if session is not None and session.paused_at is not None and now - session.paused_at >= (
                self.log.rules.merge_gap_s):
            self.end(session.paused_at, None)

    def evaluate(self, ts: float, gap_from: float | None) -> None:
        """Decide after a batch at `ts` (`gap_from`: where a long silence began, if the batch ends one)."""
        log = self.log
        readings = log.readings
        charging = readings.charging(log.rules.min_charge_power_w)
        session = self.session
        merge = log.rules.merge_gap_s
        if session is None:
            if charging:
                self.start(ts)
            return
        if not session.confirmed and session.counts():
            self.confirm(session)
        if session.paused_at is None:
            if charging:
                return
            paused_at = gap_from if gap_from is not None else ts
            session.pause(paused_at, readings.soc)
            if log.parked is not None:
                log.parked.charging_ended(paused_at)
            if readings.flag(Reading.PLUGGED) is False or ts - paused_at >= merge:
                self.end(paused_at, None)
            return
        if ts - session.paused_at >= merge or readings.flag(Reading.PLUGGED) is False:
            self.end(session.paused_at, None)
            if charging:
                self.start(ts)
        elif charging:
            session.resume(ts)
            if log.parked is not None:
                log.parked.charging_started(ts)

    def start(self, ts: float) -> None:
        log = self.log
        position = log.readings.position
        place = log.places.at(*position) if position is not None else None
        zone = place.zone if place is not None else None
        tariff = log.tariffs.schedule(zone)
        self.price = None if tariff is None else tariff[1]
        self.session = ChargeInProgress.begin(session_id(ts), log.vehicle, ts, log.readings, zone, log.baseline_ok,
                                              tariff, log.counters_before)
        if log.parked is not None:
            log.parked.charging_started(ts)

    def confirm(self, session: ChargeInProgress) -> None:
        """The session has added enough energy to count: tell the listeners it started (at its start)."""
        log = self.log
        session.confirmed = True
        log.sink.event(log.vehicle, "charge_started", {
            **session.figures(), "session": "charge",
            "place": log.places.label(session.zone, session.latitude, session.longitude)})
        log.checkpoint()

    def end(self, end_ts: float, reason: str | None) -> None:
        session = self.session
        if session is None:
            return
        log = self.log
        self.session = None
        self.price = None
        readings = log.readings
        soc = session.paused_soc if session.paused_soc is not None else readings.soc
        if reason is None:
            reason = ChargeInProgress.reason(readings.flag(Reading.PLUGGED), soc,
                                             readings.number(Reading.CHARGE_LIMIT))
        if log.parked is not None and not session.paused:
            log.parked.charging_ended(end_ts)
        if not session.confirmed and not session.counts():
            return  # a blip, not a charging session
        if not session.confirmed:
            self.confirm(session)
        finished = session.finish(max(end_ts, session.start_ts), reason, soc, readings.number(Reading.RANGE))
        if finished.capacity_kwh is not None:
            self.estimated_capacity = finished.capacity_kwh
        log.sink.charge_ended(finished, session.take_curve())
        log.sink.event(log.vehicle, "charge_ended", {
            **finished.to_row(), "session": "charge",
            "place": log.places.label(finished.zone, finished.latitude, finished.longitude)})
        log.checkpoint()

    def restore(self, session: ChargeInProgress | None) -> None:
        self.session = session
        tariff = self.log.tariffs.schedule(session.zone) if session is not None else None
        self.price = None if tariff is None else tariff[1]
