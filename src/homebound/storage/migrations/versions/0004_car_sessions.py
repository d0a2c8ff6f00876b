"""The car's story: drives with their tracks, charging sessions with their power curves, parked periods, the
open sessions that must survive a restart, and the bookkeeping of raw-history retention.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SessionId = sa.String(40)


def _place(prefix: str = "") -> list[sa.Column[object]]:
    return [sa.Column(f"{prefix}latitude", sa.Double(), nullable=True),
            sa.Column(f"{prefix}longitude", sa.Double(), nullable=True),
            sa.Column(f"{prefix}zone", sa.String(128), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "drives",
        sa.Column("id", SessionId, primary_key=True),
        sa.Column("vehicle", sa.String(128), nullable=False),
        sa.Column("start_ts", sa.Double(), nullable=False),
        sa.Column("end_ts", sa.Double(), nullable=False),
        *_place("start_"),
        *_place("end_"),
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
    )
    op.create_index("ix_drives_vehicle_start", "drives", ["vehicle", "start_ts"])
    op.create_table(
        "drive_points",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("drive_id", SessionId, nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("speed_kmh", sa.Double(), nullable=True),
        sa.Column("soc", sa.Double(), nullable=True),
    )
    op.create_index("ix_drive_points_drive_ts", "drive_points", ["drive_id", "ts"])
    op.create_table(
        "charges",
        sa.Column("id", SessionId, primary_key=True),
        sa.Column("vehicle", sa.String(128), nullable=False),
        sa.Column("start_ts", sa.Double(), nullable=False),
        sa.Column("end_ts", sa.Double(), nullable=False),
        *_place(),
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
    )
    op.create_index("ix_charges_vehicle_start", "charges", ["vehicle", "start_ts"])
    op.create_table(
        "charge_points",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("charge_id", SessionId, nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("power_kw", sa.Double(), nullable=True),
        sa.Column("soc", sa.Double(), nullable=True),
    )
    op.create_index("ix_charge_points_charge_ts", "charge_points", ["charge_id", "ts"])
    op.create_table(
        "parked",
        sa.Column("id", SessionId, primary_key=True),
        sa.Column("vehicle", sa.String(128), nullable=False),
        sa.Column("start_ts", sa.Double(), nullable=False),
        sa.Column("end_ts", sa.Double(), nullable=False),
        *_place(),
        sa.Column("soc_start", sa.Double(), nullable=True),
        sa.Column("soc_end", sa.Double(), nullable=True),
        sa.Column("soc_lost", sa.Double(), nullable=False),
        sa.Column("idle_s", sa.Double(), nullable=False),
        sa.Column("charging_s", sa.Double(), nullable=False),
        sa.Column("drain_per_day", sa.Double(), nullable=True),
        sa.Column("energy_lost_kwh", sa.Double(), nullable=True),
    )
    op.create_index("ix_parked_vehicle_start", "parked", ["vehicle", "start_ts"])
    op.create_table(
        "open_sessions",
        sa.Column("vehicle", sa.String(128), primary_key=True),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "history_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value_json", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("history_meta", "open_sessions", "parked", "charge_points", "charges", "drive_points", "drives"):
        op.drop_table(table)
