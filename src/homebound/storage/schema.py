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
