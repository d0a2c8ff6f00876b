"""One car's story as its data arrives: is it driving, parked, charging; when did each start and end.

`apply(ts, readings)` takes the watched values of one ingest batch. In time order it first lets the open
sessions integrate what the car last reported up to `ts`, then believes the new values (a value older than the
signal's last reading is stale and ignored; an implausible one is counted and ignored; a counter that goes
backwards or jumps faster than a car can is a glitch), then decides the transitions:

- a drive starts when the car leaves park (SelectedGear, IsParkLockEngaged, or a CurrentGear other than 0), or,
  for a car that reports no gear at all, when it moves; it counts as a drive (event `drive_started`) once it has
  covered `min_distance_m`, and ends back in park, or (without gear data) after standing still for
  `end_after_stationary_s`, or when the car stood still and went silent for `offline_end_s`, or after any gap
  in the data longer than `max_gap_s` — at the last moment the data showed it moving;
- a charging session starts when IsCharging turns true (or, without it, when power flows in while parked) and
  ends as described in `charges.py`;
- a parked period runs between drives.

`tick(now)` applies the same time limits when the car has gone quiet (measured on the hub's own clock, so a car
with a wrong clock or a replayed recording cannot end a session early).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import orjson

from homebound.history.charges import UNPLUGGED, ChargeInProgress
from homebound.history.charging import ChargingLog
from homebound.history.drives import DriveInProgress
from homebound.history.parked import ParkedInProgress
from homebound.history.places import Places
from homebound.history.rules import (
    CHARGE_FIGURES,
    COUNTERS,
    DRIVE_FIGURES,
    MAX_COUNTER_RATE,
    MAX_FORWARD_JUMP_S,
    MAX_FUTURE_S,
    MAX_TS,
    MIN_TS,
    OBSERVED,
    SOCS,
    LogRules,
    SessionSink,
    session_id,
)
from homebound.history.signals import HIGH, IS_FLAG, LOW, Reading, Readings, plausible
from homebound.history.tariffs import TariffBook


class VehicleLog:
    """Detects one vehicle's drives, charging sessions and parked periods from its readings."""

    def __init__(self, vehicle: str, rules: LogRules, places: Places, tariffs: TariffBook, sink: SessionSink,
                 capacity_kwh: float | None = None) -> None:
        self.vehicle = vehicle
        self.rules = rules
        self.places = places
        self.tariffs = tariffs
        self.sink = sink
        self.configured_capacity = capacity_kwh
        self.readings = Readings()
        self.drive: DriveInProgress | None = None
        self.charging = ChargingLog(self)
        self.parked: ParkedInProgress | None = None
        self.last_ts = 0.0
        self.received = time.monotonic()
        self.checkpoint_ts = 0.0
        self.late = 0
        self.stale = 0
        self.implausible = 0
        self.bad_timestamps = 0
        self._gap_from: float | None = None
        self.counters_before: dict[Reading, tuple[float, float]] = {}  # counters as they were before this batch
        self.resumed_at = 0.0  # data time of the last reading before the hub (re)started

    # ---- the stream ---------------------------------------------------------------------------------------

    def apply(self, ts: float, values: Iterable[tuple[Reading, object]], received: float | None = None) -> None:
        """One batch's watched values, all read at `ts` (epoch seconds)."""
        last_ts = self.last_ts
        if not MIN_TS < ts < MAX_TS or (
                last_ts and ts > last_ts + MAX_FORWARD_JUMP_S and ts > time.time() + MAX_FUTURE_S):
            self.bad_timestamps += 1
            return
        late = ts < last_ts
        self._gap_from = None
        if late:
            self.late += 1
        elif last_ts:
            if ts - last_ts > self.rules.max_gap_s:
                self._gap_from = last_ts
            if self.drive is not None:
                self._across_gap(ts)
            self._integrate(ts)
            self.charging.expire(ts)  # before this batch's values: they are not the ended session's
        readings = self.readings
        stored, times = readings.values, readings.times
        fix = False
        if self.counters_before:
            self.counters_before = {}
        for reading, value in values:
            if ts < times[reading]:
                self.stale += 1
                continue
            kind = value.__class__
            if IS_FLAG[reading]:
                if kind is not bool:
                    self.implausible += 1
                    continue
            elif (kind is not float and kind is not int) or not LOW[reading] <= value <= HIGH[reading]:  # type: ignore[operator]
                self.implausible += 1
                continue
            elif reading in COUNTERS:
                before = stored[reading]
                if before is not None:
                    if not self._counter_believable(reading, value, before, ts):  # type: ignore[arg-type]
                        self.implausible += 1
                        continue
                    self.counters_before[reading] = (before, times[reading])  # type: ignore[assignment]
            previous = stored[reading]
            stored[reading] = value
            times[reading] = ts
            if reading in OBSERVED:
                self._observe(reading, value, previous, ts)
            elif reading is Reading.LATITUDE or reading is Reading.LONGITUDE:
                fix = True
        if fix:
            self._fix(ts)
        if not late:
            self.last_ts = ts
        self.received = time.monotonic() if received is None else received
        self._evaluate(ts)
        if self.last_ts - self.checkpoint_ts >= self.rules.checkpoint_s:
            self.checkpoint()

    def _counter_believable(self, reading: Reading, value: float, last: float, ts: float) -> bool:
        """A lifetime counter never goes back, and never faster than a car can make it go."""
        if value < last:
            return False
        elapsed = ts - self.readings.times[reading]
        return value - last <= MAX_COUNTER_RATE[reading] * max(elapsed, 1.0)

    def _integrate(self, ts: float) -> None:
        if self.drive is not None:
            self.drive.integrate(self.readings, ts)
        self.charging.integrate(self.readings, ts)

    def _observe(self, reading: Reading, value: object, previous: object, ts: float) -> None:
        """A new value of a reading the open sessions' figures use."""
        drive, charging = self.drive, self.charging
        if reading in SOCS:
            soc = self.readings.soc
            if soc is None:
                return
            if drive is not None:
                drive.observe(Reading.SOC, soc, ts)
            charging.observe(Reading.SOC, soc, ts, self.readings)
            if self.parked is not None:
                self.parked.soc(soc)
        elif reading is Reading.PLUGGED:
            if isinstance(previous, bool) and previous != value:
                self.sink.event(self.vehicle, "plugged_in" if value else "unplugged", {"ts": ts})
        else:
            if drive is not None and reading in DRIVE_FIGURES:
                drive.observe(reading, value, ts)  # type: ignore[arg-type]  # believed: a number
            if reading in CHARGE_FIGURES:
                charging.observe(reading, value, ts, self.readings)  # type: ignore[arg-type]

    def _fix(self, ts: float) -> None:
        position = self.readings.position
        if position is None or position == (0.0, 0.0):  # "null island": a receiver without a fix
            return
        if self.drive is not None:
            readings = self.readings
            self.drive.fix(ts, position[0], position[1], readings.number(Reading.ACCURACY),
                           readings.number(Reading.SPEED), readings.soc)

    # ---- transitions --------------------------------------------------------------------------------------

    def _evaluate(self, ts: float) -> None:
        readings = self.readings
        park = readings.in_park()
        moving = readings.moving()
        drive = self.drive
        if drive is None:
            if park is False or (park is None and moving):
                drive = self._start_drive(ts)
        elif park is True:
            self._end_drive(max(ts, drive.start_ts))
            drive = None
        else:
            if moving:
                drive.moved()
            elif drive.stationary_since is None:
                drive.stood_still(ts, readings.soc)
            elif park is None and ts - drive.stationary_since >= self.rules.end_after_stationary_s:
                self._end_drive(drive.stationary_since, at_stop=True)
                drive = None
        if drive is not None and not drive.confirmed:
            self._confirm_if_far_enough(drive, ts)
        if self.drive is None and self.parked is None:
            self._start_parked(ts)
        if self.drive is None or not self.drive.confirmed:
            self.charging.evaluate(ts, self._gap_from)

    def _across_gap(self, ts: float) -> None:
        """Data resumes after a silence: end what the silence ended."""
        drive = self.drive
        if drive is None:
            return
        silence = ts - self.last_ts
        still = drive.stationary_since is not None or self.readings.in_park() is True
        if silence > self.rules.max_gap_s or (still and silence > self.rules.offline_end_s):
            if drive.stationary_since is not None:
                self._end_drive(drive.stationary_since, at_stop=True)
            else:
                self._end_drive(self.last_ts)

    def _confirm_if_far_enough(self, drive: DriveInProgress, ts: float) -> None:
        distance, _ = drive.distance
        if distance >= self.rules.min_distance_m or (
                not drive.distance_measurable and self.readings.flag(Reading.IS_MOVING) is True):
            drive.confirmed = True
            if self.parked is not None:
                self.sink.parked_ended(self.parked.finish(drive.start_ts, self.capacity))
                self.parked = None
            charge = self.charging.session
            if charge is not None:
                self.charging.end(charge.paused_at or drive.start_ts, UNPLUGGED)
            self.sink.event(self.vehicle, "drive_started", {
                **drive.figures(), "session": "drive",
                "start_place": self.places.label(drive.start_zone, drive.start_latitude, drive.start_longitude)})
            self.checkpoint()

    def baseline_ok(self, read_at: float, ts: float) -> bool:
        """Whether a counter read at `read_at` can be a session's starting point at `ts`: any reading the hub saw
        (a car reports its counters when they change, so silence means unchanged); one from before the hub last
        started only if recent, since the car may have driven or charged while nobody listened."""
        return read_at > self.resumed_at or ts - read_at <= self.rules.max_gap_s

    def _start_drive(self, ts: float) -> DriveInProgress:
        position = self.readings.position
        zone = self.places.at(*position).zone if position is not None else None
        self.drive = DriveInProgress.begin(session_id(ts), self.vehicle, ts, self.readings, zone,
                                           self.baseline_ok, self.counters_before)
        return self.drive

    def _end_drive(self, end_ts: float, at_stop: bool = False) -> None:
        """End the open drive at `end_ts`; `at_stop`: the moment it stopped moving, figures as they were then."""
        drive = self.drive
        if drive is None:
            return
        self.drive = None
        end_ts = max(end_ts, drive.start_ts)
        if not drive.confirmed:
            if self.parked is None:
                self._start_parked(drive.start_ts)
            return  # under min_distance_m: not a drive
        drive.integrate(self.readings, end_ts)
        soc = drive.rewind_to_stop() if at_stop else self.readings.soc
        zone = None
        if drive.end_latitude is not None and drive.end_longitude is not None:
            zone = self.places.at(drive.end_latitude, drive.end_longitude).zone
        finished = drive.finish(end_ts, zone, soc, self.capacity)
        self.sink.drive_ended(finished, drive.take_track())
        self.sink.event(self.vehicle, "drive_ended", {
            **finished.to_row(), "session": "drive",
            "start_place": self.places.label(finished.start_zone, finished.start_latitude, finished.start_longitude),
            "end_place": self.places.label(zone, finished.end_latitude, finished.end_longitude)})
        position = None if drive.end_latitude is None or drive.end_longitude is None else (
            drive.end_latitude, drive.end_longitude)
        self.parked = ParkedInProgress.begin(session_id(end_ts), self.vehicle, end_ts, position, zone, soc, False)
        self.checkpoint()

    def _start_parked(self, ts: float) -> None:
        position = self.readings.position
        zone = self.places.at(*position).zone if position is not None else None
        self.parked = ParkedInProgress.begin(session_id(ts), self.vehicle, ts, position, zone, self.readings.soc,
                                             self.charge is not None and not self.charge.paused)

    @property
    def charge(self) -> ChargeInProgress | None:
        """The open charging session (see `charging.py`)."""
        return self.charging.session

    # ---- quiet cars ---------------------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> None:
        """Apply time limits to a car that has gone quiet (`now`: the hub's monotonic clock)."""
        quiet = (time.monotonic() if now is None else now) - self.received
        drive = self.drive
        if drive is not None:
            park = self.readings.in_park()
            if drive.stationary_since is not None:
                stood = quiet + self.last_ts - drive.stationary_since
                if (park is None and stood >= self.rules.end_after_stationary_s) or quiet >= self.rules.offline_end_s:
                    self._end_drive(drive.stationary_since, at_stop=True)
            elif quiet >= self.rules.max_gap_s:
                self._end_drive(self.last_ts)
        self.charging.expire(self.last_ts + quiet)

    # ---- figures and persistence --------------------------------------------------------------------------

    @property
    def capacity(self) -> float | None:
        reported = self.readings.number(Reading.NET_CAPACITY)
        if reported is not None:
            return reported
        return self.configured_capacity if self.configured_capacity is not None else self.charging.estimated_capacity

    def open_sessions(self) -> dict[str, object]:
        return {"drive": None if self.drive is None or not self.drive.confirmed else self.drive.figures(),
                "charge": None if self.charge is None or not self.charge.confirmed else self.charge.figures(),
                "parked": None if self.parked is None else self.parked.figures(self.last_ts)}

    def checkpoint(self) -> None:
        """Hand the open sessions to the sink for saving (their new track and curve points first)."""
        self.checkpoint_ts = self.last_ts
        if self.drive is not None and self.drive.confirmed and self.drive.track:
            self.sink.track_points(self.drive.id, self.drive.take_track())
        if self.charge is not None and self.charge.confirmed and self.charge.curve:
            self.sink.curve(self.charge.id, self.charge.take_curve())
        self.sink.checkpoint(self.vehicle, orjson.dumps(self.to_state()).decode())

    def to_state(self) -> dict[str, object]:
        """What a restart needs (the open sessions are dataclasses: orjson writes them as they are, fast)."""
        return {"last_ts": self.last_ts, "readings": self.readings, "drive": self.drive, "charge": self.charge,
                "parked": self.parked, "estimated_capacity": self.charging.estimated_capacity}

    def restore(self, state: dict[str, object]) -> None:
        """Resume from a saved state (after a restart): the open sessions go on where they were."""
        readings = state.get("readings")
        if isinstance(readings, dict):
            self.readings = Readings.from_json(readings)
        last_ts = state.get("last_ts")
        if isinstance(last_ts, int | float):
            self.last_ts = self.checkpoint_ts = float(last_ts)
        drive, charge, parked = state.get("drive"), state.get("charge"), state.get("parked")
        try:
            self.drive = DriveInProgress.from_state(drive) if isinstance(drive, dict) else None
            self.charging.restore(ChargeInProgress.from_state(charge) if isinstance(charge, dict) else None)
            self.parked = ParkedInProgress.from_state(parked) if isinstance(parked, dict) else None
            self.open_sessions()  # every figure computes: the saved state is whole
            for session in (self.drive, self.charge, self.parked):
                if session is not None and not isinstance(session.start_ts, int | float):
                    raise TypeError(f"start_ts {session.start_ts!r} is not a time")
        except (TypeError, ValueError, KeyError, IndexError) as error:
            self.drive = self.parked = None
            self.charging.restore(None)
            raise ValueError(f"the saved open sessions are damaged ({str(error)[:200]}); starting afresh") from None
        capacity = state.get("estimated_capacity")
        if isinstance(capacity, int | float):
            self.charging.estimated_capacity = float(capacity)
        self.received = time.monotonic()
        self.resumed_at = self.last_ts

    def seed(self, values: Iterable[tuple[Reading, object, float]]) -> None:
        """Take the hub's last known values where they are newer than ours: after a restart, the hub restores what
        the recorder wrote (a fraction of a second before a crash), which may be newer than the last checkpoint."""
        for reading, value, ts in values:
            if plausible(reading, value) and MIN_TS < ts < MAX_TS and ts > self.readings.times[reading]:
                self.readings.values[reading] = value
                self.readings.times[reading] = ts
        self.resumed_at = self.last_ts = max([self.last_ts, *self.readings.times])

    def stats(self) -> dict[str, int]:
        return {"late_batches": self.late, "stale_values": self.stale, "implausible_values": self.implausible,
                "bad_timestamps": self.bad_timestamps}
