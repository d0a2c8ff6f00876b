"""Drives: from leaving park to being back in park, with the figures an owner looks for.

A drive's figures are accumulated as the data arrives, never by re-reading history:
- distance from the odometer (`Vehicle.TraveledDistance`) when the car reports it, else integrated from speed,
  else from positions (a fix counts only once it is farther than its own accuracy from the last counted one, so
  GPS noise at a red light adds nothing; a fix implying an impossible speed is a GPS jump and is dropped);
- energy from the battery's counters (consumed minus charged), else integrated from battery power, else from
  the state of charge and the battery's capacity;
- speeds (max; mean = distance / duration), state of charge at both ends, the outside temperature
  (time-weighted mean), and a track (a point every 25 m or 30 s, bounded).

Integration holds each value until the next reading (a car that reports on change means "unchanged until
now"), and never across a gap longer than `MAX_HOLD_S`: the odometer covers those.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

from homebound.history.signals import MAX_SPEED_KMH, Reading, Readings
from homebound.model.geometry import EARTH_RADIUS_M, distance_m

MAX_HOLD_S = 300.0
TRACK_EVERY_M = 25.0
TRACK_EVERY_S = 30.0
MAX_TRACK_POINTS = 50_000
MIN_EFFICIENCY_DISTANCE_M = 100.0
GPS_NOISE_FLOOR_M = 15.0
MAX_ACCURACY_M = 100.0
_M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
_SPEED, _POWER, _TEMPERATURE = int(Reading.SPEED), int(Reading.BATTERY_POWER), int(Reading.OUTSIDE_TEMPERATURE)


def near_distance_m(lat1: float, lon1: float, lat2: float, lon2: float, cos_lat: float) -> float:
    """Distance on a plane tangent at the drive's latitude (`cos_lat`): within 0.1 % of the great circle over the
    few hundred metres between two fixes, and a fraction of the cost."""
    return math.hypot((lat2 - lat1) * _M_PER_DEGREE, (lon2 - lon1) * _M_PER_DEGREE * cos_lat)


@dataclass(slots=True)
class Drive:
    """A finished drive, as stored and served."""

    id: str
    vehicle: str
    start_ts: float
    end_ts: float
    start_latitude: float | None
    start_longitude: float | None
    start_zone: str | None
    end_latitude: float | None
    end_longitude: float | None
    end_zone: str | None
    distance_m: float
    distance_source: str
    duration_s: float
    max_speed_kmh: float | None
    mean_speed_kmh: float | None
    energy_kwh: float | None
    energy_source: str | None
    soc_start: float | None
    soc_end: float | None
    efficiency_wh_km: float | None
    outside_temp_c: float | None
    odometer_start_m: float | None
    odometer_end_m: float | None

    def to_row(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class DriveInProgress:
    """An open drive: what has been accumulated so far. Saved whole at each checkpoint, so it survives restarts."""

    id: str
    vehicle: str
    start_ts: float
    start_latitude: float | None = None
    start_longitude: float | None = None
    start_zone: str | None = None
    soc_start: float | None = None
    soc_last: float | None = None
    confirmed: bool = False
    last_ts: float = 0.0
    stationary_since: float | None = None
    odometer_first: float | None = None
    odometer_last: float | None = None
    distance_before_odometer: float = 0.0
    speed_distance: float = 0.0
    speed_seen: bool = False
    gps_distance: float = 0.0
    gps_reference: list[float] | None = None
    last_fix: list[float] | None = None  # ts, lat, lon of the last believed fix
    end_latitude: float | None = None
    end_longitude: float | None = None
    max_speed: float | None = None
    net_energy_wh: float = 0.0
    power_seen: bool = False
    consumed_first: float | None = None
    consumed_last: float | None = None
    charged_first: float | None = None
    charged_last: float | None = None
    temperature_sum: float = 0.0
    temperature_time: float = 0.0
    temperature_last: float | None = None
    gps_jumps: int = 0
    stop_figures: list[float | None] | None = None  # energy, temperature and counters when it stopped moving
    cos_latitude: float | None = None
    track: list[list[float | None]] = field(default_factory=list)  # unsaved points: ts, lat, lon, speed, soc
    track_last: list[float] | None = None
    track_points: int = 0
    track_dropped: int = 0

    # ---- begin --------------------------------------------------------------------------------------------

    @classmethod
    def begin(cls, drive_id: str, vehicle: str, ts: float, readings: Readings, zone: str | None,
              baseline_ok: Callable[[float, float], bool],
              before: dict[Reading, tuple[float, float]]) -> DriveInProgress:
        """Open a drive at `ts` from what the car last reported: its counters as they were before the batch that
        started the drive (`before`: that batch may already show it moving), if `baseline_ok` trusts them."""
        drive = cls(drive_id, vehicle, ts, soc_start=readings.soc, soc_last=readings.soc, last_ts=ts,
                    start_zone=zone)
        position = readings.position
        if position is not None:
            drive.start_latitude, drive.start_longitude = position
            drive.end_latitude, drive.end_longitude = position
            drive.gps_reference = [position[0], position[1]]
            drive.last_fix = [readings.times[Reading.LATITUDE], position[0], position[1]]
            drive.cos_latitude = math.cos(math.radians(position[0]))
            drive._track(ts, position[0], position[1], readings.number(Reading.SPEED), readings.soc,
                         drive.cos_latitude)
        for reading, attribute in ((Reading.ODOMETER, "odometer"), (Reading.CONSUMED_ENERGY, "consumed"),
                                   (Reading.CHARGED_ENERGY, "charged")):
            value, read_at = before.get(reading) or (readings.number(reading), readings.times[reading])
            if value is not None and baseline_ok(read_at, ts):
                setattr(drive, f"{attribute}_first", value)
                setattr(drive, f"{attribute}_last", readings.number(reading))
        drive.temperature_last = readings.number(Reading.OUTSIDE_TEMPERATURE)
        speed = readings.number(Reading.SPEED)
        if speed is not None and readings.times[Reading.SPEED] >= ts:  # read in the batch that started it
            drive.max_speed = speed
        return drive

    # ---- as data arrives ----------------------------------------------------------------------------------

    def integrate(self, readings: Readings, until: float) -> None:
        """Hold the last readings from `last_ts` to `until` (called before a batch's new values are applied)."""
        dt = until - self.last_ts
        if dt <= 0:
            return
        if dt <= MAX_HOLD_S:
            values = readings.values  # believed readings: numbers where numbers belong
            speed = values[_SPEED]
            if speed is not None:
                self.speed_distance += speed / 3.6 * dt  # type: ignore[operator]
                self.speed_seen = True
            power = values[_POWER]
            if power is not None:
                self.net_energy_wh -= power * dt / 3600  # type: ignore[operator]  # VSS: positive flows in
                self.power_seen = True
            temperature = values[_TEMPERATURE]
            if temperature is not None:
                self.temperature_sum += temperature * dt  # type: ignore[operator]
                self.temperature_time += dt
        self.last_ts = until

    def observe(self, reading: Reading, value: float, ts: float) -> None:
        """A new reading of a signal the drive's figures use (already checked for plausibility)."""
        if reading is Reading.SPEED:
            if self.max_speed is None or value > self.max_speed:
                self.max_speed = min(value, MAX_SPEED_KMH)
        elif reading is Reading.ODOMETER:
            if self.odometer_first is None:
                self.odometer_first = value
                self.distance_before_odometer = self._integrated_distance()
            self.odometer_last = value
        elif reading is Reading.CONSUMED_ENERGY:
            if self.consumed_first is None:
                self.consumed_first = value
            self.consumed_last = value
        elif reading is Reading.CHARGED_ENERGY:
            if self.charged_first is None:
                self.charged_first = value
            self.charged_last = value
        elif reading in (Reading.SOC, Reading.SOC_DISPLAYED):
            if self.soc_start is None:
                self.soc_start = value
            self.soc_last = value
        elif reading is Reading.OUTSIDE_TEMPERATURE:
            self.temperature_last = value

    def stood_still(self, ts: float, soc: float | None) -> None:
        """The car stopped moving at `ts`: remember the figures, in case the drive turns out to have ended here."""
        self.stationary_since = ts
        self.stop_figures = [self.net_energy_wh, self.temperature_sum, self.temperature_time, self.consumed_last,
                             self.charged_last, soc]

    def moved(self) -> None:
        self.stationary_since = None
        self.stop_figures = None

    def rewind_to_stop(self) -> float | None:
        """End the figures where the car stopped (no energy or temperature counted while it stood); returns the
        state of charge it had then."""
        saved = self.stop_figures
        if saved is None:
            return self.soc_last
        energy, temperature_sum, temperature_time, consumed, charged, soc = saved
        self.net_energy_wh = energy if energy is not None else self.net_energy_wh
        self.temperature_sum = temperature_sum if temperature_sum is not None else self.temperature_sum
        self.temperature_time = temperature_time if temperature_time is not None else self.temperature_time
        self.consumed_last, self.charged_last = consumed, charged
        return soc

    def fix(self, ts: float, latitude: float, longitude: float, accuracy: float | None,
            speed: float | None, soc: float | None) -> bool:
        """A new position fix; False (and ignored) when it is a GPS jump or too inaccurate to use."""
        if accuracy is not None and accuracy > MAX_ACCURACY_M:
            return False
        cos_lat = self.cos_latitude
        if cos_lat is None:
            cos_lat = self.cos_latitude = math.cos(math.radians(latitude))
        last = self.last_fix
        if last is not None:
            step = near_distance_m(last[1], last[2], latitude, longitude, cos_lat)
            if step > MAX_SPEED_KMH / 3.6 * max(ts - last[0], 0.0) + 50.0:
                self.gps_jumps += 1
                return False
        self.last_fix = [ts, latitude, longitude]
        self.end_latitude, self.end_longitude = latitude, longitude
        if self.start_latitude is None:
            self.start_latitude, self.start_longitude = latitude, longitude
        reference = self.gps_reference
        if reference is None:
            self.gps_reference = [latitude, longitude]
        elif self.odometer_first is None and not self.speed_seen:  # the distance comes from positions
            moved = near_distance_m(reference[0], reference[1], latitude, longitude, cos_lat)
            if moved > max(GPS_NOISE_FLOOR_M, accuracy or 0.0):
                self.gps_distance += moved
                self.gps_reference = [latitude, longitude]
        self._track(ts, latitude, longitude, speed, soc, cos_lat)
        return True

    def _track(self, ts: float, latitude: float, longitude: float, speed: float | None, soc: float | None,
               cos_lat: float) -> None:
        last = self.track_last
        if last is not None:
            if ts <= last[0]:
                return
            near = near_distance_m(last[1], last[2], latitude, longitude, cos_lat) < TRACK_EVERY_M - 0.01  # rounding
            if near and ts - last[0] < TRACK_EVERY_S:
                return
        if self.track_points >= MAX_TRACK_POINTS:
            self.track_dropped += 1
            return
        self.track_last = [ts, latitude, longitude]
        self.track_points += 1
        self.track.append([ts, latitude, longitude, speed, soc])

    def take_track(self) -> list[list[float | None]]:
        """The points not yet handed out for saving."""
        fresh, self.track = self.track, []
        return fresh

    # ---- figures ------------------------------------------------------------------------------------------

    def _integrated_distance(self) -> float:
        return self.speed_distance if self.speed_seen else self.gps_distance

    @property
    def distance(self) -> tuple[float, str]:
        """(metres, source) so far."""
        if self.odometer_first is not None and self.odometer_last is not None:
            return self.odometer_last - self.odometer_first + self.distance_before_odometer, "odometer"
        if self.speed_seen:
            return self.speed_distance, "speed"
        if self.gps_reference is not None:
            return self.gps_distance, "position"
        return 0.0, "none"

    @property
    def distance_measurable(self) -> bool:
        return self.odometer_first is not None or self.speed_seen or self.gps_reference is not None

    def energy(self, capacity_kwh: float | None, soc_end: float | None) -> tuple[float | None, str | None]:
        if self.consumed_first is not None and self.consumed_last is not None:
            regenerated = 0.0
            if self.charged_first is not None and self.charged_last is not None:
                regenerated = self.charged_last - self.charged_first
            return self.consumed_last - self.consumed_first - regenerated, "counters"
        if self.power_seen:
            return self.net_energy_wh / 1000, "power"
        if capacity_kwh is not None and self.soc_start is not None and soc_end is not None:
            return (self.soc_start - soc_end) / 100 * capacity_kwh, "soc"
        return None, None

    def finish(self, end_ts: float, end_zone: str | None, soc_end: float | None,
               capacity_kwh: float | None) -> Drive:
        reference = self.gps_reference
        if reference is not None and self.end_latitude is not None and self.end_longitude is not None:
            # the last stretch, shorter than the noise floor, still happened: the car got to where it stopped
            self.gps_distance += distance_m(reference[0], reference[1], self.end_latitude, self.end_longitude)
            self.gps_reference = [self.end_latitude, self.end_longitude]
        distance, source = self.distance
        duration = max(0.0, end_ts - self.start_ts)
        energy, energy_source = self.energy(capacity_kwh, soc_end)
        efficiency = (energy * 1000 / (distance / 1000)
                      if energy is not None and distance >= MIN_EFFICIENCY_DISTANCE_M else None)
        temperature = (self.temperature_sum / self.temperature_time if self.temperature_time > 0
                       else self.temperature_last)
        return Drive(
            id=self.id, vehicle=self.vehicle, start_ts=self.start_ts, end_ts=end_ts,
            start_latitude=self.start_latitude, start_longitude=self.start_longitude, start_zone=self.start_zone,
            end_latitude=self.end_latitude, end_longitude=self.end_longitude, end_zone=end_zone,
            distance_m=round(distance, 1), distance_source=source, duration_s=round(duration, 3),
            max_speed_kmh=self.max_speed,
            mean_speed_kmh=round(distance / duration * 3.6, 2) if duration > 0 else None,
            energy_kwh=None if energy is None else round(energy, 4), energy_source=energy_source,
            soc_start=self.soc_start, soc_end=soc_end,
            efficiency_wh_km=None if efficiency is None else round(efficiency, 1),
            outside_temp_c=None if temperature is None else round(temperature, 2),
            odometer_start_m=self.odometer_first, odometer_end_m=self.odometer_last)

    def figures(self) -> dict[str, object]:
        """What an in-progress drive shows (REST, the demo)."""
        distance, source = self.distance
        return {"id": self.id, "vehicle": self.vehicle, "start_ts": self.start_ts, "last_ts": self.last_ts,
                "distance_m": round(distance, 1), "distance_source": source, "soc_start": self.soc_start,
                "soc_now": self.soc_last, "max_speed_kmh": self.max_speed, "start_zone": self.start_zone,
                "confirmed": self.confirmed, "in_progress": True}

    # ---- persistence --------------------------------------------------------------------------------------

    @classmethod
    def from_state(cls, state: dict[str, object]) -> DriveInProgress:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in state.items() if k in known})  # type: ignore[arg-type]
