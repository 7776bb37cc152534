"""vendor_connections.unmatched_signals, last_unmatched_at: signals that name no attempt
are counted on their connection instead of stored one row each

The rows earlier releases stored for such signals (``signals.attempt_id`` NULL) are kept.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unmatched_signals', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_unmatched_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.drop_column('last_unmatched_at')
        batch_op.drop_column('unmatched_signals')
