"""The cluster's partitions: who holds each one (its fencing epoch) and how far its input log is applied.

Revision ID: 0007
Revises: 0006_envelopes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006_envelopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_partitions",
        sa.Column("cluster", sa.String(64), primary_key=True),
        sa.Column("partition", sa.Integer(), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("worker", sa.String(128), nullable=False),
        sa.Column("applied_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cluster_partitions")
