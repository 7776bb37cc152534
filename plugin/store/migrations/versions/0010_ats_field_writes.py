"""ats_field_writes: the value an ATS last accepted per candidate and field, so that a
retried delivery resumes where it stopped and unchanged values are not written again

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ats_field_writes',
    sa.Column('ats_connection_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.String(length=64), nullable=False),
    sa.Column('field_key', sa.String(length=255), nullable=False),
    sa.Column('value_hash', sa.String(length=64), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ats_connection_id'], ['ats_connections.id'], name=op.f('fk_ats_field_writes_ats_connection_id_ats_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ats_connection_id', 'candidate_id', 'field_key', name=op.f('pk_ats_field_writes'))
    )


def downgrade() -> None:
    op.drop_table('ats_field_writes')
