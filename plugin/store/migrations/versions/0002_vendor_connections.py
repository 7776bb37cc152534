"""vendor connections, assessments, attempts, signals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:47:23.317063
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vendor_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('config_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('callback_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_connections')),
    sa.UniqueConstraint('callback_token', name=op.f('uq_vendor_connections_callback_token')),
    sa.UniqueConstraint('name', name=op.f('uq_vendor_connections_name'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=512), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('test_id', sa.String(length=255), nullable=False),
    sa.Column('proctoring_connection_id', sa.Integer(), nullable=True),
    sa.Column('proctoring_exam_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['vendor_connections.id'], name=op.f('fk_assessments_connection_id_vendor_connections')),
    sa.ForeignKeyConstraint(['proctoring_connection_id'], ['vendor_connections.id'], name=op.f('fk_assessments_proctoring_connection_id_vendor_connections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('lti_user_id', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.Integer(), nullable=False),
    sa.Column('vendor_ref', sa.String(length=255), nullable=True),
    sa.Column('proctoring_ref', sa.String(length=255), nullable=True),
    sa.Column('proctoring_url', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('redirect_url', sa.Text(), nullable=True),
    sa.Column('embed_json', sa.Text(), nullable=True),
    sa.Column('return_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_signal_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_attempts_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['lti_user_id'], ['lti_users.id'], name=op.f('fk_attempts_lti_user_id_lti_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_link_id'], ['resource_links.id'], name=op.f('fk_attempts_resource_link_id_resource_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('assessment_id', 'lti_user_id', 'resource_link_id', name=op.f('uq_attempts_assessment_id')),
    sa.UniqueConstraint('token', name=op.f('uq_attempts_token'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_vendor_ref'), ['vendor_ref'], unique=False)

    op.create_table('signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('vendor_ref', sa.String(length=255), nullable=True),
    sa.Column('status_hint', sa.String(length=64), nullable=True),
    sa.Column('authenticated', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_signals_attempt_id_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['connection_id'], ['vendor_connections.id'], name=op.f('fk_signals_connection_id_vendor_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signals'))
    )


def downgrade() -> None:
    op.drop_table('signals')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_vendor_ref'))

    op.drop_table('attempts')
    op.drop_table('assessments')
    op.drop_table('vendor_connections')
