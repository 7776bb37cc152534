"""assessment_platforms: the tenants an assessment belongs to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=512), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=True),
    sa.Column('deployment_id', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_platforms_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_platforms'))
    )
    op.create_index(op.f('ix_assessment_platforms_assessment_id'), 'assessment_platforms', ['assessment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_assessment_platforms_assessment_id'), table_name='assessment_platforms')
    op.drop_table('assessment_platforms')
