"""The tables. Changes to them are made by Alembic migrations in `migrations/versions`, never by hand."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# An auto-incrementing 64-bit key that SQLite also auto-increments (it only does so for INTEGER PRIMARY KEY).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

latest_values = sa.Table(
    "latest_values",
    metadata,
    sa.Column("thing", sa.String(128), primary_key=True),
    sa.Column("path", sa.String(255), primary_key=True),
    sa.Column("field", sa.String(8), primary_key=True),
    sa.Column("value_json", sa.Text(), nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("principal", sa.String(128), nullable=False),
)

history = sa.Table(
    "history",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("thing", sa.String(128), nullable=False),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("field", sa.String(8), nullable=False),
    sa.Column("value_json", sa.Text(), nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("principal", sa.String(128), nullable=False),
    sa.Index("ix_history_thing_path_ts", "thing", "path", "ts"),
)

commands = sa.Table(
    "commands",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("thing", sa.String(128), nullable=False),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("target_json", sa.Text(), nullable=False),
    sa.Column("principal", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
    sa.Column("updated_at", sa.Double(), nullable=False),
    sa.Column("deadline", sa.Double(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Index("ix_commands_state", "state"),
    sa.Index("ix_commands_thing_created", "thing", "created_at"),
)

automation_state = sa.Table(
    "automation_state",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value_json", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.Double(), nullable=False),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("thing", sa.Text(), nullable=False),
    sa.Column("path", sa.Text(), nullable=False),
    sa.Column("field", sa.String(8), nullable=False),
    sa.Column("value_repr", sa.Text(), nullable=False),
    sa.Column("ts_repr", sa.Text(), nullable=False),
    sa.Column("principal", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("quarantined_at", sa.Double(), nullable=False),
)

# ---- the car's story (history/): sessions computed as the data arrives, see docs/history.md ----------------------

SessionId = sa.String(40)


def _place_columns(prefix: str = "") -> list[sa.Column[object]]:
    return [sa.Column(f"{prefix}latitude", sa.Double(), nullable=True),
            sa.Column(f"{prefix}longitude", sa.Double(), nullable=True),
            sa.Column(f"{prefix}zone", sa.String(128), nullable=True)]


drives = sa.Table(
    "drives",
    metadata,
    sa.Column("id", SessionId, primary_key=True),
    sa.Column("vehicle", sa.String(128), nullable=False),
    sa.Column("start_ts", sa.Double(), nullable=False),
    sa.Column("end_ts", sa.Double(), nullable=False),
    *_place_columns("start_"),
    *_place_columns("end_"),
    sa.Column("distance_m", sa.Double(), nullable=False),
    sa.Column("distance_source", sa.String(16), nullable=False),
    sa.Column("duration_s", sa.Double(), nullable=False),
    sa.Column("max_speed_kmh", sa.Double(), nullable=True),
    sa.Column("mean_speed_kmh", sa.Double(), nullable=True),
    sa.Column("energy_kwh", sa.Double(), nullable=True),
    sa.Column("energy_source", sa.String(16), nullable=True),
    sa.Column("soc_start", sa.Double(), nullable=True),
    sa.Column("soc_end", sa.Double(), nullable=True),
    sa.Column("efficiency_wh_km", sa.Double(), nullable=True),
    sa.Column("outside_temp_c", sa.Double(), nullable=True),
    sa.Column("odometer_start_m", sa.Double(), nullable=True),
    sa.Column("odometer_end_m", sa.Double(), nullable=True),
    sa.Index("ix_drives_vehicle_start", "vehicle", "start_ts"),
)

drive_points = sa.Table(
    "drive_points",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("drive_id", SessionId, nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("latitude", sa.Double(), nullable=False),
    sa.Column("longitude", sa.Double(), nullable=False),
    sa.Column("speed_kmh", sa.Double(), nullable=True),
    sa.Column("soc", sa.Double(), nullable=True),
    sa.Index("ix_drive_points_drive_ts", "drive_id", "ts"),
)

charges = sa.Table(
    "charges",
    metadata,
    sa.Column("id", SessionId, primary_key=True),
    sa.Column("vehicle", sa.String(128), nullable=False),
    sa.Column("start_ts", sa.Double(), nullable=False),
    sa.Column("end_ts", sa.Double(), nullable=False),
    *_place_columns(),
    sa.Column("charge_type", sa.String(4), nullable=True),
    sa.Column("energy_added_kwh", sa.Double(), nullable=False),
    sa.Column("energy_source", sa.String(16), nullable=False),
    sa.Column("energy_wall_kwh", sa.Double(), nullable=True),
    sa.Column("soc_start", sa.Double(), nullable=True),
    sa.Column("soc_end", sa.Double(), nullable=True),
    sa.Column("peak_power_kw", sa.Double(), nullable=True),
    sa.Column("mean_power_kw", sa.Double(), nullable=True),
    sa.Column("charging_s", sa.Double(), nullable=False),
    sa.Column("duration_s", sa.Double(), nullable=False),
    sa.Column("interruptions", sa.Integer(), nullable=False),
    sa.Column("end_reason", sa.String(16), nullable=False),
    sa.Column("cost", sa.Double(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("tariff_zone", sa.String(128), nullable=True),
    sa.Column("capacity_kwh", sa.Double(), nullable=True),
    sa.Column("range_at_100_km", sa.Double(), nullable=True),
    sa.Index("ix_charges_vehicle_start", "vehicle", "start_ts"),
)

charge_points = sa.Table(
    "charge_points",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("charge_id", SessionId, nullable=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("power_kw", sa.Double(), nullable=True),
    sa.Column("soc", sa.Double(), nullable=True),
    sa.Index("ix_charge_points_charge_ts", "charge_id", "ts"),
)

parked = sa.Table(
    "parked",
    metadata,
    sa.Column("id", SessionId, primary_key=True),
    sa.Column("vehicle", sa.String(128), nullable=False),
    sa.Column("start_ts", sa.Double(), nullable=False),
    sa.Column("end_ts", sa.Double(), nullable=False),
    *_place_columns(),
    sa.Column("soc_start", sa.Double(), nullable=True),
    sa.Column("soc_end", sa.Double(), nullable=True),
    sa.Column("soc_lost", sa.Double(), nullable=False),
    sa.Column("idle_s", sa.Double(), nullable=False),
    sa.Column("charging_s", sa.Double(), nullable=False),
    sa.Column("drain_per_day", sa.Double(), nullable=True),
    sa.Column("energy_lost_kwh", sa.Double(), nullable=True),
    sa.Index("ix_parked_vehicle_start", "vehicle", "start_ts"),
)

open_sessions = sa.Table(
    "open_sessions",
    metadata,
    sa.Column("vehicle", sa.String(128), primary_key=True),
    sa.Column("state_json", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.Double(), nullable=False),
)

history_meta = sa.Table(
    "history_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value_json", sa.Text(), nullable=False),
)

# Append-only and hash-chained (hub/audit.py): `seq` is assigned by the writer, 1, 2, 3... without gaps, so a
# deleted record shows; triggers (migration 0005_audit) refuse UPDATE and DELETE.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("ts", sa.Double(), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("thing", sa.String(128), nullable=True),
    sa.Column("path", sa.String(255), nullable=True),
    sa.Column("detail_json", sa.Text(), nullable=False),
    sa.Column("outcome", sa.String(64), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("fingerprints", sa.Text(), nullable=False),
    sa.Index("ix_audit_log_ts", "ts"),
    sa.Index("ix_audit_log_actor_ts", "actor", "ts"),
    sa.Index("ix_audit_log_thing_ts", "thing", "ts"),
)

# What each member key has spent (hub/envelopes.py): the highest counter accepted, and recent nonces.
envelope_counters = sa.Table(
    "envelope_counters",
    metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("counter", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", sa.Double(), nullable=False),
)

envelope_nonces = sa.Table(
    "envelope_nonces",
    metadata,
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("accepted_at", sa.Double(), nullable=False),
    sa.Index("ix_envelope_nonces_accepted_at", "accepted_at"),
)
cluster_partitions = sa.Table(
    "cluster_partitions",
    metadata,
    sa.Column("cluster", sa.String(64), primary_key=True),
    sa.Column("partition", sa.Integer(), primary_key=True),
    sa.Column("epoch", sa.BigInteger(), nullable=False),
    sa.Column("worker", sa.String(128), nullable=False),
    sa.Column("applied_seq", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", sa.Double(), nullable=False),
)
