"""The envelope ledger: the highest counter accepted per member key, and the nonces recently spent.

Revision ID: 0006_envelopes
Revises: 0005_audit
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_envelopes"
down_revision = "0005_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "envelope_counters",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "envelope_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("accepted_at", sa.Double(), nullable=False),
    )
    op.create_index("ix_envelope_nonces_accepted_at", "envelope_nonces", ["accepted_at"])


def downgrade() -> None:
    op.drop_table("envelope_nonces")
    op.drop_table("envelope_counters")
