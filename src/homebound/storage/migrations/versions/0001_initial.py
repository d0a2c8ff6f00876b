"""Latest values, history and commands.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "latest_values",
        sa.Column("thing", sa.String(128), primary_key=True),
        sa.Column("path", sa.String(255), primary_key=True),
        sa.Column("field", sa.String(8), primary_key=True),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("principal", sa.String(128), nullable=False),
    )
    op.create_table(
        "history",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("thing", sa.String(128), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("field", sa.String(8), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("principal", sa.String(128), nullable=False),
    )
    op.create_index("ix_history_thing_path_ts", "history", ["thing", "path", "ts"])
    op.create_table(
        "commands",
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
    )
    op.create_index("ix_commands_state", "commands", ["state"])
    op.create_index("ix_commands_thing_created", "commands", ["thing", "created_at"])


def downgrade() -> None:
    op.drop_table("commands")
    op.drop_table("history")
    op.drop_table("latest_values")
